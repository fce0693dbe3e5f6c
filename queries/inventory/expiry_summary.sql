-- title: 物资有效期概况
-- title_en: Expiry at a glance
-- description: Over the latest count of each station in service that hold stock: lines (and stations) already expired on the data's as-of date, expiring within 30 days, and within 90 days (the windows include the as-of date and exclude what has already expired).
-- grain: one row
-- param: districts text[]
-- param: station_types text[]
with lines as (
    select l.*
    from inventory_latest l
    join stations_in_scope($districts, $station_types) s using (station_id)
    where l.quantity > 0 and l.expires_on is not null
)
select
    (select as_of_date from data_as_of) as as_of_date,
    count(*) filter (where days_to_expiry < 0) as expired_lines,
    count(distinct station_id) filter (where days_to_expiry < 0) as expired_stations,
    count(*) filter (where days_to_expiry between 0 and 30) as within_30_lines,
    count(distinct station_id) filter (where days_to_expiry between 0 and 30) as within_30_stations,
    count(*) filter (where days_to_expiry between 0 and 90) as within_90_lines,
    count(distinct station_id) filter (where days_to_expiry between 0 and 90) as within_90_stations,
    count(*) as dated_lines
from lines
