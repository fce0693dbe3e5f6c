-- title: 站点建设与年度目标
-- title_en: Stations built against the annual target
-- description: Per station type, as of a date: stations in service (opened on or before it and not closed), stations opened so far in that year, the year's build target (stations to open that year), where a straight-line trajectory through the year would stand on that date, and the year-end figure at the pace so far. With no district chosen the target is the city-wide row (else the sum of the district rows); with districts chosen, the sum of their district rows (none: no target).
-- description_zh: 按站点类型，截至某一日期：在役站点数（建成日期在该日期当天或之前且未撤站）、当年截至该日期新建的站点数、当年建站目标（当年应新建的站点数）、目标按全年均匀推进到该日期时应达到的数量，以及按目前进度推算的年末数量。未选行政区时，目标取全市目标行（没有时取各区目标行之和）；选了行政区时，取这些区的区级目标行之和（没有则无目标）。
-- grain: one row per station type
-- grain_zh: 每种站点类型一行
-- param: as_of date        (default: the data's as-of date)
-- param_zh: as_of 统计日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
with bounds as (
    select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as as_of
),
span as (
    select as_of, year(as_of) as year,
        date_diff('day', make_date(year(as_of), 1, 1), as_of) + 1 as days_elapsed,
        date_diff('day', make_date(year(as_of), 1, 1), make_date(year(as_of), 12, 31)) + 1 as days_in_year
    from bounds
),
types as (select code as station_type from labels where dimension = 'station_type'),
picked as (
    select s.* from stations s
    where len($districts) = 0 or list_contains($districts, s.district)
),
counts as (
    select
        t.station_type,
        count(p.station_id) filter (where in_service_on(p.opened_on, p.closed_on, b.as_of)) as in_service,
        count(p.station_id) filter (where year(p.opened_on) = year(b.as_of) and p.opened_on <= b.as_of) as opened_this_year
    from types t cross join bounds b
    left join picked p on p.station_type = t.station_type
    group by t.station_type
)
select
    s.as_of,
    s.year,
    c.station_type, c.in_service, c.opened_this_year,
    t.target_count,
    c.opened_this_year / nullif(t.target_count, 0) as target_progress,
    round(t.target_count * s.days_elapsed / s.days_in_year, 1) as expected_to_date,
    round(c.opened_this_year * s.days_in_year / s.days_elapsed, 1) as projected_year_end
from counts c
cross join span s
left join type_targets((select year from span), $districts) t using (station_type)
order by c.in_service desc, c.station_type
