-- title: 每周5分钟到场率趋势
-- title_en: Weekly 5-minute arrival rate
-- description: Per ISO week (Monday start): incidents, share within 300 s and 90th percentile; weeks cut by the period's edges are partial.
-- grain: one row per week
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    week_start,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    round(count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.9) as p90_response_s
from incidents_in($start_date, $end_date, $districts, $station_types)
group by week_start
order by week_start
