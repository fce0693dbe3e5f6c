-- title: 站点台账与达标情况
-- title_en: Station register with readiness
-- description: Every station with its type, district, host venue, opening, staff, vehicles, readiness score and shortfalls (structured: check, item, item_en, actual, required; and the same in Chinese words); in_service says whether it is open on the data's as-of date.
-- grain: one row per station
-- param: districts text[]
-- param: station_types text[]
select
    s.station_id, s.station_name, s.station_type, s.district, s.street, s.community, s.host_venue,
    s.opened_on, s.closed_on,
    in_service_on(s.opened_on, s.closed_on, a.as_of_date) as in_service,
    s.staff_count, s.vehicle_count, s.is_forest,
    r.score as readiness_score, r.is_compliant, r.shortfalls, r.last_counted_on,
    r.shortfalls_zh, r.checks_passed, r.checks_total, r.count_age_days, r.is_count_stale
from stations s
join station_readiness r using (station_id)
cross join data_as_of a
where (len($districts) = 0 or list_contains($districts, s.district))
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by s.station_id
