create or replace temp view parsed as
select
    row_id, source_row,
    parse_int(year) as year,
    to_code('station_type', station_type) as station_type,
    to_code('district', district) as district,
    parse_int(target_count) as target_count,
    year as year_text, target_count as target_count_text, station_type as station_type_text,
    is_known('station_type', station_type) and is_known('district', district) as categories_known
from stg;
