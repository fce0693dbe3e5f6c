-- title: 站点概况与达标检查
-- title_en: One station's profile and its checks against the standard
-- description: The station's registry entry (type, district, host venue, opening, duty, staff and each role, vehicles, forest status, position), whether it is in service on the data's as-of date, and its readiness judged on that date: each check, the score, the shortfalls (structured, and in Chinese words) and its latest inventory count.
-- description_zh: 该站的台账信息（类型、行政区、依托场所、建成日期、值班方式、人员数及各岗位人数、车辆数、是否林区站、坐标），是否在数据截至日期在役，以及按该日期评判的达标情况：各检查项、达标得分、不足之处（结构化字段及中文表述）和最近一次物资盘点。
-- grain: one row (none when the station is unknown)
-- grain_zh: 一行（站点不存在时无行）
-- param: station text   station_id, e.g. YJ0001 (none: no rows)
-- param_zh: station 站点编号 station_id，如 YJ0001（不填：不返回任何行）
select
    s.station_id, s.station_name, s.station_type, s.district, s.street, s.community, s.host_venue,
    s.lat, s.lon, s.opened_on, s.closed_on,
    in_service_on(s.opened_on, s.closed_on, a.as_of_date) as in_service,
    s.duty_mode, s.is_24h, s.is_forest,
    s.staff_count, s.captain_count, s.vice_captain_count, s.communicator_count, s.safety_officer_count,
    s.vehicle_count,
    r.staff_min, r.staff_max, r.vehicles_min, r.stale_after_days,
    r.staff_ok, r.roles_ok, r.vehicles_ok, r.duty_ok, r.kit_ok, r.forest_kit_ok, r.in_date_ok,
    r.missing_roles, r.mandatory_short, r.forest_short, r.expired_items,
    r.checks_passed, r.checks_total, r.score, r.is_compliant, r.shortfalls, r.shortfalls_zh,
    r.last_counted_on, r.count_age_days, r.is_count_stale,
    a.as_of_date
from stations s
join station_readiness r using (station_id)
cross join data_as_of a
where s.station_id = $station
