-- title: 每周5分钟到场率趋势
-- title_en: Weekly 5-minute arrival rate
-- description: Per ISO week (Monday start): incidents, share within the target (300 s unless emss/response_rules.toml says otherwise), median and 90th percentile; weeks cut by the period's edges are partial.
-- description_zh: 按 ISO 周（自周一起）：警情数、目标内到场比例（目标为300秒，除非 emss/response_rules.toml 另有设定）、中位数和90分位；被统计期间起止日期截断的周为不完整周。
-- grain: one row per week
-- grain_zh: 每周一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with weeks as (
    select
        week_start,
        count(*) as incidents,
        count(first_arrive_at) as arrived,
        count(*) filter (where is_within_target) as within_target,
        count(response_s) as timed,
        quantile_cont(response_s, [0.5, 0.9]) as fractiles  -- both from one sort of the values
    from incidents_in($start_date, $end_date, $districts, $station_types)
    group by week_start
)
select
    week_start, incidents, arrived,
    within_target / nullif(timed, 0) as within_target_rate,
    fractiles[2] as p90_response_s,
    within_target, timed,
    fractiles[1] as p50_response_s,
    timed < (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
        as is_small_sample
from weeks
order by week_start
