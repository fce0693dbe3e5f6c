-- title: 5分钟到场率与响应时间分位数
-- title_en: 5-minute arrival rate and response-time fractiles
-- description: Incidents in the period, how many had an arrival, the share of incidents whose first station arrived within the target (300 s unless emss/response_rules.toml sets another per incident type) of the clock start, over incidents with a response time, and the median and 90th percentile of that time. Incidents without an arrival are counted, never treated as zero. `clock_start` names the clock-start rule(s) the incidents ran on (received = 接警时间, dispatched = 派警时间; per channel in `clock_start_by_channel`); the full_response columns time the full first response (the configured vehicles or staff on scene).
-- description_zh: 统计期间内的警情数、其中有到场的警情数，在有响应时间的警情中首个站点自计时起点起在到场目标内（300秒，除非 emss/response_rules.toml 按警情类型另行设定）到场的比例，以及该用时的中位数和90分位。没有到场的警情计入警情数，绝不按0计算。`clock_start` 列出这些警情所用的计时起点规则（received = 接警时间，dispatched = 派警时间；按渠道分列见 `clock_start_by_channel`）；full_response 各列为首批力量到齐的用时（设定数量的车辆或人员到场）。
-- grain: one row
-- grain_zh: 一行
-- param: start_date date   first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date     last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]  district codes (default: all)
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]  first station's type codes (default: all)
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with scope as (
    select * from incidents_in($start_date, $end_date, $districts, $station_types)
),
rules as (
    select
        max(value) filter (where rule = 'sample' and key = 'min_incidents')::integer as min_sample,
        max(value) filter (where rule = 'full_response' and key = 'measure') as full_response_measure,
        max(value) filter (where rule = 'full_response' and key = 'count')::integer as full_response_count
    from response_rules
),
clocks as (
    -- the clock-start rules the incidents ran on, per channel: a few rows, so their names are joined once
    select distinct channel, clock_start_rule from scope where clock_start_rule is not null
),
clock_names as (
    select
        string_agg(distinct clock_start_rule, ', ' order by clock_start_rule) as clock_start,
        string_agg(channel || ': ' || clock_start_rule, '; ' order by channel || ': ' || clock_start_rule)
            as clock_start_by_channel
    from clocks
),
fractiles as (
    -- both fractiles of a measure from one sort of its values
    select
        quantile_cont(response_s, [0.5, 0.9]) as response,
        quantile_cont(full_response_s, [0.5, 0.9]) as full_response
    from scope
)
select
    period_start($start_date, $end_date) as start_date,
    period_end($end_date) as end_date,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(*) - count(first_arrive_at) as without_arrival,
    count(*) filter (where is_within_target) as within_target,
    count(*) filter (where is_within_target) / nullif(count(response_s), 0) as within_target_rate,
    any_value(fractiles.response[1]) as p50_response_s,
    any_value(fractiles.response[2]) as p90_response_s,
    -- how the figures above were measured
    count(response_s) as timed,
    count(first_arrive_at) - count(response_s) as without_clock_start,
    case when min(target_s) = max(target_s) then min(target_s) end as target_s,
    coalesce(any_value(clock_names.clock_start), '') as clock_start,
    coalesce(any_value(clock_names.clock_start_by_channel), '') as clock_start_by_channel,
    any_value(rules.min_sample) as min_sample,
    count(response_s) < any_value(rules.min_sample) as is_small_sample,
    -- the full first response
    any_value(rules.full_response_measure) as full_response_measure,
    any_value(rules.full_response_count) as full_response_count,
    count(full_response_s) as full_response_assembled,
    any_value(fractiles.full_response[1]) as p50_full_response_s,
    any_value(fractiles.full_response[2]) as p90_full_response_s,
    count(*) filter (where full_response_s <= target_s) as full_response_within_target
from scope cross join rules cross join clock_names cross join fractiles
