-- title: 警情清单
-- title_en: Incident list
-- description: The incidents behind a figure, slowest first (no arrival first of all): the period and scope filters of every page, plus optional group filters (incident types, channels, first-arriving stations), the weekday and hour of the call, the ISO week, a range of clock-start-to-first-arrival seconds, the outcome against the target (within, beyond, no_arrival) and an exception (long_turnout, long_travel, very_long_total, no_arrival, response_without_arrival). Each row carries its clock-start rule and target. `matched` is how many incidents match; at most `row_limit` rows are returned (default 1000).
-- grain: one row per incident
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
-- param: incident_types text[]  incident type codes (default: all)
-- param: channels text[]  alarm channel codes (default: all)
-- param: stations text[]  first-arriving (else first dispatched) station ids (default: all)
-- param: call_weekday int  1 = Monday … 7 = Sunday (default: all)
-- param: call_hour int  0–23 (default: all)
-- param: week_start date  the Monday of an ISO week (default: all weeks of the period)
-- param: min_response_s int  at least this many seconds to first arrival (default: no bound)
-- param: max_response_s int  fewer than this many seconds (default: no bound)
-- param: outcome text  within | beyond | no_arrival (default: all)
-- param: exception text  long_turnout | long_travel | very_long_total | no_arrival | response_without_arrival (default: all)
-- param: row_limit int  rows returned at most (default 1000)
with matched as (
    select *
    from incidents_in($start_date, $end_date, $districts, $station_types)
    where (len($incident_types) = 0 or list_contains($incident_types, incident_type))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stations) = 0 or list_contains($stations, first_station_id))
      and ($call_weekday is null or call_weekday = $call_weekday)
      and ($call_hour is null or call_hour = $call_hour)
      and ($week_start is null or week_start = $week_start)
      and ($min_response_s is null or response_s >= $min_response_s)
      and ($max_response_s is null or response_s < $max_response_s)
      and (coalesce($outcome, '') = ''
           or ($outcome = 'within' and is_within_target)
           or ($outcome = 'beyond' and not is_within_target)
           or ($outcome = 'no_arrival' and first_arrive_at is null))
      and (coalesce($exception, '') = ''
           or ($exception = 'long_turnout' and has_long_turnout)
           or ($exception = 'long_travel' and has_long_travel)
           or ($exception = 'very_long_total' and is_very_long_total)
           or ($exception = 'no_arrival' and first_arrive_at is null)
           or ($exception = 'response_without_arrival' and has_response_without_arrival))
)
select
    incident_id, call_at, district, street, incident_type, channel,
    first_station_id, first_station_name, first_station_type, station_count, arrived_station_count,
    clock_start_rule, clock_start_at, first_arrive_at, response_s, target_s, is_within_target,
    call_processing_s, turnout_s, travel_s, on_scene_s, full_response_s,
    has_long_turnout, has_long_travel, is_very_long_total, has_response_without_arrival,
    count(*) over () as matched
from matched
order by response_s desc nulls first, call_at desc, incident_id
limit coalesce($row_limit, 1000)
