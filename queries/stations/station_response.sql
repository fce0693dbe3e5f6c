-- title: 站点出警与响应
-- title_en: One station's responses and response times
-- description: The incidents the station responded to in the period (call date), per week, how many it reached, how often it was first on scene, and its own response time (the incident's clock start, per emss/response_rules.toml → this station arrived): the share within the incident's target (5 minutes as shipped) over its arrivals, the median and the 90th percentile. Responses without an arrival are counted, never treated as zero.
-- description_zh: 该站在统计期间内（按接警日期）出警的警情数及平均每周出警数、到场次数、首个到场次数，以及本站自身的响应时间（自该警情的计时起点——按 emss/response_rules.toml 确定——至本站到场）：在本站到场的出警中于该警情到场目标内（系统默认设置为5分钟）到场的比例、中位数和90分位。没有到场的出警计入出警数，绝不按0计算。
-- grain: one row
-- grain_zh: 一行
-- param: station text       station_id (none: nothing counted)
-- param_zh: station 站点编号 station_id（不填：不计入任何出警）
-- param: start_date date    first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date      last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
with period as (
    select period_start($start_date, $end_date) as start_date, period_end($end_date) as end_date
),
mine as (
    select r.*
    from responses_in($start_date, $end_date) r
    where r.station_id = $station
)
select
    p.start_date, p.end_date,
    count(m.incident_id) as responses,
    round(count(m.incident_id) / ((date_diff('day', p.start_date, p.end_date) + 1) / 7.0), 2) as responses_per_week,
    count(m.arrive_at) as arrived,
    count(m.incident_id) - count(m.arrive_at) as without_arrival,
    count(m.incident_id) filter (where m.is_first_arrival) as first_on_scene,
    count(m.incident_id) filter (where m.total_s <= m.target_s) as within_target,
    count(m.incident_id) filter (where m.total_s <= m.target_s) / nullif(count(m.arrive_at), 0) as within_target_rate,
    quantile_cont(m.total_s, 0.5) as p50_response_s,
    quantile_cont(m.total_s, 0.9) as p90_response_s
from period p left join mine m on true
group by p.start_date, p.end_date
