-- title: 站点响应排名
-- title_en: Station league table
-- description: Every station with a response in the period. Its incidents are those it reached first (else was dispatched to first), as everywhere incidents are split by station: their count, the timed ones (the sample the rate is judged on), the share within the target with its count and its 95 % Wilson score interval (`within_target_low`, `within_target_high`), median and 90th percentile of clock start to first arrival. From all its own responses: how many, the 90th percentile of its turnout and travel, busy time (sum of dispatched -> cleared, seconds) and how many came while it was still out on an earlier one (dispatched before that one was cleared). Stations with fewer timed incidents than the configured minimum (emss/response_rules.toml [sample]) are flagged `is_small_sample`, have no `league_rank` and are sorted last. The others are ranked worst first by the upper bound of their interval (a station is placed high only when even the most favourable reading of its sample is poor; a small sample's wide interval never makes it look worst or best by chance), then by rate, then by 90th percentile.
-- description_zh: 统计期间内有出警记录的每个站点。该站的警情为其首个到场（无到场时为首个被派警）的警情，与各处按站点划分警情的口径一致：这些警情的数量、其中有响应时间的警情数（评判到场率的样本）、目标内到场比例及其数量和95%威尔逊得分区间（`within_target_low`、`within_target_high`），以及计时起点至首个到场用时的中位数和90分位。按该站自身的全部出警记录：出警次数、出动准备和途中行驶用时的90分位、出警占用时间（派警 -> 处置完毕之和，单位秒），以及仍在外处置上一起警情时又被派警的次数（即上一次出警处置完毕之前再次被派警）。有响应时间的警情少于设定最小样本（emss/response_rules.toml [sample]）的站点标记为 `is_small_sample`，没有 `league_rank`，排在最后。其余站点按区间上限从低到高排名，最差在前（只有当按其样本最乐观的估计也很差时，站点才会排在前面；样本少的站点区间宽，不会因偶然而显得最差或最好），再依次按到场率、90分位排序。
-- grain: one row per station
-- grain_zh: 每个站点一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]  district of the incident (default: all)
-- param_zh: districts 警情所属行政区（默认：全部）
-- param: station_types text[]  the station's type (default: all)
-- param_zh: station_types 站点的站点类型（默认：全部）
with attributed as (
    select
        first_station_id as station_id,
        count(*) as incidents,
        count(response_s) as timed,
        count(*) filter (where is_within_target) as within_target,
        count(*) filter (where is_within_target) / nullif(count(response_s), 0) as within_target_rate,
        quantile_cont(response_s, [0.5, 0.9]) as response_fractiles  -- both from one sort of the values
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
        greatest(0, (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n))
            as within_target_low,
        least(1, (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n))
            as within_target_high
    from wilson
),
own as (
    select
        station_id,
        count(*) as responses,
        count(arrive_at) as arrivals,
        quantile_cont(turnout_s, [0.5, 0.9]) as turnout_fractiles,
        quantile_cont(travel_s, [0.5, 0.9]) as travel_fractiles,
        coalesce(sum(busy_s), 0) as busy_s,
        count(*) filter (where is_concurrent) as concurrent_responses
    from responses_in($start_date, $end_date)
    where (len($districts) = 0 or list_contains($districts, district))
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
        a.response_fractiles[1] as p50_response_s, a.response_fractiles[2] as p90_response_s,
        o.responses, o.arrivals,
        o.turnout_fractiles[1] as p50_turnout_s, o.turnout_fractiles[2] as p90_turnout_s,
        o.travel_fractiles[1] as p50_travel_s, o.travel_fractiles[2] as p90_travel_s,
        o.busy_s, o.concurrent_responses,
        o.concurrent_responses / o.responses as concurrent_share,
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
