-- title: 响应时间分布
-- title_en: Response-time distribution
-- description: Incidents with an arrival by alarm-to-first-arrival time in 30-second bins; the last bin (bin_start_s = 1200) holds everything from 20 minutes up.
-- grain: one row per 30-second bin
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
with bounds as (
    select coalesce(cast($end_date as date), (select as_of_date from data_as_of)) as end_date
),
period as (
    select coalesce(cast($start_date as date), end_date - 27) as start_date, end_date from bounds
),
picked as (
    select i.response_s from incidents i, period p
    where i.call_date between p.start_date and p.end_date
      and i.response_s is not null
      and (len($districts) = 0 or list_contains($districts, i.district))
      and (len($station_types) = 0 or list_contains($station_types, i.first_station_type))
)
select
    least(floor(response_s / 30) * 30, 1200)::integer as bin_start_s,
    count(*) as incidents,
    bool_and(response_s <= 300) as is_within_target
from picked
group by 1
order by 1
