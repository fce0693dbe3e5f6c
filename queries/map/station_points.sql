-- title: 站点位置
-- title_en: Station positions
-- description: Stations in service on a date with their WGS-84 position and type, for maps.
-- description_zh: 某一日期在役的站点及其 WGS-84 坐标和站点类型，供地图使用。
-- grain: one row per station in service
-- grain_zh: 每个在役站点一行
-- param: as_of date
-- param_zh: as_of 判断在役的日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as as_of
)
select station_id, station_name, station_type, district, cast(lat as double) as lat, cast(lon as double) as lon,
       opened_on, is_forest
from stations s, bounds b
where s.lat is not null and s.lon is not null
  and in_service_on(s.opened_on, s.closed_on, b.as_of)
  and (len($districts) = 0 or list_contains($districts, s.district))
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by station_id
