-- title: 站点达标率
-- title_en: Share of stations meeting the standard
-- description: Stations in service on the data's as-of date, how many pass every check of the standard (staff, the four roles, vehicles, 24-hour duty, mandatory kit, forest kit, nothing expired), and the share.
-- description_zh: 数据截至日期在役的站点数、其中通过建站标准所有检查项（人员、四个岗位、车辆、24小时值班、必配装备、林区装备、物资均在有效期内）的站点数，以及达标率。
-- grain: one row
-- grain_zh: 一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
select
    count(*) as stations_in_service,
    count(*) filter (where is_compliant) as compliant,
    count(*) filter (where is_compliant) / nullif(count(*), 0) as compliant_rate
from station_readiness r, data_as_of a
where in_service_on(r.opened_on, r.closed_on, a.as_of_date)
  and (len($districts) = 0 or list_contains($districts, r.district))
  and (len($station_types) = 0 or list_contains($station_types, r.station_type))
