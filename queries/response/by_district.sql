-- title: 各区5分钟到场率
-- title_en: 5-minute arrival rate by district
-- description: Per district: incidents, arrivals, share within the target (300 s unless emss/response_rules.toml says otherwise), median and 90th percentile of clock start to first arrival.
-- description_zh: 按行政区：警情数、到场数、目标内到场比例（目标为300秒，除非 emss/response_rules.toml 另有设定），以及计时起点至首个到场用时的中位数和90分位。
-- grain: one row per district
-- grain_zh: 每个行政区一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with districts as (
    select
        district,
        count(*) as incidents,
        count(first_arrive_at) as arrived,
        count(*) filter (where is_within_target) as within_target,
        count(response_s) as timed,
        quantile_cont(response_s, [0.5, 0.9]) as fractiles  -- both from one sort of the values
    from incidents_in($start_date, $end_date, $districts, $station_types)
    group by district
)
select
    district, incidents, arrived, within_target,
    within_target / nullif(timed, 0) as within_target_rate,
    fractiles[1] as p50_response_s,
    fractiles[2] as p90_response_s
from districts
order by within_target_rate, district
