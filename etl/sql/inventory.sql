create or replace temp view parsed as
select
    row_id, source_row,
    nullif(trim(station_id), '') as station_id,
    nullif(trim(item), '') as item,
    to_code('item_category', item_category) as item_category,
    parse_num(quantity) as quantity,
    parse_num(required_quantity) as required_quantity,
    nullif(trim(unit), '') as unit,
    parse_date(expires_on) as expires_on,
    to_code('item_status', status) as status,
    parse_date(counted_on) as counted_on,
    quantity as quantity_text, required_quantity as required_quantity_text,
    expires_on as expires_on_text, counted_on as counted_on_text,
    is_known('item_category', item_category) and is_known('item_status', status) as categories_known
from stg;
