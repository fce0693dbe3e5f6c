-- title: 隐患按期整改率（按等级）
-- title_en: Hazards rectified on time, by level
-- description: Hazards whose rectification was due in the period (the register's deadline, else the standard's days for the level, emss/standard.toml [prevention.rectify_days]), judged at the period's end: rectified on or before the deadline (on time), rectified after it but by the period's end (late), still open at the period's end (overdue), or called rectified by the register without a date (undated). The on-time rate is on time over all due. One row per level (一般, 较大, 重大) and a total row (level null). Default period: the 28 days to the as-of date.
-- description_zh: 整改期限落在统计期间内的隐患（期限取台账所填；未填时按标准中该等级的整改天数，emss/standard.toml [prevention.rectify_days]），在期末评判：在期限当天或之前整改（按期整改），期限后但在期末前整改（逾期整改），期末仍未整改（逾期未整改），或台账记为已整改但无完成日期（已整改无日期）。按期整改率 = 按期整改数 ÷ 全部到期隐患数。每个隐患等级（一般、较大、重大）一行，另加一行合计（level 为空）。默认统计期间：截至数据截至日期的28天。
-- grain: one row per hazard level, and one total row
-- grain_zh: 每个隐患等级一行，另加一行合计
-- param: start_date date
-- param_zh: start_date 统计期间首日（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 统计期间末日（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select period_start($start_date, $end_date) as start_on, period_end($end_date) as end_on
),
levels as (select code as level from labels where dimension = 'hazard_level'),
due as (
    select h.*, b.end_on from hazards h, bounds b
    where h.due_on between b.start_on and b.end_on
      and (len($districts) = 0 or list_contains($districts, h.district))
      and (len($station_types) = 0 or list_contains($station_types, h.station_type))
),
judged as (
    select l.level,
        count(d.hazard_id) as due,
        count(d.hazard_id) filter (where d.rectified_on <= d.due_on) as on_time,
        count(d.hazard_id) filter (where d.rectified_on > d.due_on and d.rectified_on <= d.end_on) as late,
        count(d.hazard_id) filter (where hazard_open_on(d.found_on, d.rectified_on, d.status, d.end_on)) as overdue,
        count(d.hazard_id) filter (where d.rectified_on is null and d.status = 'rectified') as undated
    from levels l left join due d using (level)
    group by grouping sets ((l.level), ())
)
select
    b.start_on as start_date, b.end_on as end_date,
    j.level, j.level is null as is_total, j.due, j.on_time, j.late, j.overdue, j.undated,
    j.on_time / nullif(j.due, 0) as on_time_rate
from judged j cross join bounds b
order by is_total, case j.level when 'serious' then 1 when 'major' then 2 when 'general' then 3 else 4 end
