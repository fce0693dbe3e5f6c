-- title: 行驶时间标定样本
-- title_en: Travel-time calibration samples
-- description: Every response with a measured travel time (departed → arrived) and the positions of both ends, for fitting travel time against straight-line distance: the responding station's position and district, the incident's position, the hour of departure, and the station's turnout (dispatched → departed). Responses the loader flagged (no arrival, over two hours, unknown station, no position) and travel times of zero or less are left out. Distances are computed by the caller (emss.coverage), since DuckDB runs here without its spatial extension.
-- grain: one row per response with a travel time and both positions
-- param: start_date date   first call date (default: 364 days before end_date)
-- param: end_date date     last call date (default: the data's as-of date)
with bounds as (
    select
        coalesce(cast($start_date as date), period_end($end_date) - 364) as start_date,
        period_end($end_date) as end_date
)
select
    r.incident_id,
    r.station_id,
    s.district as station_district,
    cast(s.lat as double) as station_lat,
    cast(s.lon as double) as station_lon,
    cast(r.lat as double) as lat,
    cast(r.lon as double) as lon,
    hour(r.depart_at) as depart_hour,
    r.turnout_s,
    r.travel_s
from responses r
join stations s using (station_id), bounds b
where cast(r.call_at as date) between b.start_date and b.end_date
  and r.travel_s > 0
  and not coalesce(r.is_flagged, false)
  and r.lat is not null and r.lon is not null
  and s.lat is not null and s.lon is not null
order by r.call_at, r.incident_id, r.station_id
