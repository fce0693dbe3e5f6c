-- title: 站点位置与出动准备时间
-- title_en: Station positions and turnout times
-- description: Every station with a position, whatever its dates (opened_on and closed_on decide on which dates it counts), with its median turnout (dispatched → departed) and the number of turnouts measured in the period, and the city-wide median turnout over all responses of the period. Coverage uses a station's own median when it has enough measurements, else the city's.
-- grain: one row per station with a position
-- param: start_date date   first call date of the turnouts (default: 364 days before end_date)
-- param: end_date date     last call date of the turnouts (default: the data's as-of date)
-- param: station_types text[]  station type codes (default: all)
with bounds as (
    select
        coalesce(cast($start_date as date), period_end($end_date) - 364) as start_date,
        period_end($end_date) as end_date
),
turnouts as (
    select r.station_id, r.turnout_s
    from responses r, bounds b
    where r.call_date between b.start_date and b.end_date
      and r.turnout_s >= 0
),
per_station as (
    select station_id, quantile_cont(turnout_s, 0.5) as turnout_p50_s, count(*) as turnout_n
    from turnouts
    group by station_id
)
select
    s.station_id, s.station_name, s.station_type, s.district, s.street,
    cast(s.lat as double) as lat, cast(s.lon as double) as lon,
    s.opened_on, s.closed_on, s.is_forest,
    t.turnout_p50_s,
    coalesce(t.turnout_n, 0) as turnout_n,
    (select quantile_cont(turnout_s, 0.5) from turnouts) as city_turnout_p50_s
from stations s
left join per_station t using (station_id)
where s.lat is not null and s.lon is not null
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by s.station_id
