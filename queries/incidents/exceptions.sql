-- title: 异常记录跟进清单
-- title_en: Exceptions for follow-up
-- description: Responses and incidents to look into, one row per finding: long_turnout (dispatched -> departed over the configured limit, per response), long_travel (departed -> arrived over the limit, per response), very_long_total (clock start -> first arrival over the limit, per incident), no_arrival (an incident with no arrival at all), response_without_arrival (a station that never arrived at an incident another station reached), and refused:<rule> (an export row refused at load and never replaced, e.g. refused:order for timestamps out of order). Everything but the refused rows stays in the figures. value_s is the time in question, limit_s the threshold. Longest first within each kind.
-- grain: one row per (kind, incident, station; for refused rows: source file and row)
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
-- param: kinds text[]  long_turnout | long_travel | very_long_total | no_arrival | response_without_arrival | refused:<rule> (default: all)
with scope as (
    select * from incidents_in($start_date, $end_date, $districts, $station_types)
),
scoped_responses as (  -- the same period on the stored date, so the rest of the table is skipped
    select * from responses
    where call_date between period_start($start_date, $end_date) and period_end($end_date)
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
