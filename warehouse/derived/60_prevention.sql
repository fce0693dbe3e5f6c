-- Prevention (事前预防): analyst views over the patrol log, the hazard register, outreach and the
-- convenience desk, each row with its station's district and type; the residents the
-- per-10,000 figures divide by; and the standard. queries/prevention/ reads these. Views, not
-- tables: these registers are small beside the incidents, and a view is never stale.

create or replace view main.prevention_standard as select measure, key, value from meta.prevention_standard;

-- The census population of each district, from the city profile the warehouse was built with.
create or replace view main.district_population as
select district, population, coalesce(cast(len(streets) as integer), 0) as profile_streets
from meta.profile_districts;

-- The streets (街道) of each district: the profile's, and any other the station registry names.
-- The profile gives no population below the district, so a street's residents are estimated as an
-- equal share of its district's: per-10,000 figures by street compare streets of one district by
-- their counts, and streets of different districts by their district's density of people.
create or replace view main.streets as
with named as (
    select district, unnest(streets) as street from meta.profile_districts
    union
    select district, street_name(street) from core.stations where street_name(street) is not null and district is not null
),
counted as (select district, street, count(*) over (partition by district) as streets_in_district from named)
select c.district, c.street, p.population / c.streets_in_district as residents_estimated
from counted c left join main.district_population p using (district);

-- Each station with its street named (street_name()) before the registers below join it, for a row
-- without a street of its own: named after the join, it cost a regular expression per register row
-- (25 of the 30 ms a read of the patrols view took at 189 k patrols).
create or replace macro main.station_street() as table
    select *, street_name(street) as station_street from core.stations;

create or replace view main.patrols as
select
    p.patrol_id, p.station_id, s.station_name, s.station_type, s.district, s.is_forest,
    coalesce(street_name(p.street), s.station_street) as street, p.community, p.place_type,
    p.start_at, p.end_at, cast(p.start_at as date) as patrol_date,
    non_negative_s(p.end_at - p.start_at) as duration_s,
    p.places_visited, p.staff_on_patrol, p.hazards_found, p.is_flagged
from core.patrols p left join main.station_street() s using (station_id);

-- due_on: the register's deadline, else the standard's days for the level (emss/standard.toml
-- [prevention.rectify_days]). A hazard the register calls rectified without a date counts as
-- rectified, but neither on time nor late.
create or replace view main.hazards as
with days as (select key as level, cast(value as integer) as rectify_days from meta.prevention_standard
              where measure = 'rectify_days')
select
    h.hazard_id, h.station_id, s.station_name, s.station_type, s.district,
    coalesce(street_name(h.street), s.station_street) as street, h.community, h.place, h.place_type,
    h.hazard_type, h.level, h.found_on, h.deadline_on,
    coalesce(h.deadline_on, h.found_on + d.rectify_days) as due_on,
    h.rectified_on, h.status, h.status = 'rectified' as is_rectified,
    h.rectified_on <= coalesce(h.deadline_on, h.found_on + d.rectify_days) as is_on_time,
    h.is_flagged
from core.hazards h left join main.station_street() s using (station_id) left join days d using (level);

-- Open on a day: found by then, not rectified by then (a rectified hazard without a date is not open).
create or replace macro main.hazard_open_on(found_on, rectified_on, status, day) as
    found_on <= day and (rectified_on > day or (rectified_on is null and status <> 'rectified'));

-- is_public: an event for residents (door-to-door, community/school/workplace events, drills),
-- whose participants are people reached; team training counts the station's own staff.
create or replace view main.outreach_events as
select
    e.event_id, e.station_id, s.station_name, s.station_type, s.district, s.is_forest, s.staff_count,
    coalesce(street_name(e.street), s.station_street) as street, e.community,
    e.held_on, e.kind, e.discipline, e.participants, e.hours,
    e.kind in ('door_to_door', 'community_event', 'drill') as is_public, e.is_flagged
from core.outreach_events e left join main.station_street() s using (station_id);

create or replace view main.desk_services as
select
    d.station_id, s.station_name, s.station_type, s.district, s.station_street as street,
    d.served_at, cast(d.served_at as date) as served_on, d.service, d.service_count, d.is_flagged
from core.desk_services d left join main.station_street() s using (station_id);
