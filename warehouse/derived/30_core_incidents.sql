-- core.incidents: one row per incident_id, derived from its responses.
-- The 5-minute clock starts as meta.response_rules says for the incident's alarm
-- channel (emss/response_rules.toml; as shipped: the alarm received, 接警时间, for
-- every channel). The incident's first arrival is the earliest arrival over all
-- its responding stations, and its phases are those of that first-arriving
-- response, so call processing + turnout + travel add up to received -> first arrival.
create or replace table core.incidents as
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
)
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
order by t.call_at;
