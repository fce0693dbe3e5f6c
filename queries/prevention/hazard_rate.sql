-- title: 每千处场所发现隐患数
-- title_en: Hazards found per 1,000 places visited
-- description: From the patrol log, per place type and in total (place_type null, is_total true): patrols in the period, places visited, hazards found, and hazards found per 1,000 places visited. A place type whose patrols visited no place has no rate. Default period: the 28 days to the as-of date.
-- grain: one row per place type, and one total row
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
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
