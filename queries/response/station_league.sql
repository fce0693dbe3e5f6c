-- title: 站点响应排名
-- title_en: Station league table
-- description: Every station with a response in the period. Its incidents are those it reached first (else was dispatched to first), as everywhere incidents are split by station: their count, the timed ones (the sample the rate is judged on), the share within the target with its count and its 95 % Wilson score interval (`within_target_low`, `within_target_high`), median and 90th percentile of clock start to first arrival. From all its own responses: how many, the 90th percentile of its turnout and travel, busy time (sum of dispatched -> cleared, seconds) and how many came while it was still out on an earlier one (dispatched before that one was cleared). Stations with fewer timed incidents than the configured minimum (emss/response_rules.toml [sample]) are flagged `is_small_sample`, have no `league_rank` and are sorted last. The others are ranked worst first by the upper bound of their interval (a station is placed high only when even the most favourable reading of its sample is poor; a small sample's wide interval never makes it look worst or best by chance), then by rate, then by 90th percentile.
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
-- The 95 % Wilson score interval of the within-target share, k of n timed incidents, z = 1.959964
-- (the 97.5th percentile of the standard normal): (p + z²/2n ± z·√(p(1-p)/n + z²/4n²)) / (1 + z²/n).
wilson as (
    select
        station_id,
        within_target / timed as p,
        timed as n,
        1.959963984540054 as z
    from attributed
    where timed > 0
),
interval95 as (
    select
        station_id,
        round(greatest(0, (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)), 4)
            as within_target_low,
        round(least(1, (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)), 4)
            as within_target_high
    from wilson
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
),
league as (
    select
        o.station_id, s.station_name, s.station_type, s.district,
        coalesce(a.incidents, 0) as incidents,
        coalesce(a.timed, 0) as timed,
        coalesce(a.within_target, 0) as within_target,
        a.within_target_rate, w.within_target_low, w.within_target_high,
        a.p50_response_s, a.p90_response_s,
        o.responses, o.arrivals, o.p50_turnout_s, o.p90_turnout_s, o.p50_travel_s, o.p90_travel_s,
        o.busy_s, o.concurrent_responses,
        round(o.concurrent_responses / o.responses, 4) as concurrent_share,
        (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents') as min_sample,
        coalesce(a.timed, 0) < (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
            as is_small_sample
    from own o
    left join attributed a using (station_id)
    left join interval95 w using (station_id)
    left join stations s using (station_id)
)
select
    case when not is_small_sample then
        row_number() over (partition by is_small_sample
                           order by within_target_high, within_target_rate, p90_response_s desc nulls last, station_id)
    end as league_rank,
    *
from league
order by is_small_sample, within_target_high nulls last, within_target_rate nulls last, p90_response_s desc nulls last,
    station_id
