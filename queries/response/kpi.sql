-- title: 5分钟到场率与响应时间分位数
-- title_en: 5-minute arrival rate and response-time fractiles
-- description: Incidents in the period, how many had an arrival, the share of incidents whose first station arrived within 300 s of the alarm being received (over incidents with an arrival), and the median and 90th percentile of that time. Incidents without an arrival are counted, never treated as zero.
-- grain: one row
-- param: start_date date   first call date (default: 27 days before end_date)
-- param: end_date date     last call date (default: the data's as-of date)
-- param: districts text[]  district codes (default: all)
-- param: station_types text[]  first station's type codes (default: all)
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
    (select start_date from period) as start_date,
    (select end_date from period) as end_date,
    count(*) as incidents,
    count(first_arrive_at) as arrived,
    count(*) - count(first_arrive_at) as without_arrival,
    count(*) filter (where is_within_target) as within_target,
    round(count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0), 4) as within_target_rate,
    quantile_cont(response_s, 0.5) as p50_response_s,
    quantile_cont(response_s, 0.9) as p90_response_s
from picked
