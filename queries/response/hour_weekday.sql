-- title: 按星期与时段的5分钟到场率
-- title_en: 5-minute arrival rate by weekday and hour
-- description: Per weekday (1 = Monday … 7 = Sunday) and hour of the call (0–23): incidents, the share within the target with its count, median and 90th percentile of clock start to first arrival; cells with fewer timed incidents than the configured minimum are flagged `is_small_sample`.
-- grain: one row per (call_weekday, call_hour) with at least one incident
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    call_weekday, call_hour,
    count(*) as incidents,
    count(response_s) as timed,
    count(*) filter (where is_within_target) as within_target,
    round(count(*) filter (where is_within_target) / nullif(count(response_s), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.5) as p50_response_s,
    quantile_cont(response_s, 0.9) as p90_response_s,
    count(response_s) < (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
        as is_small_sample
from incidents_in($start_date, $end_date, $districts, $station_types)
group by call_weekday, call_hour
order by call_weekday, call_hour
