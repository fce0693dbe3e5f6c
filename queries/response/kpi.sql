-- title: 5分钟到场率与响应时间分位数
-- title_en: 5-minute arrival rate and response-time fractiles
-- description: Incidents in the period, how many had an arrival, the share of incidents whose first station arrived within 300 s of the alarm being received (over incidents with an arrival), and the median and 90th percentile of that time. Incidents without an arrival are counted, never treated as zero.
-- grain: one row
-- param: start_date date   first call date (default: 27 days before end_date)
-- param: end_date date     last call date (default: the data's as-of date)
-- param: districts text[]  district codes (default: all)
-- param: station_types text[]  first station's type codes (default: all)
select
    period_start($start_date, $end_date) as start_date,
    period_end($end_date) as end_date,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(*) - count(first_arrive_at) as without_arrival,
    count(*) filter (where is_within_target) as within_target,
    round(count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.5) as p50_response_s,
    quantile_cont(response_s, 0.9) as p90_response_s
from incidents_in($start_date, $end_date, $districts, $station_types)
