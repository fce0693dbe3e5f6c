-- title: 站点建设与年度目标
-- title_en: Stations built against the annual target
-- description: Per station type, as of a date: stations in service (opened on or before it and not closed), stations opened so far in that year, and the year's city-wide build target (stations to open that year). District-level targets, when loaded without a city-wide row, are summed.
-- grain: one row per station type
-- param: as_of date        (default: the data's as-of date)
-- param: districts text[]
with bounds as (
    select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as as_of
),
types as (select code as station_type from labels where dimension = 'station_type'),
picked as (
    select s.* from stations s
    where len($districts) = 0 or list_contains($districts, s.district)
),
counts as (
    select
        t.station_type,
        count(p.station_id) filter (where p.opened_on <= b.as_of and (p.closed_on is null or p.closed_on > b.as_of)) as in_service,
        count(p.station_id) filter (where year(p.opened_on) = year(b.as_of) and p.opened_on <= b.as_of) as opened_this_year
    from types t cross join bounds b
    left join picked p on p.station_type = t.station_type
    group by t.station_type
),
city_targets as (  -- a city-wide row wins; else the sum of the district rows
    select station_type,
        cast(coalesce(sum(target_count) filter (where district is null), sum(target_count)) as integer) as target_count
    from station_targets, bounds b
    where year = year(b.as_of)
      and (len($districts) = 0 or district is null or list_contains($districts, district))
    group by station_type
)
select
    (select as_of from bounds) as as_of,
    year((select as_of from bounds)) as year,
    c.station_type, c.in_service, c.opened_this_year,
    t.target_count,
    round(c.opened_this_year / nullif(t.target_count, 0), 4) as target_progress
from counts c left join city_targets t using (station_type)
order by c.in_service desc, c.station_type
