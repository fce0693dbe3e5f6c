-- title: 警情位置(覆盖分析)
-- title_en: Incident positions for coverage
-- description: The position of every incident in the period, for counting past incidents per coverage cell (H3 resolution 9, computed by emss.coverage since the warehouse carries resolution 8 only). Filters: districts, incident types and the hour of the call (hour_from to hour_to inclusive; a range that wraps past midnight such as 22 to 5 is allowed). Incidents are not filtered by station type: demand is demand, whoever answered it.
-- description_zh: 统计期间内每起警情的位置，用于按覆盖网格（H3 第9级）统计历史警情数；第9级网格由 emss.coverage 计算，因为数据仓库只存有第8级。筛选条件：行政区、警情类型和接警时段（hour_from 至 hour_to，含两端；允许跨越午夜的时段，如22至5）。警情不按站点类型筛选：需求就是需求，不论由哪个站点处置。
-- grain: one row per incident with a position
-- grain_zh: 每起有位置的警情一行
-- columns: also what was measured (response_s from the clock start to the first arrival, null without one; is_within_target; call_processing_s), so the reach model can be checked against it
-- param: start_date date   first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date     last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]  district codes (default: all)
-- param_zh: districts 行政区代码（默认：全部）
-- param: incident_types text[]  incident type codes (default: all)
-- param_zh: incident_types 警情类型代码（默认：全部）
-- param: hour_from int     first hour of the call, 0-23 (default: 0)
-- param_zh: hour_from 接警时段的起始小时，0-23（默认：0）
-- param: hour_to int       last hour of the call, 0-23 (default: 23)
-- param_zh: hour_to 接警时段的结束小时，0-23（默认：23）
with hours as (
    select coalesce($hour_from, 0) as h_from, coalesce($hour_to, 23) as h_to
)
select i.incident_id, i.incident_type, i.district, i.call_hour,
       cast(i.lat as double) as lat, cast(i.lon as double) as lon,
       i.response_s, i.is_within_target, i.call_processing_s
from incidents_in($start_date, $end_date, $districts, cast([] as varchar[])) i, hours h
where i.lat is not null and i.lon is not null
  and (len($incident_types) = 0 or list_contains($incident_types, i.incident_type))
  and case when h.h_from <= h.h_to then i.call_hour between h.h_from and h.h_to
           else i.call_hour >= h.h_from or i.call_hour <= h.h_to end
order by i.incident_id
