-- title: 应急演练与标准（按站点类型、季度）
-- title_en: Drills against the standard, by station type and quarter
-- description: For each quarter of a year (default: the as-of date's year) that has begun by the as-of date, and each station type: the stations in service on the quarter's last day (or on the as-of date, for the quarter under way), the emergency drills (应急演练) they held in the quarter, drills per station, the standard's minimum per quarter (emss/standard.toml [prevention] drills_per_quarter), and how many of the stations met it. The quarter under way is judged on the drills so far (is_complete false).
-- description_zh: 对某一年（默认：数据截至日期所在年份）中截至数据截至日期已经开始的每个季度及每种站点类型：季度最后一天（进行中的季度为数据截至日期）在役的站点数、这些站点在该季度开展的应急演练次数、每站演练次数、标准规定的每季度最少演练次数（emss/standard.toml [prevention] drills_per_quarter），以及其中达标的站点数。进行中的季度按目前已开展的演练评判（is_complete 为 false）。
-- grain: one row per (quarter, station type)
-- grain_zh: 每个（季度、站点类型）一行
-- param: year int          (default: the year of the data's as-of date)
-- param_zh: year 年份（默认：数据截至日期所在年份）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with as_of_day as (select as_of_date from data_as_of),
quarters as (
    select q as quarter_start, least(cast(q + interval 3 month as date) - 1, a.as_of_date) as judged_on,
           cast(q + interval 3 month as date) - 1 <= a.as_of_date as is_complete
    from as_of_day a,
         unnest(generate_series(make_date(coalesce($year, year(a.as_of_date)), 1, 1),
                                make_date(coalesce($year, year(a.as_of_date)), 10, 1), interval 3 month)) as t(q)
    where cast(q as date) <= a.as_of_date
),
standard as (select value as per_quarter from prevention_standard where measure = 'drills_per_quarter'),
station_quarters as (
    select cast(q.quarter_start as date) as quarter_start, q.judged_on, q.is_complete, s.station_id, s.station_type,
           (select count(*) from outreach_events e
            where e.station_id = s.station_id and e.kind = 'drill'
              and e.held_on between q.quarter_start and q.judged_on) as drills
    from quarters q join stations s on in_service_on(s.opened_on, s.closed_on, q.judged_on)
    where (len($districts) = 0 or list_contains($districts, s.district))
      and (len($station_types) = 0 or list_contains($station_types, s.station_type))
)
select
    sq.quarter_start, year(sq.quarter_start) as year, quarter(sq.quarter_start) as quarter, sq.is_complete,
    sq.station_type,
    count(*) as stations,
    cast(sum(sq.drills) as bigint) as drills,
    round(sum(sq.drills) / count(*), 2) as drills_per_station,
    st.per_quarter as standard_per_quarter,
    count(*) filter (where sq.drills >= st.per_quarter) as stations_meeting,
    count(*) filter (where sq.drills >= st.per_quarter) / count(*) as share_meeting
from station_quarters sq cross join standard st
group by sq.quarter_start, sq.is_complete, sq.station_type, st.per_quarter
order by sq.quarter_start, sq.station_type
