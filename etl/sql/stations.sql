create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(station_id), '') as station_id,
    nullif(trim(station_name), '') as station_name,
    to_code('station_type', station_type) as station_type,
    to_code('district', district) as district,
    nullif(trim(street), '') as street,
    nullif(trim(community), '') as community,
    nullif(trim(host_venue), '') as host_venue,
    parse_num(lon) as lon_in, parse_num(lat) as lat_in, nullif(trim(crs), '') as crs,
    parse_date(opened_on) as opened_on, parse_date(closed_on) as closed_on,
    nullif(trim(duty_mode), '') as duty_mode,
    -- absent column = the registry does not say; a 24-hour mode is the standard's wording
    case when blank(duty_mode) then null else regexp_matches(duty_mode, '24|全天|24h|24小时') end as is_24h,
    parse_int(staff_count) as staff_count,
    parse_int(captain_count) as captain_count,
    parse_int(vice_captain_count) as vice_captain_count,
    parse_int(communicator_count) as communicator_count,
    parse_int(safety_officer_count) as safety_officer_count,
    parse_int(vehicle_count) as vehicle_count,
    coalesce(parse_bool(is_forest), false) as is_forest,
    opened_on as opened_on_text, closed_on as closed_on_text, lon as lon_text, lat as lat_text,
    staff_count as staff_count_text, vehicle_count as vehicle_count_text,
    is_known('station_type', station_type) and is_known('district', district) as categories_known,
    station_type as station_type_text
from stg;
