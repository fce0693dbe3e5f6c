-- title: 站点排名的期间
-- title_en: The station league's period
-- description: The period a station league can be judged over, ending at end_date: the given period when the median station reaches the minimum sample (emss/response_rules.toml [sample] min_incidents) of timed incidents it reached first in it; else the shortest run of whole weeks (7 days, the last one ending at end_date) in which the median station does (`is_widened`); else, when not even all the data before end_date gives it that many, all of it (`is_reached` false). The median is taken over the stations in service on end_date (of the chosen districts and types), a station without a timed incident counting 0. `median_timed` is the median over the returned period, `page_median_timed` over the given one.
-- description_zh: 站点排名可用的统计期间，截至 end_date：若在给定期间内，中位数站点作为首个到场站点的有响应时间警情达到最小样本（emss/response_rules.toml [sample] min_incidents），就用给定期间；否则用能让中位数站点达到该样本量的最短连续整周（每周7天，最后一周截至 end_date）（`is_widened`）；若 end_date 之前的全部数据也达不到该数量，则用全部数据（`is_reached` 为 false）。中位数取自 end_date 当天在役的站点（限所选行政区和站点类型），没有任何有响应时间警情的站点按0计。`median_timed` 为返回期间内的中位数，`page_median_timed` 为给定期间内的中位数。
-- grain: one row
-- grain_zh: 一行
-- param: start_date date   the page's first call date (default: the default period, ending at end_date)
-- param_zh: start_date 页面统计期间的首个接警日期（默认：截至 end_date 的默认统计期间）
-- param: end_date date     last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]  district of the incident and of the station (default: all)
-- param_zh: districts 警情和站点所属行政区（默认：全部）
-- param: station_types text[]  the station's type (default: all)
-- param_zh: station_types 站点的站点类型（默认：全部）
with bounds as (
    select
        period_start($start_date, $end_date) as page_start,
        period_end($end_date) as end_date,
        (select value::integer from response_rules where rule = 'sample' and key = 'min_incidents') as min_sample,
        (select min(call_date) from incident_daily) as first_call_date  -- the small table: not all of history
),
network as (
    select s.station_id
    from stations s, bounds b
    where in_service_on(s.opened_on, s.closed_on, b.end_date)
      and (len($districts) = 0 or list_contains($districts, s.district))
      and (len($station_types) = 0 or list_contains($station_types, s.station_type))
),
page_timed as (
    -- per station, the timed incidents it reached first in the given period (from the small table)
    select d.station_id, sum(d.timed) as timed
    from station_daily d, bounds b
    where d.timed > 0
      and d.call_date between b.page_start and b.end_date
      and (len($districts) = 0 or list_contains($districts, d.district))
      and (len($station_types) = 0 or list_contains($station_types, d.first_station_type))
    group by d.station_id
),
page as (
    select
        median(coalesce(t.timed, 0)) as page_median_timed,
        coalesce(median(coalesce(t.timed, 0)) >= any_value(b.min_sample), false) as page_reaches
    from network n
    left join page_timed t using (station_id)
    cross join bounds b
),
timed as (
    -- per station and day, the timed incidents it is judged on and how many days before end_date they came
    -- (station_daily counts marts.incidents by first station: all of history is read, so from the small
    -- table); only when the given period falls short are the days before it needed
    select d.station_id, date_diff('day', d.call_date, b.end_date) as days_back, d.timed
    from station_daily d, bounds b, page p
    where d.timed > 0
      and d.call_date <= b.end_date
      and (d.call_date >= b.page_start or not p.page_reaches)
      and (len($districts) = 0 or list_contains($districts, d.district))
      and (len($station_types) = 0 or list_contains($station_types, d.first_station_type))
),
weeks as (
    select unnest(range(1, cast(greatest(1, date_diff('day', coalesce(b.first_call_date, b.end_date), b.end_date) // 7 + 1) as bigint) + 1)) as n
    from bounds b
),
per_week as (
    select station_id, days_back // 7 + 1 as n, sum(timed) as timed from timed group by all
),
grid as (
    -- the weeks searched only when the given period falls short
    select n.station_id, w.n, coalesce(p.timed, 0) as timed
    from network n cross join weeks w cross join page pg
    left join per_week p on p.station_id = n.station_id and p.n = w.n
    where not pg.page_reaches
),
cumulative as (
    select n, sum(timed) over (partition by station_id order by n) as timed from grid
),
medians as (
    select n, median(timed) as median_timed from cumulative group by n
),
chosen as (
    select
        b.*, p.page_median_timed, p.page_reaches,
        (select min(n) from medians, bounds b2 where median_timed >= b2.min_sample) as weeks_reached,
        (select max(n) from weeks) as weeks_all
    from bounds b, page p
),
period as (
    select
        case
            when page_reaches then page_start
            when weeks_reached is not null then least(page_start, end_date - cast(7 * weeks_reached - 1 as integer))
            else least(page_start, end_date - cast(7 * weeks_all - 1 as integer))
        end as start_date,
        end_date,
        case when page_reaches then null else coalesce(weeks_reached, weeks_all) end as weeks,
        not page_reaches and end_date - cast(7 * coalesce(weeks_reached, weeks_all) - 1 as integer) < page_start
            as is_widened,
        page_reaches or weeks_reached is not null as is_reached,
        page_start, page_median_timed, min_sample
    from chosen
),
period_median as (  -- the stations' median sample over the chosen period
    select median(coalesce(t.timed, 0)) as median_timed
    from network n
    left join (
        select d.station_id, sum(d.timed) as timed
        from timed d, period p
        where d.days_back <= date_diff('day', p.start_date, p.end_date)
        group by d.station_id
    ) t using (station_id)
)
select
    p.start_date, p.end_date, p.weeks, p.is_widened, p.is_reached, m.median_timed,
    p.page_start, p.page_median_timed, p.min_sample
from period p, period_median m
