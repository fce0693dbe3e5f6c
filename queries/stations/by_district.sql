-- title: 各区在役站点数
-- title_en: Stations in service by district and type
-- description: Stations in service on a date, by district and station type.
-- description_zh: 某一日期的在役站点数，按行政区和站点类型统计。
-- grain: one row per (district, station type) with at least one station
-- grain_zh: 至少有一个站点的每个（行政区、站点类型）一行
-- param: as_of date
-- param_zh: as_of 判断在役的日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as as_of
)
select district, station_type, count(*) as in_service
from stations s, bounds b
where in_service_on(s.opened_on, s.closed_on, b.as_of)
  and (len($districts) = 0 or list_contains($districts, s.district))
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
group by district, station_type
order by district, station_type
