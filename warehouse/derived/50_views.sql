-- The documented analyst views: the stable surface for the SQL box, notebooks,
-- exports and named queries. Columns here are a contract (see warehouse/README.md).

create or replace view main.stations as
select
    station_id, station_name, station_type, district, street, community, host_venue,
    lat, lon, opened_on, closed_on, duty_mode, is_24h,
    staff_count, captain_count, vice_captain_count, communicator_count, safety_officer_count,
    vehicle_count, is_forest
from core.stations;

-- main.incidents of a range of call months (null: no bound): the view, and each period's read of it
-- (incidents_in below), which then lists only its months' files (warehouse/partitions.py).
create or replace macro main.incidents_of_months(first_month, last_month) as table
select
    incident_id, incident_type, channel, district, street, community, address, lat, lon, h3_r8,
    call_at, first_dispatch_at, first_depart_at, first_arrive_at, cleared_at,
    response_s, is_within_target, first_station_id, first_station_type,
    station_count, arrived_station_count, staff_sent, vehicles_sent, has_flagged_response,
    call_date, week_start, call_month, call_hour, call_weekday,
    -- the clock (emss/response_rules.toml) and the first-arriving response's phases
    clock_start_rule, clock_start_at, target_s, call_processing_s, turnout_s, travel_s, on_scene_s,
    full_response_at, full_response_s, first_station_name, station_ids,
    has_long_turnout, has_long_travel, is_very_long_total, has_response_without_arrival
from marts.incidents_months(first_month, last_month);

create or replace view main.incidents as select * from main.incidents_of_months(null, null);

-- main.responses of a range of call months (null: no bound), as main.incidents above
create or replace macro main.responses_of_months(first_month, last_month) as table
select
    incident_id, station_id, incident_type, channel, district,
    call_at, dispatch_at, depart_at, arrive_at, clear_at,
    call_processing_s, turnout_s, travel_s, response_s, on_scene_s,
    staff_sent, vehicles_sent, lat, lon, is_flagged,
    station_name, station_type, call_date, clock_start_rule, clock_start_at, target_s,
    total_s, busy_s, arrival_rank, is_first_arrival, is_concurrent, is_long_turnout, is_long_travel,
    station_lat, station_lon
from marts.responses_months(first_month, last_month);

create or replace view main.responses as select * from main.responses_of_months(null, null);

create or replace view main.inventory as
select
    c.station_id, c.item, c.item_category as category, c.quantity, c.required_quantity, c.unit,
    c.expires_on, c.status, c.counted_on,
    c.counted_on = max(c.counted_on) over (partition by c.station_id) as is_latest
from core.inventory_counts c;

create or replace view main.station_daily as
select call_date, station_id, district, first_station_type, incidents, timed, within_target from marts.station_daily;

-- per day, district, first station type, incident type and channel: every incident counted once,
-- so what counts over all of history (the data's date range, the values a filter offers) reads it
create or replace view main.incident_daily as
select call_date, district, first_station_type, incident_type, channel, incidents, arrived, timed, within_target
from marts.incident_daily;

-- per day, district, street (街道, as street_name() names it) and incident type: the incidents, so what
-- counts by street over all of history (a quarter's fires, street by street) reads it
create or replace view main.street_daily as
select call_date, district, street, incident_type, incidents from marts.street_daily;

create or replace view main.station_targets as
select year, station_type, district, target_count from core.station_targets;

create or replace view main.station_readiness as select * from marts.station_readiness;

create or replace view main.batches as select * from meta.batches;
create or replace view main.rejects as select * from meta.rejects;
create or replace view main.labels as select * from meta.labels;
create or replace view main.data_as_of as select * from meta.as_of;

-- The period and filters every incident KPI shares, defined once. Null dates mean the default
-- period: the days emss/response_rules.toml [period] names (28), ending at the data's as-of date;
-- empty lists mean "all".
create or replace macro main.period_end(end_date) as
    coalesce(cast(end_date as date), main.as_of_date());
create or replace macro main.period_start(start_date, end_date) as
    coalesce(cast(start_date as date), main.period_end(end_date) - (main.default_period_days() - 1));
-- The period a period is compared with: as many days, ending the day before it starts.
create or replace macro main.previous_period_start(start_date, end_date) as
    main.period_start(start_date, end_date)
        - cast(date_diff('day', main.period_start(start_date, end_date), main.period_end(end_date)) + 1 as integer);
-- A year's figures (a fit, a median over the seasons) default to the 365 days ending at the period's end.
create or replace macro main.year_start(start_date, end_date) as
    coalesce(cast(start_date as date), main.period_end(end_date) - 364);
create or replace macro main.incidents_in(start_date, end_date, districts, station_types) as table
    -- only the period's months are listed: their files are the only ones read (warehouse/partitions.py)
    select * from main.incidents_of_months(strftime(main.period_start(start_date, end_date), '%Y-%m'),
                                           strftime(main.period_end(end_date), '%Y-%m'))
    where call_date between main.period_start(start_date, end_date) and main.period_end(end_date)
      and (len(districts) = 0 or list_contains(districts, district))
      and (len(station_types) = 0 or list_contains(station_types, first_station_type));

-- The responses to the incidents of a period (as incidents_in: null dates, the default period),
-- read from the period's months' files only.
create or replace macro main.responses_in(start_date, end_date) as table
    select * from main.responses_of_months(strftime(main.period_start(start_date, end_date), '%Y-%m'),
                                           strftime(main.period_end(end_date), '%Y-%m'))
    where call_date between main.period_start(start_date, end_date) and main.period_end(end_date);

-- Each station's median turnout (dispatched -> departed) and the number of turnouts measured, over the
-- responses to the incidents called from first_day to last_day (dates), with the city's median over
-- all of them on every row; a row of no station (station_id null) carries the city's median when no
-- station has one. The coverage page's model (queries/coverage/stations.sql) reads it for a year.
create or replace macro main.station_turnouts(first_day, last_day) as table
with turnouts as (
    select r.station_id, r.turnout_s
    from main.responses_of_months(strftime(first_day, '%Y-%m'), strftime(last_day, '%Y-%m')) r
    where r.call_date between first_day and last_day and r.turnout_s >= 0
),
per_station as (
    select station_id, quantile_cont(turnout_s, 0.5) as turnout_p50_s, count(*) as turnout_n
    from turnouts
    group by station_id
),
-- the city's median from how many turnouts took each whole second (a few hundred rows, not a second
-- sort of the period's turnouts): the mean of the values at the middle positions, (n - 1) / 2 and
-- n / 2 counted from 0, as quantile_cont(turnout_s, 0.5) interpolates
by_second as (
    select turnout_s, count(*) as n from turnouts group by turnout_s
),
running as (
    select turnout_s, sum(n) over (order by turnout_s) as up_to, sum(n) over () as total from by_second
),
city as (
    select (min(turnout_s) filter (where up_to > (total - 1) / 2) + min(turnout_s) filter (where up_to > total / 2)) / 2
        as city_turnout_p50_s
    from running
)
select t.station_id, t.turnout_p50_s, t.turnout_n, c.city_turnout_p50_s
from city c
left join per_station t on true;

-- The stations in service on the data's as-of date within the chosen districts and types
-- (empty lists: all): the scope every station and inventory figure of "today" shares.
create or replace macro main.stations_in_scope(districts, station_types) as table
    select s.* from main.stations s, main.data_as_of a
    where main.in_service_on(s.opened_on, s.closed_on, a.as_of_date)
      and (len(districts) = 0 or list_contains(districts, s.district))
      and (len(station_types) = 0 or list_contains(station_types, s.station_type));
