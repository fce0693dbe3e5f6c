-- title: 到场时间离散度样本
-- title_en: Arrival-time spread samples
-- description: Incidents of the recent weeks with a measured first arrival (response_s, from the clock start to the first station on scene) and a position, with the incident's district, call date and hour. emss.coverage compares each with the reach model's earliest arrival from the stations in service that day: how far real arrivals spread around the model (call handling, crews held up, traffic) turns the model's arrival time into a chance of arriving within the target.
-- description_zh: 近几周内有实测首站到场时间（response_s，从计时起点到首个站点到场）且有位置的警情，附所属行政区、接警日期和小时。emss.coverage 将每起警情与覆盖模型按当天在役站点估算的最早到场时间比较：实际到场时间围绕模型的离散程度（接警处理、出动延误、交通）把模型的到场时间换算成在目标时间内到场的概率。
-- grain: one row per incident with a first arrival and a position
-- grain_zh: 每起有首站到场时间和位置的警情一行
-- param: start_date date   first call date (default: 55 days before end_date, eight weeks in all)
-- param_zh: start_date 首个接警日期（默认：end_date 前55天，共八周）
-- param: end_date date     last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: max_samples int   at most about this many incidents, a fixed subset beyond it (default: 50000)
-- param_zh: max_samples 样本数上限（约数），超过时取一个固定的子集（默认：50000）
with bounds as (
    select
        coalesce(cast($start_date as date), period_end($end_date) - 55) as start_date,
        period_end($end_date) as end_date
),
picked as not materialized (  -- read twice (count, then rows): not stored in between
    select
        i.incident_id,
        i.district,
        i.call_date,
        i.call_hour,
        cast(i.lat as double) as lat,
        cast(i.lon as double) as lon,
        i.response_s,
        i.call_at
    -- only the period's months' files (the bounds spelled out: a table function takes no column)
    from incidents_of_months(strftime(coalesce(cast($start_date as date), period_end($end_date) - 55), '%Y-%m'),
                             strftime(period_end($end_date), '%Y-%m')) i, bounds b
    where i.call_date between b.start_date and b.end_date   -- the stored date: a period skips the rest of the table
      and i.response_s is not null
      and i.lat is not null and i.lon is not null
),
found as (select count(*) as n from picked)
select p.* exclude (call_at)
from picked p, found f
-- more than max_samples: every k-th incident by a hash of its id, the same ones on every run
where f.n <= coalesce($max_samples, 50000)
   or hash(p.incident_id) % cast(ceil(f.n / coalesce($max_samples, 50000)) as ubigint) = 0
order by p.call_at, p.incident_id
