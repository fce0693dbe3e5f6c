-- title: 响应时间分布
-- title_en: Response-time distribution
-- description: Incidents with a response time (clock start to first arrival, see response/rules) in 30-second bins; the last bin (bin_start_s = 1200) holds everything from 20 minutes up; is_within_target when every incident of the bin met its target.
-- grain: one row per 30-second bin
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    least(floor(response_s / 30) * 30, 1200)::integer as bin_start_s,
    count(*) as incidents,
    bool_and(is_within_target) as is_within_target
from incidents_in($start_date, $end_date, $districts, $station_types)
where response_s is not null
group by 1
order by 1
