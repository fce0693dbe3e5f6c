-- title: 站点响应排名
-- title_en: Station league table
-- description: Every station with a response in the period. Its incidents are those it reached first (else was dispatched to first), as everywhere incidents are split by station: their count, the share within the target with its count, median and 90th percentile of clock start to first arrival. From all its own responses: how many, the 90th percentile of its turnout and travel, busy time (sum of dispatched -> cleared, seconds) and how many came while it was still out on an earlier one (dispatched before that one was cleared). Stations with fewer timed incidents than the configured minimum are flagged and sorted last; the others worst rate first.
-- grain: one row per station
-- param: start_date date
-- param: end_date date
-- param: districts text[]  district of the incident (default: all)
-- param: station_types text[]  the station's type (default: all)
with attributed as (
    select
        first_station_id as station_id,
        count(*) as incidents,
        count(response_s) as timed,
        count(*) filter (where is_within_target) as within_target,
        round(count(*) filter (where is_within_target) / nullif(count(response_s), 0), 4) as within_target_rate,
        quantile_cont(response_s, 0.5) as p50_response_s,
        quantile_cont(response_s, 0.9) as p90_response_s
    from incidents_in($start_date, $end_date, $districts, $station_types)
    group by first_station_id
),
own as (
    select
        station_id,
        count(*) as responses,
        count(arrive_at) as arrivals,
        quantile_cont(turnout_s, 0.5) as p50_turnout_s,
        quantile_cont(turnout_s, 0.9) as p90_turnout_s,
        quantile_cont(travel_s, 0.5) as p50_travel_s,
        quantile_cont(travel_s, 0.9) as p90_travel_s,
        coalesce(sum(busy_s), 0) as busy_s,
        count(*) filter (where is_concurrent) as concurrent_responses
    from responses
    where call_date between period_start($start_date, $end_date) and period_end($end_date)
      and (len($districts) = 0 or list_contains($districts, district))
      and (len($station_types) = 0 or list_contains($station_types, station_type))
    group by station_id
)
select
    o.station_id, s.station_name, s.station_type, s.district,
    coalesce(a.incidents, 0) as incidents,
    coalesce(a.timed, 0) as timed,
    coalesce(a.within_target, 0) as within_target,
    a.within_target_rate, a.p50_response_s, a.p90_response_s,
    o.responses, o.arrivals, o.p50_turnout_s, o.p90_turnout_s, o.p50_travel_s, o.p90_travel_s,
    o.busy_s, o.concurrent_responses,
    round(o.concurrent_responses / o.responses, 4) as concurrent_share,
    coalesce(a.timed, 0) < (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
        as is_small_sample
from own o
left join attributed a using (station_id)
left join stations s using (station_id)
order by is_small_sample, a.within_target_rate nulls last, a.p90_response_s desc nulls last, o.station_id
