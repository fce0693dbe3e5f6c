-- title: 异常记录跟进清单
-- title_en: Exceptions for follow-up
-- description: Responses and incidents to look into, one row per finding: long_turnout (dispatched -> departed over the configured limit, per response), long_travel (departed -> arrived over the limit, per response), very_long_total (clock start -> first arrival over the limit, per incident), no_arrival (an incident with no arrival at all), response_without_arrival (a station that never arrived at an incident another station reached), and refused:<rule> (an export row refused at load and never replaced, e.g. refused:order for timestamps out of order). Everything but the refused rows stays in the figures. value_s is the time in question, limit_s the threshold. Longest first within each kind.
-- description_zh: 需要核查的出警记录和警情，每项发现一行：long_turnout（出动准备超时：派警 -> 出动超过设定上限，按每条出警记录）、long_travel（途中超时：出动 -> 到场超过上限，按每条出警记录）、very_long_total（总响应超长：计时起点 -> 首个到场超过上限，按每起警情）、no_arrival（警情完全没有到场记录）、response_without_arrival（另有站点已到场的警情中，某个站点始终未到场）、refused:<rule>（导出文件中在导入时被拒收且此后未被替换的行，如 refused:order 表示时间顺序错误）。除被拒收的行以外，其余记录都仍计入各项指标。value_s 为所涉及的用时，limit_s 为阈值。每类中用时最长的在前。
-- grain: one row per (kind, incident, station; for refused rows: source file and row)
-- grain_zh: 每个（异常类型、警情、站点；被拒收的行为：源文件及行号）一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
-- param: kinds text[]  long_turnout | long_travel | very_long_total | no_arrival | response_without_arrival | refused:<rule> (default: all)
-- param_zh: kinds 异常类型：long_turnout | long_travel | very_long_total | no_arrival | response_without_arrival | refused:<rule>（默认：全部）
with scope as (
    select * from incidents_in($start_date, $end_date, $districts, $station_types)
),
scoped_responses as (  -- the same period: only its months' files are read
    select * from responses_in($start_date, $end_date)
),
limits as (
    select
        max(value) filter (where key = 'long_turnout_s')::integer as long_turnout_s,
        max(value) filter (where key = 'long_travel_s')::integer as long_travel_s,
        max(value) filter (where key = 'very_long_total_s')::integer as very_long_total_s
    from response_rules where rule = 'exceptions'
),
found as (
    select 'long_turnout' as kind, r.incident_id, r.station_id, r.call_at, s.district, s.incident_type, s.channel,
           r.turnout_s as value_s, l.long_turnout_s as limit_s, null as source_file, null::integer as source_row,
           null as message
    from scoped_responses r join scope s using (incident_id) cross join limits l where r.is_long_turnout
    union all
    select 'long_travel', r.incident_id, r.station_id, r.call_at, s.district, s.incident_type, s.channel,
           r.travel_s, l.long_travel_s, null, null, null
    from scoped_responses r join scope s using (incident_id) cross join limits l where r.is_long_travel
    union all
    select 'very_long_total', incident_id, first_station_id, call_at, district, incident_type, channel,
           response_s, l.very_long_total_s, null, null, null
    from scope cross join limits l where is_very_long_total
    union all
    select 'no_arrival', incident_id, first_station_id, call_at, district, incident_type, channel,
           null, null, null, null, null
    from scope where first_arrive_at is null
    union all
    select 'response_without_arrival', r.incident_id, r.station_id, r.call_at, s.district, s.incident_type, s.channel,
           null, null, null, null, null
    from scoped_responses r join scope s using (incident_id) where r.arrive_at is null and s.first_arrive_at is not null
    union all
    select 'refused:' || rule, incident_id, station_id, call_at, district, incident_type, channel,
           null, null, source_file, source_row, message
    from response_rejects
    where (call_at is null
           or cast(call_at as date) between period_start($start_date, $end_date) and period_end($end_date))
      and (len($districts) = 0 or list_contains($districts, district))
      and (len($station_types) = 0 or list_contains($station_types, station_type))
)
select
    f.kind, f.incident_id, f.station_id, st.station_name, f.call_at, f.district, f.incident_type, f.channel,
    f.value_s, f.limit_s, f.source_file, f.source_row, f.message
from found f
left join stations st on st.station_id = f.station_id
where len($kinds) = 0 or list_contains($kinds, f.kind)
order by f.kind, f.value_s desc nulls last, f.call_at desc nulls last, f.incident_id, f.station_id, f.source_file, f.source_row
