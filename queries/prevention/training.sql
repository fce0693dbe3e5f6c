-- title: 队伍业务培训与标准（按站点类型、专业）
-- title_en: Team training against the standard, by station type and discipline
-- description: For a year (default: the as-of date's year), per station type and discipline the standard requires (emss/standard.toml [prevention.training_hours]; forest stations also [prevention.forest_training_hours], 森防): the stations in service on the year's last day (or the as-of date, for the year under way) that must train in it, their staff, the staff-hours of team training (队伍业务培训: hours × participants) they held in it, hours per staff member, the annual requirement, the requirement to date (pro rata for the year under way), and how many of the stations reached it to date (their own staff-hours over their own staff).
-- description_zh: 对某一年（默认：数据截至日期所在年份），按站点类型和标准要求的专业类别（emss/standard.toml [prevention.training_hours]；林区站另有 [prevention.forest_training_hours]，即森防）：当年最后一天（进行中的年份为数据截至日期）在役、须参加该专业培训的站点数，这些站点的队员人数，其开展的该专业队伍业务培训人·小时（时长 × 参与人数），人均培训时长，年度标准，截至目前的标准（进行中的年份按比例折算），以及其中截至目前达标的站点数（按各站自身的人·小时除以自身队员人数计算）。
-- grain: one row per (station type, discipline)
-- grain_zh: 每个（站点类型、专业类别）一行
-- param: year int          (default: the year of the data's as-of date)
-- param_zh: year 年份（默认：数据截至日期所在年份）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with span as (
    select make_date(y, 1, 1) as year_start, least(make_date(y, 12, 31), a.as_of_date) as judged_on,
           least(1.0, (date_diff('day', make_date(y, 1, 1), least(make_date(y, 12, 31), a.as_of_date)) + 1)
                      / (date_diff('day', make_date(y, 1, 1), make_date(y, 12, 31)) + 1)) as share_of_year
    from (select as_of_date, coalesce($year, year(as_of_date)) as y from data_as_of) a
),
required as (  -- each station in service, and each discipline it must train in
    select s.station_id, s.station_type, coalesce(s.staff_count, 0) as staff, r.key as discipline,
           max(r.value) as hours_per_year
    from stations s cross join span p
    join prevention_standard r
      on r.measure = 'training_hours' or (r.measure = 'forest_training_hours' and s.is_forest)
    where in_service_on(s.opened_on, s.closed_on, p.judged_on)
      and (len($districts) = 0 or list_contains($districts, s.district))
      and (len($station_types) = 0 or list_contains($station_types, s.station_type))
    group by all
),
trained as (
    select e.station_id, e.discipline, sum(coalesce(e.hours, 0) * coalesce(e.participants, 0)) as staff_hours
    from outreach_events e cross join span p
    where e.kind = 'team_training' and e.held_on between p.year_start and p.judged_on
    group by all
),
per_station as (
    select r.*, coalesce(t.staff_hours, 0) as staff_hours,
           r.hours_per_year * p.share_of_year as hours_to_date
    from required r cross join span p left join trained t using (station_id, discipline)
)
select
    year(p.year_start) as year, p.judged_on, p.share_of_year < 1 as is_year_under_way,
    s.station_type, s.discipline,
    count(*) as stations,
    cast(sum(s.staff) as bigint) as staff,
    sum(s.staff_hours) as staff_hours,
    round(sum(s.staff_hours) / nullif(sum(s.staff), 0), 2) as hours_per_staff,
    max(s.hours_per_year) as standard_hours_per_year,
    round(max(s.hours_to_date), 2) as standard_hours_to_date,
    count(*) filter (where s.staff > 0 and s.staff_hours / s.staff >= s.hours_to_date) as stations_meeting,
    count(*) filter (where s.staff > 0 and s.staff_hours / s.staff >= s.hours_to_date) / count(*) as share_meeting
from per_station s cross join span p
group by p.year_start, p.judged_on, p.share_of_year, s.station_type, s.discipline
order by s.station_type, s.discipline
