-- title: 站点达标率趋势（按月末）
-- title_en: Share of stations meeting the standard, month by month
-- description: For each month end in the period (and the data's as-of date when it falls in it): stations in service that day, how many pass every check, the share, how many fail each check, and how many had no inventory count yet. `counted_share` is the share of those stations with a count; a date is judged (`is_judged`) from the first one on which that share reaches min_count_coverage and stays there (each date is judged when it and every later date reach it): before that, a station without a count fails the kit checks and the rate mostly shows counts arriving. `judged_from` is the first judged date (null when none). Registry attributes (staff, roles, vehicles, duty) are the registry's current state on every date; the kit and expiry checks use each station's latest count on or before the date (see warehouse/derived/45_marts_stations.sql).
-- grain: one row per judgement date (month end, or the as-of date)
-- param: start_date date   (default: 365 days before end_date)
-- param: end_date date     (default: the data's as-of date)
-- param: districts text[]
-- param: station_types text[]
-- param: min_count_coverage float  share of stations in service that must have a count (the dashboard passes emss/standard.toml [inventory] coverage_min; default: null, every date judged)
with bounds as (
    select coalesce(cast($end_date as date), (select as_of_date from data_as_of)) as end_date
),
period as (
    select coalesce(cast($start_date as date), end_date - 365) as start_date, end_date from bounds
),
trend as (
select
    m.judged_on,
    bool_or(m.is_as_of_date) as is_as_of_date,
    count(*) as stations_in_service,
    count(*) filter (where m.is_compliant) as compliant,
    round(count(*) filter (where m.is_compliant) / count(*), 4) as compliant_rate,
    count(*) filter (where not m.staff_ok) as staff_short,
    count(*) filter (where not m.roles_ok) as roles_short,
    count(*) filter (where not m.vehicles_ok) as vehicles_short,
    count(*) filter (where not m.duty_ok) as duty_short,
    count(*) filter (where not m.kit_ok) as kit_short,
    count(*) filter (where not m.forest_kit_ok) as forest_kit_short,
    count(*) filter (where not m.in_date_ok) as expired,
    count(*) filter (where not m.has_count) as without_count
from station_readiness_monthly m, period p
where m.judged_on between p.start_date and p.end_date
  and (len($districts) = 0 or list_contains($districts, m.district))
  and (len($station_types) = 0 or list_contains($station_types, m.station_type))
group by m.judged_on
),
covered as (
    select *,
        round((stations_in_service - without_count) / stations_in_service, 4) as counted_share,
        cast($min_count_coverage as double) is null
            or (stations_in_service - without_count) / stations_in_service >= cast($min_count_coverage as double)
            as is_covered
    from trend
),
judged as (
    select *,
        -- judged when this date and every later one are covered: one dip later ends the run
        bool_and(is_covered) over (order by judged_on desc rows between unbounded preceding and current row) as is_judged
    from covered
)
select * exclude (is_covered),
    min(judged_on) filter (where is_judged) over () as judged_from
from judged
order by judged_on
