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
        max(value) filter (where rule = 'full_response' and key = 'count')::integer as full_count,
        max(value) filter (where rule = 'exceptions' and key = 'long_turnout_s')::integer as long_turnout_s,
        max(value) filter (where rule = 'exceptions' and key = 'long_travel_s')::integer as long_travel_s,
        max(value) filter (where rule = 'exceptions' and key = 'very_long_total_s')::integer as very_long_total_s
    from meta.response_rules
),
clock_rules as (
    select key as channel, value as clock_start_rule from meta.response_rules where rule = 'clock_start'
),
targets as (
    select key as incident_type, value::integer as target_s from meta.response_rules where rule = 'target_s'
),
-- Most incidents have one response: their row is that response's, with no grouping. Grouping every
-- response by incident (a hash table of a million wide groups) was most of this table's build.
several as (  -- the incidents answered by more than one station
    select incident_id from core.responses group by incident_id having count(*) > 1
),
per_incident as (
    -- one pass over the responses of the incidents with several, grouped by incident
    select
        r.incident_id,
        min(r.call_at) as call_at,
        min(r.dispatch_at) as first_dispatch_at,
        min(r.depart_at) as first_depart_at,
        min(r.arrive_at) as first_arrive_at,
        max(r.clear_at) as cleared_at,
        count(*) as station_count,
        count(r.arrive_at) as arrived_station_count,
        sum(r.staff_sent) as staff_sent,
        sum(r.vehicles_sent) as vehicles_sent,
        bool_or(r.is_flagged) as has_flagged_response,
        bool_or(r.turnout_s > rules.long_turnout_s) as has_long_turnout,
        bool_or(r.travel_s > rules.long_travel_s) as has_long_travel,
        bool_or(r.arrive_at is null) as has_response_without_arrival,
        list_sort(list(r.station_id)) as station_ids,
        -- descriptive fields from the most recently delivered row (latest batch, then first row)
        arg_max({'incident_type': r.incident_type, 'channel': r.channel, 'district': r.district,
                 'street': r.street, 'community': r.community, 'address': r.address,
                 'lon': r.lon, 'lat': r.lat, 'h3_r8': r.h3_r8},
                (r.batch_id, -r.source_row)) as attrs,
        -- the first response: the first to arrive (ties: earlier dispatch, then station id);
        -- with no arrival at all, the first dispatched
        arg_min({'station_id': r.station_id, 'arrive_at': r.arrive_at, 'call_processing_s': r.call_processing_s,
                 'turnout_s': r.turnout_s, 'travel_s': r.travel_s},
                (coalesce(r.arrive_at, timestamp '9999-12-31 23:59:59'), coalesce(r.dispatch_at, timestamp '9999-12-31 23:59:59'),
                 r.station_id)) as first
    from core.responses r cross join rules
    where r.incident_id in (select incident_id from several)
    group by r.incident_id
    union all
    -- the others: what each aggregate above gives over one response
    select
        r.incident_id, r.call_at, r.dispatch_at, r.depart_at, r.arrive_at, r.clear_at,
        cast(1 as bigint), cast(case when r.arrive_at is null then 0 else 1 end as bigint),
        r.staff_sent, r.vehicles_sent,
        r.is_flagged, r.turnout_s > rules.long_turnout_s, r.travel_s > rules.long_travel_s, r.arrive_at is null,
        [r.station_id],
        {'incident_type': r.incident_type, 'channel': r.channel, 'district': r.district,
         'street': r.street, 'community': r.community, 'address': r.address,
         'lon': r.lon, 'lat': r.lat, 'h3_r8': r.h3_r8},
        {'station_id': r.station_id, 'arrive_at': r.arrive_at, 'call_processing_s': r.call_processing_s,
         'turnout_s': r.turnout_s, 'travel_s': r.travel_s}
    from core.responses r cross join rules
    where r.incident_id not in (select incident_id from several)
),
full_response as (  -- when the stations on scene together first brought the configured force
    select incident_id, min(arrive_at) as full_response_at
    from (
        select r.incident_id, r.arrive_at, rules.full_count,
            sum(coalesce(case rules.full_measure when 'staff' then r.staff_sent else r.vehicles_sent end, 1))
                over (partition by r.incident_id order by r.arrive_at, r.station_id
                      rows between unbounded preceding and current row) as force_on_scene
        from core.responses r cross join rules
        where r.arrive_at is not null and r.incident_id in (select incident_id from several)
    )
    where force_on_scene >= full_count
    group by incident_id
    union all
    -- one response: its arrival, if it brought the force alone
    select r.incident_id, r.arrive_at
    from core.responses r cross join rules
    where r.arrive_at is not null and r.incident_id not in (select incident_id from several)
      and coalesce(case rules.full_measure when 'staff' then r.staff_sent else r.vehicles_sent end, 1) >= rules.full_count
),
timed as (
    select p.* exclude (attrs),
        p.attrs.incident_type, p.attrs.channel, p.attrs.district, p.attrs.street, p.attrs.community,
        p.attrs.address, p.attrs.lon, p.attrs.lat, p.attrs.h3_r8,
        p.first.station_id as first_station_id,
        coalesce(c.clock_start_rule, rules.default_clock_start) as clock_start_rule,
        coalesce(g.target_s, rules.default_target_s) as target_s,
        case coalesce(c.clock_start_rule, rules.default_clock_start)
            when 'dispatched' then p.first_dispatch_at else p.call_at end as clock_start_at,
        rules.very_long_total_s
    from per_incident p
    cross join rules
    left join clock_rules c on c.channel = p.attrs.channel
    left join targets g on g.incident_type = p.attrs.incident_type
)
select
    t.incident_id, t.incident_type, t.channel, t.district, t.street, t.community, t.address,
    t.lon, t.lat, t.h3_r8,
    t.call_at, t.first_dispatch_at, t.first_depart_at, t.first_arrive_at, t.cleared_at,
    non_negative_s(t.first_arrive_at - t.clock_start_at) as response_s,  -- a tolerated sub-minute inversion is 0
    cast(epoch(t.first_arrive_at - t.clock_start_at) as integer) <= t.target_s as is_within_target,
    t.first_station_id,
    t.station_count, t.arrived_station_count, t.staff_sent, t.vehicles_sent,
    t.has_flagged_response,
    -- how the clock ran, and the phases of the first-arriving response
    t.clock_start_rule, t.clock_start_at, t.target_s,
    case when t.first.arrive_at is not null then t.first.call_processing_s end as call_processing_s,
    case when t.first.arrive_at is not null then t.first.turnout_s end as turnout_s,
    case when t.first.arrive_at is not null then t.first.travel_s end as travel_s,
    cast(epoch(t.cleared_at - t.first_arrive_at) as integer) as on_scene_s,
    fr.full_response_at,
    non_negative_s(fr.full_response_at - t.clock_start_at) as full_response_s,
    -- what the pages add: the first station's type and name, calendar fields, exception flags
    s.station_type as first_station_type,
    cast(t.call_at as date) as call_date,
    cast(date_trunc('week', t.call_at) as date) as week_start,
    hour(t.call_at) as call_hour,
    isodow(t.call_at) as call_weekday,
    t.first_arrive_at is not null as has_arrival,
    s.station_name as first_station_name,
    coalesce(t.has_long_turnout, false) as has_long_turnout,
    coalesce(t.has_long_travel, false) as has_long_travel,
    coalesce(cast(epoch(t.first_arrive_at - t.clock_start_at) as integer) > t.very_long_total_s, false) as is_very_long_total,
    t.has_response_without_arrival,
    t.station_ids,
    -- last: the warehouse keeps it in its files' folder names only (warehouse/partitions.py)
    strftime(t.call_at, '%Y-%m') as call_month
from timed t
left join full_response fr using (incident_id)
left join core.stations s on s.station_id = t.first_station_id
order by t.call_at;

-- marts.incidents of a range of call months ('2026-10' to '2026-11'; null: no bound). Where the table
-- is kept as Parquet files by month, warehouse/partitions.py has defined it as the table was written,
-- listing only those months' files, so a period's query neither opens nor checks the rest of history;
-- elsewhere (a table in the file, another engine) it is this.
create macro if not exists marts.incidents_months(first_month, last_month) as table
    select * from marts.incidents
    where (first_month is null or call_month >= first_month) and (last_month is null or call_month <= last_month);

-- core.incidents: the per-incident facts, without what the pages add
create or replace view core.incidents as
select * exclude (first_station_type, call_date, week_start, call_month, call_hour, call_weekday, has_arrival,
                  first_station_name, has_long_turnout, has_long_travel, is_very_long_total,
                  has_response_without_arrival, station_ids)
from marts.incidents;

-- marts.incident_daily: one row per (call_date, district, first_station_type, incident_type, channel):
-- the incidents, how many had an arrival, how many were timed (a response time: an arrival after a
-- clock start) and how many arrived within the target. Counts over long stretches read it instead
-- of every incident: the data's range, the values a filter offers, a previous period's rates.
create or replace table marts.incident_daily as
select
    call_date, district, first_station_type, incident_type, channel,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(response_s) as timed,
    count(*) filter (where is_within_target) as within_target
from marts.incidents
group by all
order by call_date;

-- marts.station_daily: one row per (call_date, station, district, first_station_type): the incidents
-- of each day that a station reached first (else was dispatched to first), how many of them were
-- timed and how many arrived within the target, by the incident's district and the station's type.
-- A small table (stations x days) for figures that count over long stretches of history, such as how
-- far back a station league must reach for its sample (queries/response/league_period.sql), and for
-- rates counted by district, station type and station (queries/overview/worsening.sql): an incident
-- with no first station has no arrival, so it is never timed.
create or replace table marts.station_daily as
select
    call_date, first_station_id as station_id, district, first_station_type,
    count(*) as incidents,
    count(response_s) as timed,
    count(*) filter (where is_within_target) as within_target
from marts.incidents
where first_station_id is not null
group by all
order by call_date;

-- marts.street_daily: one row per (call_date, district, street, incident_type): the incidents of each
-- day in each street (街道, named as street_name() names it; null where the export gives none). A small
-- table for figures by street over all of history, such as the next quarter's fires of every quarter
-- since the first patrol (queries/prevention/payoff.sql), which would otherwise read every incident.
create or replace table marts.street_daily as
select
    call_date, district, main.street_name(street) as street, incident_type,
    count(*) as incidents
from marts.incidents
group by all
order by call_date;
