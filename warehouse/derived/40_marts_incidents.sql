-- marts.incidents: one row per incident, with what the pages filter and group by.
-- The incident's station type is that of its first-arriving station (else the
-- first dispatched). Kept in time order so date filters skip most of the table.
-- The exception flags (thresholds in meta.response_rules) mark incidents for
-- follow-up; they never take an incident out of a figure.
create schema if not exists marts;

create or replace table marts.incidents as
with limits as (
    select
        max(value) filter (where key = 'long_turnout_s')::integer as long_turnout_s,
        max(value) filter (where key = 'long_travel_s')::integer as long_travel_s,
        max(value) filter (where key = 'very_long_total_s')::integer as very_long_total_s
    from meta.response_rules where rule = 'exceptions'
),
per_response as (
    select
        r.incident_id,
        bool_or(r.turnout_s > l.long_turnout_s) as has_long_turnout,
        bool_or(r.travel_s > l.long_travel_s) as has_long_travel,
        bool_or(r.arrive_at is null) as has_response_without_arrival,
        list(r.station_id order by r.station_id) as station_ids
    from core.responses r cross join limits l
    group by r.incident_id
)
select
    i.*,
    s.station_type as first_station_type,
    cast(i.call_at as date) as call_date,
    cast(date_trunc('week', i.call_at) as date) as week_start,
    hour(i.call_at) as call_hour,
    isodow(i.call_at) as call_weekday,
    i.first_arrive_at is not null as has_arrival,
    s.station_name as first_station_name,
    coalesce(p.has_long_turnout, false) as has_long_turnout,
    coalesce(p.has_long_travel, false) as has_long_travel,
    coalesce(i.response_s > l.very_long_total_s, false) as is_very_long_total,
    p.has_response_without_arrival,
    p.station_ids
from core.incidents i
cross join limits l
left join per_response p using (incident_id)
left join core.stations s on s.station_id = i.first_station_id
order by i.call_at;

-- marts.incident_daily: one row per (call_date, district, first_station_type, incident_type, channel).
create or replace table marts.incident_daily as
select
    call_date, district, first_station_type, incident_type, channel,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(*) filter (where is_within_target) as within_target
from marts.incidents
group by all
order by call_date;
