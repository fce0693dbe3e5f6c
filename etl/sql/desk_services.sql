-- One line of the convenience desk's register per source row: a service, a time, how many times.
-- A register kept by the day gives a date; it is read as that day's midnight.
create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(station_id), '') as station_id,
    coalesce(parse_ts(served_at), cast(parse_date(served_at) as timestamp)) as served_at,
    to_code('desk_service', service) as service,
    coalesce(parse_int(service_count), case when blank(service_count) then 1 end) as service_count,
    served_at as served_at_text, service_count as service_count_text,
    is_known('desk_service', service) as categories_known,
    service as category_text
from stg;
