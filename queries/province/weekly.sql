-- title: 各城市5分钟到场率周趋势
-- title_en: Each city's 5-minute rate, week by week
-- description: One row per city and week (weeks start on Monday) over the last `weeks` complete and current weeks up to each city's as-of date: incidents, the timed ones, the share of timed incidents whose first station arrived within its target, and the median response time. Weeks with no incident are left out.
-- description_zh: 每个城市每周一行（周一为一周之始），为截至各城市数据日期的最近 `weeks` 周：警情数、有响应时间的警情数、其中首个站点在到场目标内到场的比例，以及响应时间中位数。没有警情的周不列出。
-- grain: one row per (city, week_start)
-- grain_zh: 每个城市每周一行
-- param: weeks int  how many weeks back from each city's as-of date (default 12)
-- param_zh: weeks 自各城市数据截至日期向前的周数（默认12）
with bounds as (
    select city, name_zh, name_en, as_of_date,
        cast(date_trunc('week', as_of_date) as date) - 7 * (coalesce($weeks, 12) - 1) as first_week
    from province.cities
)
select
    b.city, b.name_zh, b.name_en, i.week_start,
    count(*) as incidents,
    count(i.response_s) as timed,
    count(*) filter (where i.is_within_target) / nullif(count(i.response_s), 0) as within_target_rate,
    quantile_cont(i.response_s, 0.5) as p50_response_s
from bounds b
join province.incidents i on i.city = b.city and i.week_start >= b.first_week and i.call_date <= b.as_of_date
group by b.city, b.name_zh, b.name_en, i.week_start
order by b.city, i.week_start
