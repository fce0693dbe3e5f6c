-- title: 各城市并列：5分钟到场率、建站进度与站点达标
-- title_en: Cities side by side: 5-minute rate, build-out and readiness
-- description: One row per city of the province (over one warehouse: its own city). The period's incidents, how many had an arrival, the share of timed incidents whose first station arrived within its target, the median and 90th percentile response time; the stations in service on the city's as-of date, those opened this year against the year's build target (the city-wide target row per station type, else the sum of the district rows); and the share of the stations in service that meet the station standard on the as-of date. Each city's period ends on its own as-of date unless end_date is given.
-- description_zh: 每个城市一行（在单个城市的数据仓库上即本市）。统计期间内的警情数、有到场的警情数、有响应时间的警情中首个站点在到场目标内到场的比例、响应时间中位数和90分位；截至该市数据日期在役的站点数、今年新建站点数与年度建站目标（按站点类型取全市目标行，没有时取各区目标之和）；以及在役站点中截至数据日期达标的比例。未给 end_date 时，每个城市的统计期间截至其各自的数据日期。
-- grain: one row per city
-- grain_zh: 每个城市一行
-- param: start_date date  first call date (default: 27 days before end_date: four weeks)
-- param_zh: start_date 首个接警日期（默认：end_date 前27天，即四周）
-- param: end_date date    last call date (default: each city's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：各城市各自的数据截至日期）
with bounds as (
    select city, name_zh, name_en, as_of_date,
        coalesce(cast($start_date as date), coalesce(cast($end_date as date), as_of_date) - 27) as start_date,
        coalesce(cast($end_date as date), as_of_date) as end_date
    from province.cities
),
response as (
    select b.city,
        count(i.incident_id) as incidents,
        count(i.first_arrive_at) as arrived,
        count(i.response_s) as timed,
        count(i.incident_id) filter (where i.is_within_target) as within_target,
        quantile_cont(i.response_s, 0.5) as p50_response_s,
        quantile_cont(i.response_s, 0.9) as p90_response_s
    from bounds b
    left join province.incidents i on i.city = b.city and i.call_date between b.start_date and b.end_date
    group by b.city
),
network as (
    select b.city,
        count(s.station_id) filter (where in_service_on(s.opened_on, s.closed_on, b.as_of_date)) as stations_in_service,
        count(s.station_id) filter (where year(s.opened_on) = year(b.as_of_date) and s.opened_on <= b.as_of_date)
            as opened_this_year
    from bounds b
    left join province.stations s on s.city = b.city
    group by b.city
),
type_targets as (  -- per city and station type: the city-wide row if there is one, else the districts' rows
    select t.city, t.station_type,
        coalesce(sum(t.target_count) filter (where t.district is null), sum(t.target_count)) as target_count
    from province.station_targets t join bounds b on b.city = t.city and t.year = year(b.as_of_date)
    group by t.city, t.station_type
),
targets as (
    select city, cast(sum(target_count) as integer) as target_this_year from type_targets group by city
),
readiness as (
    select b.city,
        count(r.station_id) as judged,
        count(r.station_id) filter (where r.is_compliant) as stations_compliant
    from bounds b
    left join province.station_readiness r
        on r.city = b.city and in_service_on(r.opened_on, r.closed_on, b.as_of_date)
    group by b.city
)
select
    b.city, b.name_zh, b.name_en, b.start_date, b.end_date, b.as_of_date,
    r.incidents, r.arrived, r.timed, r.within_target,
    r.within_target / nullif(r.timed, 0) as within_target_rate,
    r.p50_response_s, r.p90_response_s,
    n.stations_in_service, n.opened_this_year, t.target_this_year,
    n.opened_this_year / nullif(t.target_this_year, 0) as target_progress,
    d.stations_compliant,
    d.stations_compliant / nullif(d.judged, 0) as compliant_rate
from bounds b
join response r using (city)
join network n using (city)
join readiness d using (city)
left join targets t using (city)
order by b.city
