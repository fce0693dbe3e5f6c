-- title: 5分钟到场率与响应时间分位数
-- title_en: 5-minute arrival rate and response-time fractiles
-- description: Incidents in the period, how many had an arrival, the share of incidents whose first station arrived within the target (300 s unless emss/response_rules.toml sets another per incident type) of the clock start, over incidents with a response time, and the median and 90th percentile of that time. Incidents without an arrival are counted, never treated as zero. `clock_start` names the clock-start rule(s) the incidents ran on (received = 接警时间, dispatched = 派警时间; per channel in `clock_start_by_channel`); the full_response columns time the full first response (the configured vehicles or staff on scene).
-- grain: one row
-- param: start_date date   first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param: end_date date     last call date (default: the data's as-of date)
-- param: districts text[]  district codes (default: all)
-- param: station_types text[]  first station's type codes (default: all)
with scope as (
    select * from incidents_in($start_date, $end_date, $districts, $station_types)
),
rules as (
    select
        max(value) filter (where rule = 'sample' and key = 'min_incidents')::integer as min_sample,
        max(value) filter (where rule = 'full_response' and key = 'measure') as full_response_measure,
        max(value) filter (where rule = 'full_response' and key = 'count')::integer as full_response_count
    from response_rules
)
select
    period_start($start_date, $end_date) as start_date,
    period_end($end_date) as end_date,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(*) - count(first_arrive_at) as without_arrival,
    count(*) filter (where is_within_target) as within_target,
    round(count(*) filter (where is_within_target) / nullif(count(response_s), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.5) as p50_response_s,
    quantile_cont(response_s, 0.9) as p90_response_s,
    -- how the figures above were measured
    count(response_s) as timed,
    count(first_arrive_at) - count(response_s) as without_clock_start,
    case when min(target_s) = max(target_s) then min(target_s) end as target_s,
    coalesce(string_agg(distinct clock_start_rule, ', ' order by clock_start_rule), '') as clock_start,
    coalesce(string_agg(distinct channel || ': ' || clock_start_rule, '; ' order by channel || ': ' || clock_start_rule), '')
        as clock_start_by_channel,
    any_value(rules.min_sample) as min_sample,
    count(response_s) < any_value(rules.min_sample) as is_small_sample,
    -- the full first response
    any_value(rules.full_response_measure) as full_response_measure,
    any_value(rules.full_response_count) as full_response_count,
    count(full_response_s) as full_response_assembled,
    quantile_cont(full_response_s, 0.5) as p50_full_response_s,
    quantile_cont(full_response_s, 0.9) as p90_full_response_s,
    count(*) filter (where full_response_s <= target_s) as full_response_within_target
from scope cross join rules
