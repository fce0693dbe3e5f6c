-- One hazard per source row, as the register stood when exported: a later export of the same
-- hazard (rectified, or its deadline moved) revises it.
create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(hazard_id), '') as hazard_id,
    nullif(trim(station_id), '') as station_id,
    parse_date(found_on) as found_on,
    nullif(trim(place), '') as place,
    to_code('place_type', place_type) as place_type,
    nullif(trim(street), '') as street,
    nullif(trim(community), '') as community,
    to_code('hazard_type', hazard_type) as hazard_type,
    to_code('hazard_level', level) as level,
    parse_date(deadline_on) as deadline_on,
    parse_date(rectified_on) as rectified_on,
    to_code('hazard_status', status) as status,
    found_on as found_on_text, deadline_on as deadline_on_text, rectified_on as rectified_on_text,
    is_known('place_type', place_type) and is_known('hazard_type', hazard_type)
        and is_known('hazard_level', level) and is_known('hazard_status', status) as categories_known,
    -- the values the vocabulary does not know, for the flag's message
    concat_ws(', ', case when not is_known('place_type', place_type) then trim(place_type) end,
              case when not is_known('hazard_type', hazard_type) then trim(hazard_type) end,
              case when not is_known('hazard_level', level) then trim(level) end,
              case when not is_known('hazard_status', status) then trim(status) end) as category_text
from stg;
