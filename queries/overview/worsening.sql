-- title: 变差最多：5分钟到场率下降的区、站点类型和站点
-- title_en: Getting worse: where the 5-minute rate fell most
-- description: The period (start_date to end_date; default: the default period ending at the data's as-of date) against the period of the same length just before it. Per district, per station type and per station (the first-arriving station's type and the first-arriving station, as response/by_group groups them): incidents with a response time (`timed`), those within the target and the 5-minute rate in each period, and the change in rate (this period's minus the previous one's). Only groups with at least the rules' smallest sample (response_rules sample.min_incidents timed incidents) in both periods and a lower rate now are listed, the biggest fall first; `rank` numbers them within their dimension.
-- description_zh: 本统计期间（start_date 至 end_date；默认：截至数据截至日期的默认统计期间）与紧邻其前的等长期间对比。按行政区、站点类型和站点（站点类型和站点均按首个到场站点，与 response/by_group 的分组方式相同）：每个期间内有响应时间的警情数（`timed`）、其中目标内到场的警情数和5分钟到场率，以及到场率的变化（本期减上期）。只列出两个期间都达到规则最小样本（response_rules sample.min_incidents 起有响应时间的警情）且本期到场率更低的分组，下降最多的在前；`rank` 为其在所属维度内的序号。
-- grain: one row per group (dimension, group_code) whose rate fell
-- grain_zh: 到场率下降的每个分组（dimension、group_code）一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with periods as (
    select period_start($start_date, $end_date) as start_date, period_end($end_date) as end_date,
        previous_period_start($start_date, $end_date) as previous_start,
        period_start($start_date, $end_date) - 1 as previous_end
),
-- both periods from the daily counts per first station (station_daily: a row per station and day, not
-- every incident of the two periods), filtered as incidents_in filters the incidents; an incident with
-- no first station has no arrival, so none of the counts below misses it
scope as (
    select d.*, d.call_date >= p.start_date as is_this_period
    from periods p, station_daily d
    where d.call_date between p.previous_start and p.end_date
      and (len($districts) = 0 or list_contains($districts, d.district))
      and (len($station_types) = 0 or list_contains($station_types, d.first_station_type))
),
grouped as (
    select 'district' as dimension, district as group_code, is_this_period, timed, within_target
    from scope
    union all
    select 'station_type', first_station_type, is_this_period, timed, within_target
    from scope
    union all
    select 'station', station_id, is_this_period, timed, within_target
    from scope
),
counts as (
    select
        g.dimension, g.group_code,
        any_value(s.station_name) as group_name,
        cast(coalesce(sum(g.timed) filter (where not g.is_this_period), 0) as bigint) as previous_timed,
        cast(coalesce(sum(g.within_target) filter (where not g.is_this_period), 0) as bigint) as previous_within_target,
        cast(coalesce(sum(g.timed) filter (where g.is_this_period), 0) as bigint) as timed,
        cast(coalesce(sum(g.within_target) filter (where g.is_this_period), 0) as bigint) as within_target
    from grouped g
    left join stations s on g.dimension = 'station' and s.station_id = g.group_code
    where g.group_code is not null
    group by g.dimension, g.group_code
),
judged as (
    select
        c.*,
        c.previous_within_target / c.previous_timed as previous_rate_exact,
        c.within_target / c.timed as rate_exact
    from counts c
    where c.previous_timed >= (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
      and c.timed >= (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents')
)
select
    p.start_date, p.end_date, p.previous_start, p.previous_end,
    j.dimension, j.group_code, j.group_name,
    j.previous_timed, j.previous_within_target, j.previous_rate_exact as previous_within_target_rate,
    j.timed, j.within_target, j.rate_exact as within_target_rate,
    j.rate_exact - j.previous_rate_exact as rate_change,
    row_number() over (partition by j.dimension order by j.rate_exact - j.previous_rate_exact, j.group_code) as rank
from judged j cross join periods p
where j.rate_exact < j.previous_rate_exact
order by j.rate_exact - j.previous_rate_exact, j.dimension, j.group_code
