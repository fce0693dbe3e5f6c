-- title: 站点位置与出动准备时间
-- title_en: Station positions and turnout times
-- description: Every station with a position, whatever its dates (opened_on and closed_on decide on which dates it counts), with its median turnout (dispatched → departed) and the number of turnouts measured in the period, and the city-wide median turnout over all responses of the period. Coverage uses a station's own median when it has enough measurements, else the city's. The medians are those of main.station_turnouts; for the 365 days to the data's as-of date, the period the page opens on, each load has stored them (marts.station_turnout_year).
-- description_zh: 每个有位置的站点，不论其建成、撤销日期（由 opened_on 和 closed_on 决定该站在哪些日期参与计算），附该站统计期间内出动准备时间（派警 → 出动）的中位数和实测出动次数，以及全市统计期间内全部出警的出动准备时间中位数。覆盖分析在站点自身实测次数足够时用该站的中位数，否则用全市的中位数。中位数按 main.station_turnouts 计算；截至数据截至日期的365天（页面默认打开的期间）由每次导入预先算好并保存（marts.station_turnout_year）。
-- grain: one row per station with a position
-- grain_zh: 每个有位置的站点一行
-- param: start_date date   first call date of the turnouts (default: 364 days before end_date)
-- param_zh: start_date 统计出动准备时间的首个接警日期（默认：end_date 前364天）
-- param: end_date date     last call date of the turnouts (default: the data's as-of date)
-- param_zh: end_date 统计出动准备时间的最后一个接警日期（默认：数据截至日期）
-- param: station_types text[]  station type codes (default: all)
-- param_zh: station_types 站点类型代码（默认：全部）
-- the year the page opens on (365 days to the as-of date) stored by the load, any other computed: the
-- dates are constants here, so DuckDB keeps only one of the two
with period_turnouts as (
    select t.station_id, t.turnout_p50_s, t.turnout_n, t.city_turnout_p50_s
    from marts.station_turnout_year t
    where year_start($start_date, $end_date) = year_start(null, null) and period_end($end_date) = period_end(null)
    union all
    select t.station_id, t.turnout_p50_s, t.turnout_n, t.city_turnout_p50_s
    from station_turnouts(year_start($start_date, $end_date), period_end($end_date)) t
    where not (year_start($start_date, $end_date) = year_start(null, null) and period_end($end_date) = period_end(null))
),
city_median as (select any_value(city_turnout_p50_s) as city_turnout_p50_s from period_turnouts)
select
    s.station_id, s.station_name, s.station_type, s.district, s.street,
    cast(s.lat as double) as lat, cast(s.lon as double) as lon,
    s.opened_on, s.closed_on, s.is_forest,
    t.turnout_p50_s,
    coalesce(t.turnout_n, 0) as turnout_n,
    c.city_turnout_p50_s
from stations s
cross join city_median c
left join period_turnouts t using (station_id)
where s.lat is not null and s.lon is not null
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by s.station_id
