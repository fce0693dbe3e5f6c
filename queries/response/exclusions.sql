-- title: 未计入各项指标的记录及原因
-- title_en: What each figure leaves out, and why
-- description: For the period and scope, how many incidents (and response rows) each figure leaves out and why, and which listed exceptions stay in. figure: all (every incident figure), response_time (rate, median, 90th percentile, histogram, trend), call_processing / turnout / travel (the phase medians), full_response (the full-first-response figures), first_arrival (incidents still counted, but with a refused response that may have arrived first). reason: refused:<rule> (export rows refused at load and never replaced; see `emss ingest`), no_arrival, no_clock_start, missing_timestamp, not_assembled, or for kept exceptions long_turnout, long_travel, very_long_total, response_without_arrival. is_excluded is false for exceptions that are kept in every figure and only listed for follow-up. Refused rows whose call time cannot be read are counted in every period (reason refused_undated:<rule>).
-- description_zh: 在所选统计期间和范围内，每项指标因何原因不计入多少起警情（及多少出警记录行），以及哪些列入清单的异常仍计入指标。figure（指标）：all（所有警情指标）、response_time（到场率、中位数、90分位、分布图、趋势）、call_processing / turnout / travel（各阶段中位数）、full_response（首批力量到齐的各项指标）、first_arrival（警情仍计入，但有一条被拒收的出警记录可能是首个到场）。reason（原因）：refused:<rule>（导出文件中在导入时被拒收且此后未被替换的行；见 `emss ingest`）、no_arrival、no_clock_start、missing_timestamp、not_assembled，或对于仍计入的异常：long_turnout、long_travel、very_long_total、response_without_arrival。对于在所有指标中都仍计入、只为跟进而列出的异常，is_excluded 为 false。接警时间无法识别的被拒收行在每个统计期间都计入（原因为 refused_undated:<rule>）。
-- grain: one row per (figure, reason) with at least one incident
-- grain_zh: 至少涉及一起警情的每个（figure、reason）一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
with scope as (
    select * from incidents_in($start_date, $end_date, $districts, $station_types)
),
refused as (
    select * from response_rejects
    where (call_at is null
           or cast(call_at as date) between period_start($start_date, $end_date) and period_end($end_date))
      and (len($districts) = 0 or list_contains($districts, district))
      and (len($station_types) = 0 or list_contains($station_types, station_type))
),
counts as (
    select 'all' as figure, case when call_at is null then 'refused_undated:' else 'refused:' end || rule as reason,
           count(distinct incident_id) as incidents, count(*) as responses, true as is_excluded
    from refused where not is_incident_kept group by all
    union all
    select 'first_arrival', case when call_at is null then 'refused_undated:' else 'refused:' end || rule,
           count(distinct incident_id), count(*), true
    from refused where is_incident_kept group by all
    union all
    select 'response_time', 'no_arrival', count(*), null, true from scope where first_arrive_at is null
    union all
    select 'response_time', 'no_clock_start', count(*), null, true
    from scope where first_arrive_at is not null and response_s is null
    union all
    select 'call_processing', 'missing_timestamp', count(*), null, true
    from scope where first_arrive_at is not null and call_processing_s is null
    union all
    select 'turnout', 'missing_timestamp', count(*), null, true
    from scope where first_arrive_at is not null and turnout_s is null
    union all
    select 'travel', 'missing_timestamp', count(*), null, true
    from scope where first_arrive_at is not null and travel_s is null
    union all
    select 'full_response', 'not_assembled', count(*), null, true from scope where full_response_s is null
    union all
    select 'kept', 'long_turnout', count(*), null, false from scope where has_long_turnout
    union all
    select 'kept', 'long_travel', count(*), null, false from scope where has_long_travel
    union all
    select 'kept', 'very_long_total', count(*), null, false from scope where is_very_long_total
    union all
    select 'kept', 'response_without_arrival', count(*), null, false
    from scope where has_response_without_arrival and first_arrive_at is not null
)
select figure, reason, incidents, responses, is_excluded
from counts
where incidents > 0
order by is_excluded desc,
         case figure when 'all' then 1 when 'first_arrival' then 2 when 'response_time' then 3
                     when 'call_processing' then 4 when 'turnout' then 5 when 'travel' then 6
                     when 'full_response' then 7 else 8 end,
         reason
