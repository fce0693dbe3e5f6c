-- One response row per source row: typed, with the text kept beside each parsed value.
create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(incident_id), '') as incident_id,
    nullif(trim(station_id), '') as station_id,
    to_code('incident_type', incident_type) as incident_type,
    to_code('channel', channel) as channel,
    to_code('district', district) as district,
    nullif(trim(street), '') as street,
    nullif(trim(community), '') as community,
    nullif(trim(address), '') as address,
    parse_num(lon) as lon_in, parse_num(lat) as lat_in, nullif(trim(crs), '') as crs,
    parse_ts(call_at) as call_at, parse_ts(dispatch_at) as dispatch_at, parse_ts(depart_at) as depart_at,
    parse_ts(arrive_at) as arrive_at, parse_ts(clear_at) as clear_at,
    parse_int(staff_sent) as staff_sent, parse_int(vehicles_sent) as vehicles_sent,
    -- text as delivered, for the rules
    call_at as call_at_text, dispatch_at as dispatch_at_text, depart_at as depart_at_text,
    arrive_at as arrive_at_text, clear_at as clear_at_text, lon as lon_text, lat as lat_text,
    is_known('incident_type', incident_type) and is_known('channel', channel)
        and is_known('district', district) as categories_known,
    incident_type as incident_type_text, channel as channel_text
from stg;
