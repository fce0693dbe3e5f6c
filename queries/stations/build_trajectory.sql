-- title: 年度建站进度（逐月累计）
-- title_en: Build-out month by month against the target trajectory
-- description: For the year holding as_of: stations opened in each month and cumulatively (up to as_of), the target's straight-line trajectory through the year (target × days elapsed at the month's end ÷ days in the year), and, from as_of's month on, the cumulative figure projected at the pace so far (its December value is the year-end projection). Targets follow stations/vs_target's rule; a station-type filter sums the chosen types.
-- description_zh: 对 as_of 所在年份：每月新建站点数及累计数（截至 as_of），年度目标按全年均匀推进的目标进度线（年度目标 × 月末已过天数 ÷ 全年天数），以及从 as_of 所在月份起按目前进度推算的预计累计数（其12月的值即年末预计数）。目标按 stations/vs_target 的规则确定；按站点类型筛选时，将所选类型的目标相加。
-- grain: one row per month of the year
-- grain_zh: 当年每月一行
-- param: as_of date        (default: the data's as-of date)
-- param_zh: as_of 统计日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as as_of
),
span as (
    select as_of, year(as_of) as year, make_date(year(as_of), 1, 1) as jan1,
        date_diff('day', make_date(year(as_of), 1, 1), as_of) + 1 as days_elapsed,
        date_diff('day', make_date(year(as_of), 1, 1), make_date(year(as_of), 12, 31)) + 1 as days_in_year
    from bounds
),
months as (
    select cast(month_at as date) as month_start
    from (select unnest(generate_series(jan1, make_date(year, 12, 1), interval 1 month)) as month_at from span)
),
opened as (  -- stations of the scope opened in the year, up to as_of
    select s.opened_on
    from stations s, span
    where year(s.opened_on) = span.year and s.opened_on <= span.as_of
      and (len($districts) = 0 or list_contains($districts, s.district))
      and (len($station_types) = 0 or list_contains($station_types, s.station_type))
),
target as (
    select cast(sum(target_count) as integer) as target_count
    from type_targets((select year from span), $districts)
    where len($station_types) = 0 or list_contains($station_types, station_type)
),
to_date as (select count(*) as opened_to_date from opened)
select
    m.month_start,
    last_day(m.month_start) as month_end,
    case when m.month_start <= s.as_of then
        (select count(*) from opened o where date_trunc('month', o.opened_on) = m.month_start) end as opened_in_month,
    case when m.month_start <= s.as_of then
        (select count(*) from opened o where o.opened_on <= last_day(m.month_start)) end as opened_cumulative,
    t.target_count,
    round(t.target_count * (date_diff('day', s.jan1, last_day(m.month_start)) + 1) / s.days_in_year, 1) as target_cumulative,
    case when last_day(m.month_start) >= s.as_of then
        round(d.opened_to_date + d.opened_to_date / s.days_elapsed * date_diff('day', s.as_of, last_day(m.month_start)), 1)
    end as projected_cumulative
from months m cross join span s cross join target t cross join to_date d
order by m.month_start
