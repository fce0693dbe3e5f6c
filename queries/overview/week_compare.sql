-- title: 本周与上周警情
-- title_en: This week against last week
-- description: Incidents, arrivals and the 5-minute rate in the ISO week (Monday–Sunday) holding end_date, and in the week before.
-- description_zh: end_date 所在 ISO 周（周一至周日）及其前一周的警情数、到场数和5分钟到场率。
-- grain: one row per week (this_week, last_week)
-- grain_zh: 每周一行（this_week 本周、last_week 上周）
-- param: end_date date
-- param_zh: end_date 用于确定本周的日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with bounds as (
    select coalesce(cast($end_date as date), (select as_of_date from data_as_of)) as end_date
),
weeks as (
    select 'this_week' as week, cast(date_trunc('week', end_date) as date) as week_start from bounds
    union all
    select 'last_week', cast(date_trunc('week', end_date) as date) - 7 from bounds
)
select
    w.week, w.week_start,
    count(i.incident_id) as incidents,
    count(i.first_arrive_at) as arrived,
    count(*) filter (where i.is_within_target) / nullif(count(i.first_arrive_at), 0) as within_target_rate
from weeks w
-- only the two weeks' months' files (the bounds spelled out: a table function takes no column)
left join incidents_of_months(strftime(cast(date_trunc('week', period_end($end_date)) as date) - 7, '%Y-%m'),
                              strftime(cast(date_trunc('week', period_end($end_date)) as date) + 6, '%Y-%m')) i
  on i.week_start = w.week_start
 and (len($districts) = 0 or list_contains($districts, i.district))
 and (len($station_types) = 0 or list_contains($station_types, i.first_station_type))
group by w.week, w.week_start
order by w.week_start desc
