-- title: 行驶时间标定样本
-- title_en: Travel-time calibration samples
-- description: Every response with a measured travel time (departed → arrived) and the positions of both ends, for fitting travel time against straight-line distance: the responding station's position and district, the incident's position, the hour of departure, the incident type, and the station's turnout (dispatched → departed). Responses the loader flagged (no arrival, over two hours, unknown station, no position) and travel times of zero or less are left out. Distances are computed by the caller (emss.coverage), since DuckDB runs here without its spatial extension.
-- description_zh: 每条有实测途中行驶时间（出动 → 到场）且两端都有位置的出警记录，用于按直线距离拟合行驶时间：出警站点的位置和所属行政区、警情位置、出动时所在的小时、警情类型，以及该站的出动准备时间（派警 → 出动）。导入时被标记的出警记录（无到场、超过两小时、未知站点、无位置）以及行驶时间为零或负数的记录不计入。距离由调用方（emss.coverage）计算，因为这里运行的 DuckDB 没有加载空间扩展。
-- grain: one row per response with a travel time and both positions
-- grain_zh: 每条有行驶时间且两端都有位置的出警记录一行
-- param: start_date date   first call date (default: 364 days before end_date)
-- param_zh: start_date 首个接警日期（默认：end_date 前364天）
-- param: end_date date     last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: max_samples int   at most about this many samples, a fixed subset beyond it (default: 200000)
-- param_zh: max_samples 样本数上限（约数），超过时取一个固定的子集（默认：200000）
with bounds as (
    select
        coalesce(cast($start_date as date), period_end($end_date) - 364) as start_date,
        period_end($end_date) as end_date
),
picked as not materialized (  -- read twice (count, then rows): not stored in between
    select
        r.incident_id,
        r.station_id,
        r.incident_type,
        s.district as station_district,
        cast(s.lat as double) as station_lat,
        cast(s.lon as double) as station_lon,
        cast(r.lat as double) as lat,
        cast(r.lon as double) as lon,
        hour(r.depart_at) as depart_hour,
        r.turnout_s,
        r.travel_s,
        r.call_at
    from responses r
    join stations s using (station_id), bounds b
    where r.call_date between b.start_date and b.end_date   -- the stored date: a period skips the rest of the table
      and r.travel_s > 0
      and not coalesce(r.is_flagged, false)
      and r.lat is not null and r.lon is not null
      and s.lat is not null and s.lon is not null
),
found as (select count(*) as n from picked)
select p.* exclude (call_at)
from picked p, found f
-- more than max_samples: every k-th response by a hash of its key, the same ones on every run
where f.n <= coalesce($max_samples, 200000)
   or hash(p.incident_id, p.station_id) % cast(ceil(f.n / coalesce($max_samples, 200000)) as ubigint) = 0
order by p.call_at, p.incident_id, p.station_id
