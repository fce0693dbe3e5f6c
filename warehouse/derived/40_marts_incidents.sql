-- marts.incidents: one row per incident, with what the pages filter and group by.
-- The incident's station type is that of its first-arriving station (else the
-- first dispatched). Kept in time order so date filters skip most of the table.
create schema if not exists marts;

create or replace table marts.incidents as
select
    i.*,
    s.station_type as first_station_type,
    cast(i.call_at as date) as call_date,
    cast(date_trunc('week', i.call_at) as date) as week_start,
    hour(i.call_at) as call_hour,
    isodow(i.call_at) as call_weekday,
    i.first_arrive_at is not null as has_arrival
from core.incidents i
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
