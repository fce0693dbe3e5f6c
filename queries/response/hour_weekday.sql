-- title: 按星期与时段的5分钟到场率
-- title_en: 5-minute arrival rate by weekday and hour
-- description: Per weekday (1 = Monday … 7 = Sunday) and hour of the call (0–23): incidents, the share within the target with its count, median and 90th percentile of clock start to first arrival; cells with fewer timed incidents than the configured minimum are flagged `is_small_sample`.
-- description_zh: 按星期（1 = 周一 … 7 = 周日）和接警时段（0–23时）：警情数、目标内到场比例及其数量、计时起点至首个到场用时的中位数和90分位；有响应时间的警情少于设定最小样本的格子标记为 `is_small_sample`。
-- grain: one row per (call_weekday, call_hour) with at least one incident
-- grain_zh: 至少有一起警情的每个（call_weekday、call_hour）一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with cells as (
    select
        call_weekday, call_hour,
        count(*) as incidents,
        count(response_s) as timed,
        count(*) filter (where is_within_target) as within_target,
        quantile_cont(response_s, [0.5, 0.9]) as fractiles  -- both from one sort of the values
    from incidents_in($start_date, $end_date, $districts, $station_types)
    group by call_weekday, call_hour
)
select
    call_weekday, call_hour, incidents, timed, within_target,
    within_target / nullif(timed, 0) as within_target_rate,
    fractiles[1] as p50_response_s,
    fractiles[2] as p90_response_s,
    timed < (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
        as is_small_sample
from cells
order by call_weekday, call_hour
