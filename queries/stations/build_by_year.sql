-- title: 历年建站与目标
-- title_en: Stations opened each year against that year's target
-- description: Per year and station type, from the first year with a station or a target to the year of the data's as-of date: stations opened that year (up to the as-of date), the year's target (stations/vs_target's rule), and stations in service at the year's end (or on the as-of date for the current year).
-- description_zh: 按年度和站点类型，从最早有站点或有目标的年份到数据截至日期所在年份：当年新建的站点数（截至数据截至日期）、当年建站目标（按 stations/vs_target 的规则），以及年末在役站点数（当年按数据截至日期计）。
-- grain: one row per (year, station type)
-- grain_zh: 每个（年度、站点类型）一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with as_of as (select as_of_date from data_as_of),
picked as (
    select s.* from stations s
    where (len($districts) = 0 or list_contains($districts, s.district))
      and (len($station_types) = 0 or list_contains($station_types, s.station_type))
),
years as (
    select unnest(range(
        least(coalesce((select min(year(opened_on)) from stations), 9999),
              coalesce((select min(year) from station_targets), 9999)),
        year((select as_of_date from as_of)) + 1)) as year
),
types as (
    select code as station_type from labels
    where dimension = 'station_type' and (len($station_types) = 0 or list_contains($station_types, code))
),
grid as (
    select y.year, t.station_type, least(make_date(y.year, 12, 31), a.as_of_date) as year_end
    from years y cross join types t cross join as_of a
),
counts as (
    select
        g.year, g.station_type,
        count(p.station_id) filter (where year(p.opened_on) = g.year and p.opened_on <= g.year_end) as opened,
        count(p.station_id) filter (where in_service_on(p.opened_on, p.closed_on, g.year_end)) as in_service_at_year_end
    from grid g left join picked p on p.station_type = g.station_type
    group by g.year, g.station_type
)
select
    c.year, c.station_type, c.opened,
    (select target_count from type_targets(c.year, $districts) t where t.station_type = c.station_type) as target_count,
    c.in_service_at_year_end
from counts c
order by c.year desc, c.station_type
