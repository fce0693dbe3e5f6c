-- title: 每千处场所发现隐患数
-- title_en: Hazards found per 1,000 places visited
-- description: From the patrol log, per place type and in total (place_type null, is_total true): patrols in the period, places visited, hazards found, and hazards found per 1,000 places visited. A place type whose patrols visited no place has no rate. Default period: the 28 days to the as-of date.
-- description_zh: 根据安全巡查记录，按场所类型及合计（合计行 place_type 为空、is_total 为 true）：统计期间内的巡查次数、巡查场所数、发现隐患数，以及每千处巡查场所发现的隐患数。巡查未到访任何场所的场所类型没有该比率。默认统计期间：截至数据截至日期的28天。
-- grain: one row per place type, and one total row
-- grain_zh: 每个场所类型一行，另加一行合计
-- param: start_date date
-- param_zh: start_date 统计期间首日（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 统计期间末日（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select period_start($start_date, $end_date) as start_on, period_end($end_date) as end_on
),
picked as (
    select p.* from patrols p, bounds b
    where p.patrol_date between b.start_on and b.end_on
      and (len($districts) = 0 or list_contains($districts, p.district))
      and (len($station_types) = 0 or list_contains($station_types, p.station_type))
)
select
    place_type,
    grouping(place_type) = 1 as is_total,
    count(*) as patrols,
    cast(coalesce(sum(places_visited), 0) as bigint) as places_visited,
    cast(coalesce(sum(hazards_found), 0) as bigint) as hazards_found,
    round(1000.0 * sum(hazards_found) / nullif(sum(places_visited), 0), 1) as hazards_per_1000_places
from picked
group by grouping sets ((place_type), ())
order by is_total, hazards_per_1000_places desc nulls last, place_type
