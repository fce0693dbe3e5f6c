-- title: 物资有效期概况
-- title_en: Expiry at a glance
-- description: Over the lines that hold stock in the latest count of each station in service: lines (and stations) already expired on the data's as-of date, expiring within 30 days, and within 90 days (the windows include the as-of date and exclude what has already expired).
-- description_zh: 按各在役站点最近一次盘点中有库存的物资行统计：在数据截至日期已过期的物资行数（及涉及的站点数）、30天内到期的，以及90天内到期的（窗口期含数据截至日期当天，不含已过期的）。
-- grain: one row
-- grain_zh: 一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
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
