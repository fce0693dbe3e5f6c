-- title: 分组响应时间与各阶段用时
-- title_en: Response times and phases by group
-- description: Per group (group_by = district, station_type, station, incident_type or channel; default district): incidents, arrivals, the share within the target with its count, the median and 90th percentile of clock start to first arrival, and the median of each phase of the first-arriving response (call processing, turnout, travel; 90th percentiles of turnout and travel). `slowest_phase` is the phase whose median exceeds the whole scope's median by the most seconds (`slowest_phase_excess_s`; a tie goes to the earlier phase), null when no phase is slower than the scope's. Stations and station types are those of the first-arriving station. Groups with fewer timed incidents than the configured minimum are flagged `is_small_sample` and sorted last; the others worst rate first. Against the previous period of the same length (the days just before start_date): the group's timed incidents and within-target count then (`previous_timed`, `previous_within_target`, `previous_within_target_rate`), and `within_target_rate_change_pts`, this period's rate minus the previous one in percentage points, only where both periods hold at least the configured minimum of timed incidents (else null).
-- description_zh: 按分组（group_by = district、station_type、station、incident_type 或 channel；默认 district）：警情数、到场数、目标内到场比例及其数量、计时起点至首个到场用时的中位数和90分位，以及首个到场站点出警各阶段用时的中位数（接警处理、出动准备、途中行驶；出动准备和途中行驶另给90分位）。`slowest_phase` 为中位数比整个范围的中位数多出秒数最多的阶段（`slowest_phase_excess_s`；相同时取较早的阶段），没有任何阶段慢于整个范围时为空。站点和站点类型均按首个到场站点计。有响应时间的警情少于设定最小样本的分组标记为 `is_small_sample` 并排在最后；其余分组按到场率从低到高排列。与上一个等长期间（start_date 之前紧邻的同样天数）相比：该分组上期有响应时间的警情数、目标内到场数及到场率（`previous_timed`、`previous_within_target`、`previous_within_target_rate`），以及 `within_target_rate_change_pts`，即本期到场率减上期到场率的百分点数，仅在两个期间有响应时间的警情都不少于设定最小样本时给出（否则为空）。
-- grain: one row per group
-- grain_zh: 每个分组一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
-- param: group_by text  district | station_type | station | incident_type | channel (default: district)
-- param_zh: group_by 分组方式：district | station_type | station | incident_type | channel（默认：district）
with scope as (
    select
        *,
        case coalesce(nullif($group_by, ''), 'district')
            when 'district' then district
            when 'station_type' then first_station_type
            when 'station' then first_station_id
            when 'incident_type' then incident_type
            when 'channel' then channel
        end as group_code
    from incidents_in($start_date, $end_date, $districts, $station_types)
),
-- the period of the same length just before, counted from the daily rollups (a row per day and
-- group, not every incident): by station from station_daily, by the others from incident_daily
bounds as (
    select period_start($start_date, $end_date) - 1 as last_day,
           previous_period_start($start_date, $end_date) as first_day
),
previous as (
    select group_code, sum(timed) as previous_timed, sum(within_target) as previous_within_target
    from (
        select
            case coalesce(nullif($group_by, ''), 'district')
                when 'district' then d.district
                when 'station_type' then d.first_station_type
                when 'incident_type' then d.incident_type
                when 'channel' then d.channel
            end as group_code,
            d.timed, d.within_target
        from incident_daily d, bounds b
        where coalesce(nullif($group_by, ''), 'district') <> 'station'
          and d.call_date between b.first_day and b.last_day
          and (len($districts) = 0 or list_contains($districts, d.district))
          and (len($station_types) = 0 or list_contains($station_types, d.first_station_type))
        union all
        select d.station_id, d.timed, d.within_target
        from station_daily d, bounds b
        where coalesce(nullif($group_by, ''), 'district') = 'station'
          and d.call_date between b.first_day and b.last_day
          and (len($districts) = 0 or list_contains($districts, d.district))
          and (len($station_types) = 0 or list_contains($station_types, d.first_station_type))
    )
    group by group_code
),
rules as (
    select value::integer as min_sample from response_rules where rule = 'sample' and key = 'min_incidents'
),
overall as (
    select
        quantile_cont(call_processing_s, 0.5) as call_processing_s,
        quantile_cont(turnout_s, 0.5) as turnout_s,
        quantile_cont(travel_s, 0.5) as travel_s
    from scope
),
groups as (
    select
        group_code,
        any_value(first_station_name) filter (where first_station_id = group_code) as group_name,
        count(*) as incidents,
        count(first_arrive_at) as arrived,
        count(response_s) as timed,
        count(*) filter (where is_within_target) as within_target,
        count(response_s) - count(*) filter (where is_within_target) as beyond_target,
        count(*) filter (where is_within_target) / nullif(count(response_s), 0) as within_target_rate,
        -- both fractiles of a measure from one sort of its values
        quantile_cont(response_s, [0.5, 0.9]) as response_fractiles,
        quantile_cont(call_processing_s, 0.5) as p50_call_processing_s,
        quantile_cont(turnout_s, [0.5, 0.9]) as turnout_fractiles,
        quantile_cont(travel_s, [0.5, 0.9]) as travel_fractiles
    from scope
    group by group_code
),
fractiles as (
    select * exclude (response_fractiles, turnout_fractiles, travel_fractiles),
        response_fractiles[1] as p50_response_s,
        response_fractiles[2] as p90_response_s,
        turnout_fractiles[1] as p50_turnout_s,
        travel_fractiles[1] as p50_travel_s,
        turnout_fractiles[2] as p90_turnout_s,
        travel_fractiles[2] as p90_travel_s
    from groups
),
excess as (
    select g.*,
        -- list_sort orders structs field by field: by excess, and on a tie the earlier phase
        [{'excess': g.p50_call_processing_s - o.call_processing_s, 'tie': -1, 'phase': 'call_processing'},
         {'excess': g.p50_turnout_s - o.turnout_s, 'tie': -2, 'phase': 'turnout'},
         {'excess': g.p50_travel_s - o.travel_s, 'tie': -3, 'phase': 'travel'}] as phases
    from fractiles g cross join overall o
),
slowest as (
    select * exclude (phases),
        list_sort(list_filter(phases, lambda p: p.excess > 0), 'DESC')[1] as top
    from excess
)
select
    slowest.group_code, group_name, incidents, arrived, timed, within_target, beyond_target, within_target_rate,
    p50_response_s, p90_response_s, p50_call_processing_s, p50_turnout_s, p50_travel_s,
    p90_turnout_s, p90_travel_s,
    top.phase as slowest_phase,
    top.excess as slowest_phase_excess_s,
    beyond_target / nullif(sum(beyond_target) over (), 0) as share_of_misses,
    timed < rules.min_sample as is_small_sample,
    coalesce(p.previous_timed, 0) as previous_timed,
    coalesce(p.previous_within_target, 0) as previous_within_target,
    p.previous_within_target / nullif(p.previous_timed, 0) as previous_within_target_rate,
    case when timed >= rules.min_sample and p.previous_timed >= rules.min_sample then
        round(100 * (within_target / timed - p.previous_within_target / p.previous_timed), 2)
    end as within_target_rate_change_pts
from slowest
cross join rules
left join previous p on p.group_code is not distinct from slowest.group_code
order by is_small_sample, within_target_rate nulls last, p90_response_s desc nulls last, slowest.group_code
