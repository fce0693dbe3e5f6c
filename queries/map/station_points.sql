-- title: 站点位置
-- title_en: Station positions
-- description: Stations in service on a date with their WGS-84 position and type, for maps.
-- grain: one row per station in service
-- param: as_of date
-- param: districts text[]
-- param: station_types text[]
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
