-- title: 站点达标率
-- title_en: Share of stations meeting the standard
-- description: Stations in service on the data's as-of date, how many pass every check of the standard (staff, the four roles, vehicles, 24-hour duty, mandatory kit, forest kit, nothing expired), and the share.
-- grain: one row
-- param: districts text[]
-- param: station_types text[]
select
    count(*) as stations_in_service,
    count(*) filter (where is_compliant) as compliant,
    round(count(*) filter (where is_compliant) / nullif(count(*), 0), 4) as compliant_rate
from station_readiness r, data_as_of a
where in_service_on(r.opened_on, r.closed_on, a.as_of_date)
  and (len($districts) = 0 or list_contains($districts, r.district))
  and (len($station_types) = 0 or list_contains($station_types, r.station_type))
