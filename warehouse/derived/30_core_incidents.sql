-- core.incidents: one row per incident_id, derived from its responses.
-- The clock starts when the alarm is received (接警时间) for every channel; the
-- incident's first arrival is the earliest arrival over all its responding stations.
create or replace table core.incidents as
with ordered as (
    select *,
        row_number() over (partition by incident_id order by batch_id desc, source_row) as pick
    from core.responses
),
incident_attrs as (  -- descriptive fields from the most recently delivered row
    select incident_id, incident_type, channel, district, street, community, address, lon, lat, h3_r8
    from ordered where pick = 1
),
timing as (
    select
        incident_id,
        min(call_at) as call_at,
        min(dispatch_at) as first_dispatch_at,
        min(depart_at) as first_depart_at,
        min(arrive_at) as first_arrive_at,
        max(clear_at) as cleared_at,
        arg_min(station_id, arrive_at) as first_station_id,
        arg_min(station_id, dispatch_at) as first_dispatched_station_id,
        count(*) as station_count,
        count(arrive_at) as arrived_station_count,
        sum(staff_sent) as staff_sent,
        sum(vehicles_sent) as vehicles_sent,
        bool_or(is_flagged) as has_flagged_response
    from core.responses
    group by incident_id
)
select
    t.incident_id, a.incident_type, a.channel, a.district, a.street, a.community, a.address,
    a.lon, a.lat, a.h3_r8,
    t.call_at, t.first_dispatch_at, t.first_depart_at, t.first_arrive_at, t.cleared_at,
    cast(epoch(t.first_arrive_at - t.call_at) as integer) as response_s,
    cast(epoch(t.first_arrive_at - t.call_at) as integer) <= 300 as is_within_target,
    coalesce(t.first_station_id, t.first_dispatched_station_id) as first_station_id,
    t.station_count, t.arrived_station_count, t.staff_sent, t.vehicles_sent,
    t.has_flagged_response
from timing t join incident_attrs a using (incident_id)
order by t.call_at;
