-- title: 站点达标率趋势（按月末）
-- title_en: Share of stations meeting the standard, month by month
-- description: For each month end in the period (and the data's as-of date when it falls in it): stations in service that day, how many pass every check, the share, how many fail each check, and how many had no inventory count yet. `counted_share` is the share of those stations with a count; a date is judged (`is_judged`) from the first one on which that share reaches min_count_coverage and stays there (each date is judged when it and every later date reach it): before that, a station without a count fails the kit checks and the rate mostly shows counts arriving. `judged_from` is the first judged date (null when none). Registry attributes (staff, roles, vehicles, duty) are the registry's current state on every date; the kit and expiry checks use each station's latest count on or before the date (see warehouse/derived/45_marts_stations.sql).
-- description_zh: 统计期间内的每个月末（以及落在期间内的数据截至日期）：当天在役的站点数、所有检查项都达标的站点数、达标率、各检查项未达标的站点数，以及尚无物资盘点记录的站点数。`counted_share` 为这些站点中已有盘点记录的占比；从该占比首次达到 min_count_coverage 且此后一直保持的日期起，各日期才予以评判（`is_judged`）（某日期本身及其后每个日期都达到时，该日期才评判）：在此之前，没有盘点记录的站点装备检查项按未达标计，达标率的变化主要反映盘点记录陆续到来。`judged_from` 为首个评判日期（没有则为空）。台账属性（人员、岗位、车辆、值班）在每个日期都取台账的当前状态；装备和有效期检查项取各站在该日期当天或之前最近一次盘点（见 warehouse/derived/45_marts_stations.sql）。
-- grain: one row per judgement date (month end, or the as-of date)
-- grain_zh: 每个评估日期（月末，或数据截至日期）一行
-- param: start_date date   (default: 365 days before end_date)
-- param_zh: start_date 统计期间首日（默认：end_date 前365天）
-- param: end_date date     (default: the data's as-of date)
-- param_zh: end_date 统计期间末日（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
-- param: min_count_coverage float  share of stations in service that must have a count (the dashboard passes emss/standard.toml [inventory] coverage_min; default: null, every date judged)
-- param_zh: min_count_coverage 在役站点中必须已有盘点记录的最低占比（看板传入 emss/standard.toml [inventory] coverage_min；默认：空，每个日期都予以评判）
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
    count(*) filter (where m.is_compliant) / count(*) as compliant_rate,
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
        (stations_in_service - without_count) / stations_in_service as counted_share,
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
