-- title: 警情位置(覆盖分析)
-- title_en: Incident positions for coverage
-- description: The position of every incident in the period, for counting past incidents per coverage cell (H3 resolution 9, computed by emss.coverage since the warehouse carries resolution 8 only). Filters: districts, incident types and the hour of the call (hour_from to hour_to inclusive; a range that wraps past midnight such as 22 to 5 is allowed). Incidents are not filtered by station type: demand is demand, whoever answered it.
-- grain: one row per incident with a position
-- columns: also what was measured (response_s from the clock start to the first arrival, null without one; is_within_target; call_processing_s), so the reach model can be checked against it
-- param: start_date date   first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param: end_date date     last call date (default: the data's as-of date)
-- param: districts text[]  district codes (default: all)
-- param: incident_types text[]  incident type codes (default: all)
-- param: hour_from int     first hour of the call, 0-23 (default: 0)
-- param: hour_to int       last hour of the call, 0-23 (default: 23)
with hours as (
    select coalesce($hour_from, 0) as h_from, coalesce($hour_to, 23) as h_to
)
select i.incident_id, i.incident_type, i.district, i.call_hour,
       cast(i.lat as double) as lat, cast(i.lon as double) as lon,
       i.response_s, i.is_within_target, i.call_processing_s
from incidents_in($start_date, $end_date, $districts, cast([] as varchar[])) i, hours h
where i.lat is not null and i.lon is not null
  and (len($incident_types) = 0 or list_contains($incident_types, i.incident_type))
  and case when h.h_from <= h.h_to then i.call_hour between h.h_from and h.h_to
           else i.call_hour >= h.h_from or i.call_hour <= h.h_to end
order by i.incident_id
