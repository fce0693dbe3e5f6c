-- raw, prevention (事前预防): every delivered row of the patrol, hazard, outreach and desk
-- exports, under canonical column names, as text, exactly as read; every version kept.

-- grain: one row per source row of a safety-patrol export (安全巡查记录)
create table if not exists raw.patrol_rows (
    batch_id integer not null, source_row integer not null,
    patrol_id varchar, station_id varchar, start_at varchar, end_at varchar,
    street varchar, community varchar, place_type varchar,
    places_visited varchar, staff_on_patrol varchar, hazards_found varchar,
    extra json
);

-- grain: one row per source row of a hazard-register export (隐患台账); a hazard appears again
-- in each later export, as it stood then
create table if not exists raw.hazard_rows (
    batch_id integer not null, source_row integer not null,
    hazard_id varchar, station_id varchar, found_on varchar, place varchar, place_type varchar,
    street varchar, community varchar, hazard_type varchar, level varchar,
    deadline_on varchar, rectified_on varchar, status varchar,
    extra json
);

-- grain: one row per source row of an outreach, training and drill export (宣传培训与演练)
create table if not exists raw.outreach_rows (
    batch_id integer not null, source_row integer not null,
    event_id varchar, station_id varchar, held_on varchar, kind varchar, discipline varchar,
    street varchar, community varchar, participants varchar, hours varchar,
    extra json
);

-- grain: one row per source row of a convenience-desk register (便民服务登记)
create table if not exists raw.desk_service_rows (
    batch_id integer not null, source_row integer not null,
    station_id varchar, served_at varchar, service varchar, service_count varchar,
    extra json
);
