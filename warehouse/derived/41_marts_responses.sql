-- marts.responses: one row per (incident_id, station_id), each response with its
-- incident's clock and the station's workload around it.
--   total_s        clock start (the incident's, per meta.response_rules) -> this station arrived
--   arrival_rank   1 = the incident's first arrival (ties: earlier dispatch, then station id)
--   busy_s         dispatched -> cleared: the time the response kept the station out
--   is_concurrent  dispatched while an earlier response of the same station was not yet
--                  cleared; a response without a clear time keeps the station out until
--                  the last time its record gives (arrival, departure or dispatch)
-- Concurrency is judged over the whole history, so the first day of a period
-- still knows about the night before.
create or replace table marts.responses as
with limits as (
    select
        max(value) filter (where key = 'long_turnout_s')::integer as long_turnout_s,
        max(value) filter (where key = 'long_travel_s')::integer as long_travel_s
    from meta.response_rules where rule = 'exceptions'
),
placed as (
    select r.*,
        main.busy_until(r.clear_at, r.arrive_at, r.depart_at, r.dispatch_at) as busy_until,
        row_number() over (partition by r.incident_id
                           order by r.arrive_at nulls last, r.dispatch_at nulls last, r.station_id) as arrival_rank
    from core.responses r
),
station_history as (
    select *,
        max(busy_until) over (partition by station_id order by dispatch_at nulls last, incident_id
                              rows between unbounded preceding and 1 preceding) as out_until
    from placed
)
select
    h.incident_id, h.station_id, s.station_name, s.station_type, s.district as station_district,
    i.incident_type, i.channel, i.district, i.call_date, i.call_hour, i.call_weekday,
    h.call_at, h.dispatch_at, h.depart_at, h.arrive_at, h.clear_at,
    h.call_processing_s, h.turnout_s, h.travel_s, h.response_s, h.on_scene_s,
    i.clock_start_rule, i.clock_start_at, i.target_s,
    cast(epoch(h.arrive_at - i.clock_start_at) as integer) as total_s,
    cast(epoch(h.clear_at - h.dispatch_at) as integer) as busy_s,
    h.arrival_rank,
    h.arrive_at is not null and h.arrival_rank = 1 as is_first_arrival,
    coalesce(h.dispatch_at < h.out_until, false) as is_concurrent,
    coalesce(h.turnout_s > l.long_turnout_s, false) as is_long_turnout,
    coalesce(h.travel_s > l.long_travel_s, false) as is_long_travel,
    h.staff_sent, h.vehicles_sent, h.lon, h.lat, s.lon as station_lon, s.lat as station_lat,
    h.is_flagged,
    strftime(h.call_at, '%Y-%m') as call_month  -- last: where the files' form of the table puts it
from station_history h
join marts.incidents i using (incident_id)
cross join limits l
left join core.stations s on s.station_id = h.station_id
order by h.call_at, h.incident_id, h.arrival_rank;

create macro if not exists marts.responses_months(first_month, last_month) as table
    select * from marts.responses
    where (first_month is null or call_month >= first_month) and (last_month is null or call_month <= last_month);
