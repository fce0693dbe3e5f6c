-- title: 单站事前预防
-- title_en: One station's prevention work
-- description: For one station: its safety patrols in the period (by start date) over the weeks it was open in the period against the standard's minimum per week (emss/standard.toml [prevention] patrols_per_week); the hazards it registered that are open on the period's last day, how many of them are past their deadline (overdue) and how many of those are serious (重大); its drills in the quarter of the period's last day up to that day and in that year, against the standard's minimum per quarter; and its team training in that year up to that day: staff-hours (hours × participants) over its staff, against the sum of the hours the standard requires of it in each discipline, pro rata to that day. No row for an unknown station, or none given.
-- description_zh: 单个站点：统计期间内的安全巡查次数（按巡查开始日期计）除以期内开放周数，与标准规定的每周最少次数（emss/standard.toml [prevention] patrols_per_week）比较；该站登记、在期末最后一天仍未整改的隐患数，其中已过整改期限（逾期）的数量，以及逾期隐患中重大隐患的数量；期末所在季度截至期末的演练次数和当年截至期末的演练次数，与标准规定的每季度最少次数比较；以及当年截至期末的队伍业务培训：培训人·小时（时长 × 参与人数）除以队员人数，与标准对该站各专业要求的年度时长之和按比例折算到期末的时长比较。站点编号未知或未给出时不返回任何行。
-- grain: one row
-- grain_zh: 一行
-- param: station text       station_id
-- param_zh: station 站点编号 station_id
-- param: start_date date
-- param_zh: start_date 统计期间首日（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 统计期间末日（默认：数据截至日期）
with bounds as (
    select period_start($start_date, $end_date) as start_on, period_end($end_date) as end_on
),
span as (
    select b.*, cast(date_trunc('quarter', b.end_on) as date) as quarter_start, make_date(year(b.end_on), 1, 1) as year_start,
           least(1.0, (date_diff('day', make_date(year(b.end_on), 1, 1), b.end_on) + 1)
                      / (date_diff('day', make_date(year(b.end_on), 1, 1), make_date(year(b.end_on), 12, 31)) + 1)) as share_of_year
    from bounds b
),
me as (
    select s.station_id, s.station_name, s.station_type, s.district, s.is_forest, coalesce(s.staff_count, 0) as staff,
           greatest(0, date_diff('day', greatest(p.start_on, s.opened_on), least(p.end_on, coalesce(s.closed_on - 1, p.end_on))) + 1) as days_open
    from stations s, span p
    where s.station_id = $station
),
standard as (
    select (select value from prevention_standard where measure = 'patrols_per_week') as per_week,
           (select value from prevention_standard where measure = 'drills_per_quarter') as per_quarter
),
required as (
    select sum(r.value) as hours_per_year
    from me cross join prevention_standard r
    where r.measure = 'training_hours' or (r.measure = 'forest_training_hours' and me.is_forest)
),
-- each register read once for the station, every count of it in that pass
patrolled as (
    select count(*) as patrols
    from patrols x, me, span p
    where x.station_id = me.station_id and x.patrol_date between p.start_on and p.end_on
),
hazard_counts as (
    select
        count(*) filter (where hazard_open_on(h.found_on, h.rectified_on, h.status, p.end_on)) as open_hazards,
        count(*) filter (where h.due_on < p.end_on
                           and hazard_open_on(h.found_on, h.rectified_on, h.status, p.end_on)) as overdue_hazards,
        count(*) filter (where h.due_on < p.end_on and h.level = 'serious'
                           and hazard_open_on(h.found_on, h.rectified_on, h.status, p.end_on)) as serious_overdue_hazards
    from hazards h, me, span p
    where h.station_id = me.station_id
),
outreach_counts as (
    select
        count(*) filter (where e.kind = 'drill' and e.held_on between p.quarter_start and p.end_on) as drills_this_quarter,
        count(*) filter (where e.kind = 'drill' and e.held_on between p.year_start and p.end_on) as drills_this_year,
        coalesce(sum(coalesce(e.hours, 0) * coalesce(e.participants, 0))
                     filter (where e.kind = 'team_training' and e.held_on between p.year_start and p.end_on), 0)
            as training_staff_hours
    from outreach_events e, me, span p
    where e.station_id = me.station_id
)
select
    p.start_on as start_date, p.end_on as end_date,
    me.station_id, me.station_name, me.station_type, me.district,
    x.patrols,
    round(me.days_open / 7.0, 2) as weeks_open,
    round(x.patrols / nullif(me.days_open / 7.0, 0), 2) as patrols_per_week,
    st.per_week as standard_per_week,
    x.patrols / nullif(me.days_open / 7.0, 0) >= st.per_week as meets_patrol_standard,
    h.open_hazards,
    h.overdue_hazards,
    h.serious_overdue_hazards,
    p.quarter_start,
    o.drills_this_quarter,
    o.drills_this_year,
    st.per_quarter as standard_per_quarter,
    me.staff,
    o.training_staff_hours,
    round(o.training_staff_hours / nullif(me.staff, 0), 2) as training_hours_per_staff,
    round(rq.hours_per_year * p.share_of_year, 2) as standard_hours_to_date
from me cross join span p cross join standard st cross join required rq
cross join patrolled x cross join hazard_counts h cross join outreach_counts o
