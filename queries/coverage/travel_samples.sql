-- title: 行驶时间标定样本
-- title_en: Travel-time calibration samples
-- description: Every response with a measured travel time (departed → arrived) and the positions of both ends (marts.travel_samples), for fitting travel time against straight-line distance: the responding station's position and district, the incident's position, the hour of departure, the incident type, and the station's turnout (dispatched → departed). Responses the loader flagged (no arrival, over two hours, unknown station, no position) and travel times of zero or less are left out. Distances are computed by the caller (emss.coverage), since DuckDB runs here without its spatial extension.
-- description_zh: 每条有实测途中行驶时间（出动 → 到场）且两端都有位置的出警记录，用于按直线距离拟合行驶时间：出警站点的位置和所属行政区、警情位置、出动时所在的小时、警情类型，以及该站的出动准备时间（派警 → 出动）。导入时被标记的出警记录（无到场、超过两小时、未知站点、无位置）以及行驶时间为零或负数的记录不计入。距离由调用方（emss.coverage）计算，因为这里运行的 DuckDB 没有加载空间扩展。
-- grain: one row per response with a travel time and both positions
-- grain_zh: 每条有行驶时间且两端都有位置的出警记录一行
-- param: start_date date   first call date (default: 364 days before end_date)
-- param_zh: start_date 首个接警日期（默认：end_date 前364天）
-- param: end_date date     last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: max_samples int   at most about this many samples: beyond it, the responses of the lowest sample ranks (a hash of the response), the same ones on every run (default: 200000)
-- param_zh: max_samples 样本数上限（约数）：超过时取抽样序号（按出警记录计算的哈希值）最小的那些，每次相同（默认：200000）
with eligible as (
    select
        t.incident_id,
        t.station_id,
        t.incident_type,
        s.district as station_district,
        cast(s.lat as double) as station_lat,
        cast(s.lon as double) as station_lon,
        t.lat,
        t.lon,
        t.depart_hour,
        t.turnout_s,
        t.travel_s,
        t.call_at,
        t.sample_rank
    -- only the period's months' files
    from marts.travel_samples_months(strftime(year_start($start_date, $end_date), '%Y-%m'),
                                     strftime(period_end($end_date), '%Y-%m')) t
    join stations s using (station_id)
    where t.call_date between year_start($start_date, $end_date) and period_end($end_date)
      and s.lat is not null and s.lon is not null
),
-- how many there are, from the samples per station and day (marts.travel_sample_daily), not by
-- reading them all: a join of stations x days, not of every sample of the year
found as (
    select coalesce(sum(d.samples), 0) as n
    from marts.travel_sample_daily d
    join stations s using (station_id)
    where d.call_date between year_start($start_date, $end_date) and period_end($end_date)
      and s.lat is not null and s.lon is not null
),
-- more than max_samples: the responses of the lowest ranks, about max_samples of them; a join on
-- the ranks kept, so that DuckDB opens only the files holding them (each month's are in rank order)
kept as (
    select unnest(range(0, case when f.n <= coalesce($max_samples, 200000) then 65536
                                else cast(ceil(65536.0 * coalesce($max_samples, 200000) / f.n) as bigint) end)) as sample_rank
    from found f
)
select e.* exclude (call_at, sample_rank)
from eligible e
join kept k using (sample_rank)
order by e.call_at, e.incident_id, e.station_id
