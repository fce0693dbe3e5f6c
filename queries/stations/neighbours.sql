-- title: 邻近站点
-- title_en: Nearest stations
-- description: The stations in service on the data's as-of date nearest to the given station (straight-line distance between their registered positions), nearest first.
-- description_zh: 数据截至日期在役、距给定站点最近的站点（按登记坐标之间的直线距离），最近的在前。
-- grain: one row per neighbouring station
-- grain_zh: 每个邻近站点一行
-- param: station text   station_id (none: no rows)
-- param_zh: station 站点编号 station_id（不填：不返回任何行）
-- param: n int          how many (default 5)
-- param_zh: n 返回的站点个数（默认5）
with me as (select lat, lon from stations where station_id = $station and lat is not null and lon is not null)
select
    s.station_id, s.station_name, s.station_type, s.district, s.lat, s.lon,
    round(2 * 6371000 * asin(sqrt(
        pow(sin(radians(s.lat - me.lat) / 2), 2)
        + cos(radians(me.lat)) * cos(radians(s.lat)) * pow(sin(radians(s.lon - me.lon) / 2), 2)
    ))) as distance_m
from stations s cross join me cross join data_as_of a
where s.station_id <> $station and s.lat is not null and s.lon is not null
  and in_service_on(s.opened_on, s.closed_on, a.as_of_date)
order by distance_m, s.station_id
limit coalesce($n, 5)
