-- title: 各区5分钟到场率
-- title_en: 5-minute arrival rate by district
-- description: Per district: incidents, arrivals, share within the target (300 s unless emss/response_rules.toml says otherwise), median and 90th percentile of clock start to first arrival.
-- grain: one row per district
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    district,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(*) filter (where is_within_target) as within_target,
    round(count(*) filter (where is_within_target) / nullif(count(response_s), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.5) as p50_response_s,
    quantile_cont(response_s, 0.9) as p90_response_s
from incidents_in($start_date, $end_date, $districts, $station_types)
group by district
order by within_target_rate, district
