-- core, prevention (事前预防): clean, typed facts of the work stations do before incidents.
-- Dates and times local; codes as in meta.labels (place_type, hazard_type, hazard_level,
-- hazard_status, outreach_kind, discipline, desk_service); text not in the vocabulary kept as
-- written (and its row flagged). Later batches revise earlier ones key by key.

-- grain: one row per patrol_id: one patrol of a station's safety-patrol group (安全巡查组)
create table if not exists core.patrols (
    patrol_id varchar primary key,
    station_id varchar not null,
    start_at timestamp not null, end_at timestamp,
    street varchar, community varchar, place_type varchar,
    places_visited integer,    -- places (shops, homes, sites) checked on the patrol
    staff_on_patrol integer,
    hazards_found integer,
    is_flagged boolean not null default false,
    batch_id integer not null, source_row integer not null
);

-- grain: one row per hazard_id, as the latest export that names it says (found, deadline, rectified)
create table if not exists core.hazards (
    hazard_id varchar primary key,
    station_id varchar not null,
    found_on date not null,
    place varchar, place_type varchar, street varchar, community varchar,
    hazard_type varchar, level varchar,
    deadline_on date, rectified_on date,
    status varchar not null,   -- rectified (a date, or the register says so) | open
    is_flagged boolean not null default false,
    batch_id integer not null, source_row integer not null
);

-- grain: one row per event_id: an outreach event, drill or training class
create table if not exists core.outreach_events (
    event_id varchar primary key,
    station_id varchar not null,
    held_on date not null,
    kind varchar, discipline varchar, street varchar, community varchar,
    participants integer,      -- people reached (residents), or staff trained
    hours double,
    is_flagged boolean not null default false,
    batch_id integer not null, source_row integer not null
);

-- grain: one row per (station_id, served_at, service): a line of a station's convenience-desk register
create table if not exists core.desk_services (
    station_id varchar not null,
    served_at timestamp not null,
    service varchar not null,
    service_count integer not null,
    is_flagged boolean not null default false,
    batch_id integer not null, source_row integer not null,
    primary key (station_id, served_at, service)
);
