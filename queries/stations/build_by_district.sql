-- title: 各区建站进度
-- title_en: Build-out by district
-- description: Per district, as of a date: stations in service, stations opened so far in that year, and the district's own build target for the year (the sum of its district rows over the chosen types; none when targets are set city-wide only).
-- description_zh: 按行政区，截至某一日期：在役站点数、当年截至该日期新建的站点数，以及该区自身当年的建站目标（所选站点类型的区级目标行之和；目标只按全市下达时为空）。
-- grain: one row per district
-- grain_zh: 每个行政区一行
-- param: as_of date        (default: the data's as-of date)
-- param_zh: as_of 统计日期（默认：数据截至日期）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as as_of
),
districts as (select code as district from labels where dimension = 'district'),
picked as (
    select s.* from stations s
    where len($station_types) = 0 or list_contains($station_types, s.station_type)
),
counts as (
    select
        d.district,
        count(p.station_id) filter (where in_service_on(p.opened_on, p.closed_on, b.as_of)) as in_service,
        count(p.station_id) filter (where year(p.opened_on) = year(b.as_of) and p.opened_on <= b.as_of) as opened_this_year
    from districts d cross join bounds b
    left join picked p on p.district = d.district
    group by d.district
),
targets as (
    select district, cast(sum(target_count) as integer) as target_count
    from station_targets, bounds b
    where year = year(b.as_of) and district is not null
      and (len($station_types) = 0 or list_contains($station_types, station_type))
    group by district
)
select
    (select as_of from bounds) as as_of,
    year((select as_of from bounds)) as year,
    c.district, c.in_service, c.opened_this_year, t.target_count,
    c.opened_this_year / nullif(t.target_count, 0) as target_progress
from counts c left join targets t using (district)
order by c.in_service desc, c.district
