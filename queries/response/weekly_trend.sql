-- title: 每周5分钟到场率趋势
-- title_en: Weekly 5-minute arrival rate
-- description: Per ISO week (Monday start): incidents, share within 300 s and 90th percentile; weeks cut by the period's edges are partial.
-- grain: one row per week
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
with bounds as (
    select coalesce(cast($end_date as date), (select as_of_date from data_as_of)) as end_date
),
period as (
    select coalesce(cast($start_date as date), end_date - 27) as start_date, end_date from bounds
),
picked as (
    select i.* from incidents i, period p
    where i.call_date between p.start_date and p.end_date
      and (len($districts) = 0 or list_contains($districts, i.district))
      and (len($station_types) = 0 or list_contains($station_types, i.first_station_type))
)
select
    week_start,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    round(count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.9) as p90_response_s
from picked
group by week_start
order by week_start
