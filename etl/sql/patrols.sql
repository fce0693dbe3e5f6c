-- One patrol per source row: typed, with the text kept beside each parsed value.
create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(patrol_id), '') as patrol_id,
    nullif(trim(station_id), '') as station_id,
    parse_ts(start_at) as start_at, parse_ts(end_at) as end_at,
    nullif(trim(street), '') as street,
    nullif(trim(community), '') as community,
    to_code('place_type', place_type) as place_type,
    parse_int(places_visited) as places_visited,
    parse_int(staff_on_patrol) as staff_on_patrol,
    parse_int(hazards_found) as hazards_found,
    start_at as start_at_text, end_at as end_at_text,
    places_visited as places_visited_text, staff_on_patrol as staff_on_patrol_text,
    hazards_found as hazards_found_text,
    is_known('place_type', place_type) as categories_known,
    place_type as category_text
from stg;
