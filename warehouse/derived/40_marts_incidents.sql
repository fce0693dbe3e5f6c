-- marts.incidents: one row per incident, with what the pages filter and group by, and
-- core.incidents: the same rows with the per-incident facts alone (a view).
--
-- The 5-minute clock starts as meta.response_rules says for the incident's alarm
-- channel (emss/response_rules.toml; as shipped: the alarm received, 接警时间, for
-- every channel). The incident's first arrival is the earliest arrival over all
-- its responding stations, and its phases are those of that first-arriving
-- response, so call processing + turnout + travel add up to received -> first arrival.
-- The incident's station type is that of its first-arriving station (else the
-- first dispatched). Kept in time order so date filters skip most of the table.
-- The exception flags (thresholds in meta.response_rules) mark incidents for
-- follow-up; they never take an incident out of a figure.
create schema if not exists marts;

create or replace table marts.incidents as
with rules as (
    select
        max(value) filter (where rule = 'clock_start' and key = 'default') as default_clock_start,
        max(value) filter (where rule = 'target_s' and key = 'default')::integer as default_target_s,
        max(value) filter (where rule = 'full_response' and key = 'measure') as full_measure,
        max(value) filter (where rule = 'full_response' and key = 'count')::integer as full_count
    from meta.response_rules
),
clock_rules as (
    select key as channel, value as clock_start_rule from meta.response_rules where rule = 'clock_start'
),
targets as (
    select key as incident_type, value::integer as target_s from meta.response_rules where rule = 'target_s'
),
ordered as (
    select *,
        row_number() over (partition by incident_id order by batch_id desc, source_row) as pick
    from core.responses
),
incident_attrs as (  -- descriptive fields from the most recently delivered row
    select incident_id, incident_type, channel, district, street, community, address, lon, lat, h3_r8
    from ordered where pick = 1
),
ranked as (  -- the order of arrival; with no arrival at all, the first dispatched comes first
    select *,
        row_number() over (partition by incident_id
                           order by arrive_at nulls last, dispatch_at nulls last, station_id) as arrival_rank
    from core.responses
),
first_response as (
    select incident_id, station_id, arrive_at, call_processing_s, turnout_s, travel_s
    from ranked where arrival_rank = 1
),
full_response as (  -- when the stations on scene together first brought the configured force
    select incident_id, min(arrive_at) as full_response_at
    from (
        select r.incident_id, r.arrive_at, rules.full_count,
            sum(coalesce(case rules.full_measure when 'staff' then r.staff_sent else r.vehicles_sent end, 1))
                over (partition by r.incident_id order by r.arrive_at, r.station_id
                      rows between unbounded preceding and current row) as force_on_scene
        from core.responses r cross join rules
        where r.arrive_at is not null
    )
    where force_on_scene >= full_count
    group by incident_id
),
timing as (
    select
        incident_id,
        min(call_at) as call_at,
        min(dispatch_at) as first_dispatch_at,
        min(depart_at) as first_depart_at,
        min(arrive_at) as first_arrive_at,
        max(clear_at) as cleared_at,
        count(*) as station_count,
        count(arrive_at) as arrived_station_count,
        sum(staff_sent) as staff_sent,
        sum(vehicles_sent) as vehicles_sent,
        bool_or(is_flagged) as has_flagged_response
    from core.responses
    group by incident_id
),
clocked as (
    select
        t.*, a.* exclude (incident_id),
        coalesce(c.clock_start_rule, rules.default_clock_start) as clock_start_rule,
        coalesce(g.target_s, rules.default_target_s) as target_s
    from timing t
    join incident_attrs a using (incident_id)
    cross join rules
    left join clock_rules c on c.channel = a.channel
    left join targets g on g.incident_type = a.incident_type
),
timed as (
    select *,
        case clock_start_rule when 'dispatched' then first_dispatch_at else call_at end as clock_start_at
    from clocked
),
incident as (  -- the per-incident facts (core.incidents)
    select
        t.incident_id, t.incident_type, t.channel, t.district, t.street, t.community, t.address,
        t.lon, t.lat, t.h3_r8,
        t.call_at, t.first_dispatch_at, t.first_depart_at, t.first_arrive_at, t.cleared_at,
        cast(epoch(t.first_arrive_at - t.clock_start_at) as integer) as response_s,
        cast(epoch(t.first_arrive_at - t.clock_start_at) as integer) <= t.target_s as is_within_target,
        f.station_id as first_station_id,
        t.station_count, t.arrived_station_count, t.staff_sent, t.vehicles_sent,
        t.has_flagged_response,
        -- how the clock ran, and the phases of the first-arriving response
        t.clock_start_rule, t.clock_start_at, t.target_s,
        case when f.arrive_at is not null then f.call_processing_s end as call_processing_s,
        case when f.arrive_at is not null then f.turnout_s end as turnout_s,
        case when f.arrive_at is not null then f.travel_s end as travel_s,
        cast(epoch(t.cleared_at - t.first_arrive_at) as integer) as on_scene_s,
        fr.full_response_at,
        cast(epoch(fr.full_response_at - t.clock_start_at) as integer) as full_response_s
    from timed t
    join first_response f using (incident_id)
    left join full_response fr using (incident_id)
),
limits as (
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
        list_sort(list(r.station_id)) as station_ids
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
from incident i
cross join limits l
left join per_response p using (incident_id)
left join core.stations s on s.station_id = i.first_station_id
order by i.call_at;


-- core.incidents: the per-incident facts, without what the pages add
create or replace view core.incidents as
select * exclude (first_station_type, call_date, week_start, call_hour, call_weekday, has_arrival,
                  first_station_name, has_long_turnout, has_long_travel, is_very_long_total,
                  has_response_without_arrival, station_ids)
from marts.incidents;

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
