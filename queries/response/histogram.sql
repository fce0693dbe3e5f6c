-- title: 响应时间分布
-- title_en: Response-time distribution
-- description: Incidents with an arrival by alarm-to-first-arrival time in 30-second bins; the last bin (bin_start_s = 1200) holds everything from 20 minutes up.
-- grain: one row per 30-second bin
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    least(floor(response_s / 30) * 30, 1200)::integer as bin_start_s,
    count(*) as incidents,
    bool_and(response_s <= 300) as is_within_target
from incidents_in($start_date, $end_date, $districts, $station_types)
where response_s is not null
group by 1
order by 1
