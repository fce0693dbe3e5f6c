-- title: 警情清单
-- title_en: Incident list
-- description: The incidents behind a figure, slowest first (no arrival first of all): the period and scope filters of every page, plus optional group filters (incident types, channels, first-arriving stations), the weekday and hour of the call, the ISO week, a range of clock-start-to-first-arrival seconds, the outcome against the target (within, beyond, no_arrival) and an exception (long_turnout, long_travel, very_long_total, no_arrival, response_without_arrival). Each row carries its clock-start rule and target. `matched` is how many incidents match; at most `row_limit` rows are returned (default 1000).
-- description_zh: 某项指标背后的警情，最慢的在前（无到场记录的排在最前面）：筛选条件为各页面通用的统计期间和范围，另可选按分组筛选（警情类型、接警渠道、首个到场站点）、按接警的星期和时段、ISO周、计时起点至首个到场的秒数区间、相对到场目标的结果（within 目标内、beyond 超过目标、no_arrival 无到场记录）以及异常类型（long_turnout、long_travel、very_long_total、no_arrival、response_without_arrival）筛选。每行附带其计时起点规则和到场目标。`matched` 为符合条件的警情数；最多返回 `row_limit` 行（默认1000）。
-- grain: one row per incident
-- grain_zh: 每起警情一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
-- param: incident_types text[]  incident type codes (default: all)
-- param_zh: incident_types 警情类型代码（默认：全部）
-- param: channels text[]  alarm channel codes (default: all)
-- param_zh: channels 接警渠道代码（默认：全部）
-- param: stations text[]  first-arriving (else first dispatched) station ids (default: all)
-- param_zh: stations 首个到场站点（无到场时为首个被派警站点）的站点编号（默认：全部）
-- param: call_weekday int  1 = Monday … 7 = Sunday (default: all)
-- param_zh: call_weekday 接警星期，1 = 周一 … 7 = 周日（默认：全部）
-- param: call_hour int  0–23 (default: all)
-- param_zh: call_hour 接警时段（小时），0–23（默认：全部）
-- param: week_start date  the Monday of an ISO week (default: all weeks of the period)
-- param_zh: week_start 某个 ISO 周的周一日期（默认：统计期间内所有周）
-- param: min_response_s int  at least this many seconds to first arrival (default: no bound)
-- param_zh: min_response_s 至首个到场的用时不少于此秒数（默认：不设下限）
-- param: max_response_s int  fewer than this many seconds (default: no bound)
-- param_zh: max_response_s 至首个到场的用时少于此秒数（默认：不设上限）
-- param: outcome text  within | beyond | no_arrival (default: all)
-- param_zh: outcome 到场结果：within（目标内）| beyond（超过目标）| no_arrival（无到场记录）（默认：全部）
-- param: exception text  long_turnout | long_travel | very_long_total | no_arrival | response_without_arrival (default: all)
-- param_zh: exception 异常类型：long_turnout | long_travel | very_long_total | no_arrival | response_without_arrival（默认：全部）
-- param: row_limit int  rows returned at most (default 1000)
-- param_zh: row_limit 最多返回的行数（默认1000）
with matched as (
    select *
    from incidents_in($start_date, $end_date, $districts, $station_types)
    where (len($incident_types) = 0 or list_contains($incident_types, incident_type))
      and (len($channels) = 0 or list_contains($channels, channel))
      and (len($stations) = 0 or list_contains($stations, first_station_id))
      and ($call_weekday is null or call_weekday = $call_weekday)
      and ($call_hour is null or call_hour = $call_hour)
      and ($week_start is null or week_start = $week_start)
      and ($min_response_s is null or response_s >= $min_response_s)
      and ($max_response_s is null or response_s < $max_response_s)
      and (coalesce($outcome, '') = ''
           or ($outcome = 'within' and is_within_target)
           or ($outcome = 'beyond' and not is_within_target)
           or ($outcome = 'no_arrival' and first_arrive_at is null))
      and (coalesce($exception, '') = ''
           or ($exception = 'long_turnout' and has_long_turnout)
           or ($exception = 'long_travel' and has_long_travel)
           or ($exception = 'very_long_total' and is_very_long_total)
           or ($exception = 'no_arrival' and first_arrive_at is null)
           or ($exception = 'response_without_arrival' and has_response_without_arrival))
)
select
    incident_id, call_at, district, street, incident_type, channel,
    first_station_id, first_station_name, first_station_type, station_count, arrived_station_count,
    clock_start_rule, clock_start_at, first_arrive_at, response_s, target_s, is_within_target,
    call_processing_s, turnout_s, travel_s, on_scene_s, full_response_s,
    has_long_turnout, has_long_travel, is_very_long_total, has_response_without_arrival,
    -- counted apart: a count over every matching row would keep all of them (and their columns) for the top rows
    (select count(*) from matched) as matched
from matched
order by response_s desc nulls first, call_at desc, incident_id
limit coalesce($row_limit, 1000)
