-- title: 应急演练（按站点类型、专业）
-- title_en: Drills by station type and discipline
-- description: For a year (default: the as-of date's year, to the as-of date), per station type and discipline (消防, 三防, 森防, 地震, 救护): the stations in service on the year's last day (or the as-of date), the drills they held in the year, how many of the stations held at least one, and drills per station. Stations drill by their area's hazards: forest stations' forest-fire (森防) drills are counted among them, and is_forest_only says the row counts forest stations only (森防, which other stations are not asked to drill). A drill without a discipline, or a non-forest station's 森防 drill, falls in no row.
-- grain: one row per (station type, discipline)
-- param: year int          (default: the year of the data's as-of date)
-- param: districts text[]
-- param: station_types text[]
with span as (
    select make_date(y, 1, 1) as year_start, least(make_date(y, 12, 31), a.as_of_date) as judged_on
    from (select as_of_date, coalesce($year, year(as_of_date)) as y from data_as_of) a
),
open_stations as (
    select s.station_id, s.station_type, s.is_forest
    from stations s cross join span p
    where in_service_on(s.opened_on, s.closed_on, p.judged_on)
      and (len($districts) = 0 or list_contains($districts, s.district))
      and (len($station_types) = 0 or list_contains($station_types, s.station_type))
),
disciplines as (
    select code as discipline, code = 'forest_fire' as is_forest_only from labels where dimension = 'discipline'
),
asked as (  -- each station, and each discipline it may drill in
    select o.station_id, o.station_type, d.discipline, d.is_forest_only
    from open_stations o join disciplines d on not d.is_forest_only or o.is_forest
),
held as (
    select e.station_id, e.discipline, count(*) as drills
    from outreach_events e cross join span p
    where e.kind = 'drill' and e.held_on between p.year_start and p.judged_on
    group by all
)
select
    year(p.year_start) as year, p.judged_on,
    a.station_type, a.discipline, a.is_forest_only,
    count(*) as stations,
    cast(coalesce(sum(h.drills), 0) as bigint) as drills,
    count(h.drills) as stations_drilled,
    round(coalesce(sum(h.drills), 0) / count(*), 2) as drills_per_station
from asked a cross join span p
left join held h using (station_id, discipline)
group by p.year_start, p.judged_on, a.station_type, a.discipline, a.is_forest_only
order by a.station_type, a.discipline
