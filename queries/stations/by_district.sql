-- title: 各区在役站点数
-- title_en: Stations in service by district and type
-- description: Stations in service on a date, by district and station type.
-- grain: one row per (district, station type) with at least one station
-- param: as_of date
-- param: districts text[]
-- param: station_types text[]
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
