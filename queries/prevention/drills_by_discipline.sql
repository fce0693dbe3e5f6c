-- title: 应急演练（按站点类型、专业）
-- title_en: Drills by station type and discipline
-- description: For a year (default: the as-of date's year, to the as-of date), per station type and discipline (消防, 三防, 森防, 地震, 救护): the stations in service on the year's last day (or the as-of date), the drills they held in the year, how many of the stations held at least one, and drills per station. Stations drill by their area's hazards: forest stations' forest-fire (森防) drills are counted among them, and is_forest_only says the row counts forest stations only (森防, which other stations are not asked to drill). A drill without a discipline, or a non-forest station's 森防 drill, falls in no row.
-- description_zh: 对某一年（默认：数据截至日期所在年份，统计至数据截至日期），按站点类型和专业类别（消防、三防、森防、地震、救护）：当年最后一天（或数据截至日期）在役的站点数、这些站点当年开展的演练次数、其中至少开展过一次演练的站点数，以及每站演练次数。站点按所在区域的灾害风险开展演练：林区站的森林防火（森防）演练计入统计，is_forest_only 表示该行只统计林区站（森防演练不要求其他站点开展）。没有专业类别的演练，或非林区站的森防演练，不计入任何一行。
-- grain: one row per (station type, discipline)
-- grain_zh: 每个（站点类型、专业类别）一行
-- param: year int          (default: the year of the data's as-of date)
-- param_zh: year 年份（默认：数据截至日期所在年份）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
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
