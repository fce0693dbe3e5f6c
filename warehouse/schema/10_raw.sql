-- raw: every delivered row, under canonical column names, as text, exactly as read.
-- Columns a file had that the vocabulary does not know are kept in `extra`.
-- Caller names and phone numbers are dropped before this layer and never stored.
create schema if not exists raw;

-- grain: one row per source row of an incident export (one row per responding station)
create table if not exists raw.incident_rows (
    batch_id integer not null, source_row integer not null,
    incident_id varchar, incident_type varchar, channel varchar,
    district varchar, street varchar, community varchar, address varchar,
    lon varchar, lat varchar, crs varchar,
    call_at varchar, dispatch_at varchar, depart_at varchar, arrive_at varchar, clear_at varchar,
    station_id varchar, station_name varchar, staff_sent varchar, vehicles_sent varchar,
    extra json
);

-- grain: one row per source row of a station registry export
create table if not exists raw.station_rows (
    batch_id integer not null, source_row integer not null,
    station_id varchar, station_name varchar, station_type varchar,
    district varchar, street varchar, community varchar, host_venue varchar,
    lon varchar, lat varchar, crs varchar,
    opened_on varchar, closed_on varchar, duty_mode varchar,
    staff_count varchar, captain_count varchar, vice_captain_count varchar,
    communicator_count varchar, safety_officer_count varchar,
    vehicle_count varchar, is_forest varchar,
    extra json
);

-- grain: one row per source row of an inventory count export
create table if not exists raw.inventory_rows (
    batch_id integer not null, source_row integer not null,
    station_id varchar, item varchar, item_category varchar,
    quantity varchar, required_quantity varchar, unit varchar,
    expires_on varchar, status varchar, counted_on varchar,
    extra json
);

-- grain: one row per source row of a build-target export
create table if not exists raw.target_rows (
    batch_id integer not null, source_row integer not null,
    year varchar, station_type varchar, district varchar, target_count varchar,
    extra json
);
