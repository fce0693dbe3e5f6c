-- core: clean, typed facts and dimensions. Coordinates WGS-84; timestamps local
-- time (Asia/Shanghai) without zone; durations in seconds. Later batches revise
-- earlier ones key by key; the raw layer keeps every version as delivered.
create schema if not exists core;

-- grain: one row per station_id
create table if not exists core.stations (
    station_id varchar primary key,
    station_name varchar, station_type varchar, district varchar, street varchar,
    community varchar, host_venue varchar,
    lon double, lat double,
    opened_on date, closed_on date, duty_mode varchar, is_24h boolean,
    staff_count integer, captain_count integer, vice_captain_count integer,
    communicator_count integer, safety_officer_count integer,
    vehicle_count integer, is_forest boolean,
    batch_id integer not null, source_row integer not null
);

-- grain: one row per (incident_id, station_id): one station's response to one incident
create table if not exists core.responses (
    incident_id varchar not null, station_id varchar not null,
    incident_type varchar, channel varchar, district varchar, street varchar,
    community varchar, address varchar, lon double, lat double,
    h3_r8 varchar,              -- H3 cell (resolution 8, ~0.7 km2) of the incident position
    call_at timestamp not null, dispatch_at timestamp, depart_at timestamp,
    arrive_at timestamp, clear_at timestamp,
    staff_sent integer, vehicles_sent integer,
    call_processing_s integer,  -- received -> dispatched
    turnout_s integer,          -- dispatched -> departed
    travel_s integer,           -- departed -> arrived
    response_s integer,         -- received -> this station arrived
    on_scene_s integer,         -- arrived -> cleared
    is_flagged boolean not null default false,
    batch_id integer not null, source_row integer not null
    -- unique per (incident_id, station_id) by the load's upsert (checked in tests/test_warehouse.py);
    -- no primary-key index, whose upkeep cost every load and 17 % more file (572 -> 487 MB at 1 M)
);

-- grain: one row per (station_id, counted_on, item): one line of one inventory count
create table if not exists core.inventory_counts (
    station_id varchar not null, counted_on date not null, item varchar not null,
    item_category varchar, quantity double, required_quantity double, unit varchar,
    expires_on date, status varchar,
    batch_id integer not null, source_row integer not null,
    primary key (station_id, counted_on, item)
);

-- grain: one row per (year, station_type, district); district null = city-wide target.
-- target_count is the number of stations of that type to be built (opened) in that year.
create table if not exists core.station_targets (
    year integer not null, station_type varchar not null, district varchar,
    target_count integer not null,
    batch_id integer not null, source_row integer not null
);
