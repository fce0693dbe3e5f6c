-- title: 站点每周出警与5分钟到场率
-- title_en: One station's responses and 5-minute rate per week
-- description: Per ISO week (Monday) in the period: the station's responses, arrivals, the share of its arrivals within the incident's target (5 minutes as shipped) of the clock start, and the 90th percentile of its response time.
-- description_zh: 统计期间内按 ISO 周（自周一起）：该站的出警次数、到场次数、其到场中自计时起点起在该警情到场目标内（系统默认设置为5分钟）到场的比例，以及其响应时间的90分位。
-- grain: one row per week with at least one response
-- grain_zh: 至少有一次出警的每周一行
-- param: station text       station_id (none: no rows)
-- param_zh: station 站点编号 station_id（不填：不返回任何行）
-- param: start_date date    first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date      last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
select
    cast(date_trunc('week', r.call_date) as date) as week_start,
    count(*) as responses,
    count(r.arrive_at) as arrived,
    count(*) filter (where r.total_s <= r.target_s) / nullif(count(r.arrive_at), 0) as within_target_rate,
    quantile_cont(r.total_s, 0.9) as p90_response_s
from responses_in($start_date, $end_date) r
where r.station_id = $station
group by week_start
order by week_start
