-- title: 每周5分钟到场率趋势
-- title_en: Weekly 5-minute arrival rate
-- description: Per ISO week (Monday start): incidents, share within the target (300 s unless emss/response_rules.toml says otherwise), median and 90th percentile; weeks cut by the period's edges are partial.
-- grain: one row per week
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    week_start,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    round(count(*) filter (where is_within_target) / nullif(count(response_s), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.9) as p90_response_s,
    count(*) filter (where is_within_target) as within_target,
    count(response_s) as timed,
    quantile_cont(response_s, 0.5) as p50_response_s,
    count(response_s) < (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
        as is_small_sample
from incidents_in($start_date, $end_date, $districts, $station_types)
group by week_start
order by week_start
