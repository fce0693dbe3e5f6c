-- title: 每站每周巡查次数与标准
-- title_en: Patrols per station-week against the standard
-- description: Per station in service on the data's as-of date (within the chosen districts and station types): its safety patrols in the period (by start date), the weeks of the period it was open (days open / 7), patrols per week, the standard's minimum (emss/standard.toml [prevention] patrols_per_week) and whether it meets it. Default period: the 28 days to the as-of date. Stations furthest below the standard first.
-- description_zh: 数据截至日期在役的每个站点（限所选行政区和站点类型）：统计期间内的安全巡查次数（按巡查开始日期计）、期内开放的周数（开放天数 / 7）、每周巡查次数、标准规定的最少次数（emss/standard.toml [prevention] patrols_per_week）以及是否达标。默认统计期间：截至数据截至日期的28天。低于标准最多的站点在前。
-- grain: one row per station
-- grain_zh: 每个站点一行
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
standard as (select value as per_week from prevention_standard where measure = 'patrols_per_week'),
open_stations as (
    select s.station_id, s.station_name, s.station_type, s.district, street_name(s.street) as street,
           greatest(0, date_diff('day', greatest(b.start_on, s.opened_on), least(b.end_on, coalesce(s.closed_on - 1, b.end_on))) + 1) as days_open
    from stations_in_scope($districts, $station_types) s, bounds b
),
counts as (
    select p.station_id, count(*) as patrols, cast(sum(p.places_visited) as bigint) as places_visited
    from patrols p, bounds b
    where p.patrol_date between b.start_on and b.end_on
    group by p.station_id
)
select
    b.start_on as start_date, b.end_on as end_date,
    s.station_id, s.station_name, s.station_type, s.district, s.street,
    coalesce(c.patrols, 0) as patrols,
    coalesce(c.places_visited, 0) as places_visited,
    round(s.days_open / 7.0, 2) as weeks_open,
    round(coalesce(c.patrols, 0) / nullif(s.days_open / 7.0, 0), 2) as patrols_per_week,
    st.per_week as standard_per_week,
    coalesce(c.patrols, 0) / nullif(s.days_open / 7.0, 0) >= st.per_week as meets_standard
from open_stations s
cross join bounds b
cross join standard st
left join counts c using (station_id)
order by patrols_per_week nulls first, s.station_id
