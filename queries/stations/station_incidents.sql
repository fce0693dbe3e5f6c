-- title: 站点出警记录
-- title_en: One station's responses
-- description: Every response of the station in the period (call date), latest first: the incident, its type and channel, this station's phases and response time (clock start → this station arrived), whether that was within the incident's target, and whether it was first on scene.
-- grain: one row per incident the station responded to
-- param: station text       station_id (none: no rows)
-- param: start_date date    first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param: end_date date      last call date (default: the data's as-of date)
select
    r.incident_id, r.incident_type, r.channel, r.district, r.call_at, r.arrive_at,
    r.call_processing_s, r.turnout_s, r.travel_s, r.total_s as response_s, r.target_s,
    r.total_s <= r.target_s as is_within_target,
    r.is_first_arrival as was_first
from responses r
where r.station_id = $station
  and r.call_date between period_start($start_date, $end_date) and period_end($end_date)
order by r.call_at desc, r.incident_id
