-- title: 站点台账与达标情况
-- title_en: Station register with readiness
-- description: Every station with its type, district, host venue, opening, staff, vehicles, readiness score and shortfalls (structured: check, item, item_en, actual, required; and the same in Chinese words); in_service says whether it is open on the data's as-of date.
-- description_zh: 每个站点及其类型、行政区、依托场所、建成日期、人员数、车辆数、达标得分和不足之处（结构化字段：check、item、item_en、actual、required；另有相同内容的中文表述）；in_service 表示该站在数据截至日期是否在役。
-- grain: one row per station
-- grain_zh: 每个站点一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
select
    s.station_id, s.station_name, s.station_type, s.district, s.street, s.community, s.host_venue,
    s.opened_on, s.closed_on,
    in_service_on(s.opened_on, s.closed_on, a.as_of_date) as in_service,
    s.staff_count, s.vehicle_count, s.is_forest,
    r.score as readiness_score, r.is_compliant, r.shortfalls, r.last_counted_on,
    r.shortfalls_zh, r.checks_passed, r.checks_total, r.count_age_days, r.is_count_stale
from stations s
join station_readiness r using (station_id)
cross join data_as_of a
where (len($districts) = 0 or list_contains($districts, s.district))
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by s.station_id
