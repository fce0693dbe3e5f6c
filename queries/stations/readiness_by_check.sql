-- title: 各检查项未达标站点数
-- title_en: Stations failing each check of the standard
-- description: For stations in service on the data's as-of date: per check of the standard (staff 10–30, the four roles, vehicles, 24-hour duty, mandatory kit, forest kit for forest stations, nothing expired), the stations it applies to and how many fail it.
-- description_zh: 对数据截至日期在役的站点：按建站标准的每个检查项（人员10–30人、四个岗位、车辆、24小时值班、必配装备、林区站的林区装备、物资均在有效期内），适用该检查项的站点数及其中未达标的站点数。
-- grain: one row per check
-- grain_zh: 每个检查项一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with picked as (
    select r.* from station_readiness r, data_as_of a
    where in_service_on(r.opened_on, r.closed_on, a.as_of_date)
      and (len($districts) = 0 or list_contains($districts, r.district))
      and (len($station_types) = 0 or list_contains($station_types, r.station_type))
),
checks as (
    select * from (values
        (1, 'staff'), (2, 'roles'), (3, 'vehicles'), (4, 'duty'), (5, 'mandatory_kit'), (6, 'forest_kit'), (7, 'in_date')
    ) v(position, check_code)
)
select
    c.check_code,
    count(p.station_id) filter (where c.check_code <> 'forest_kit' or p.is_forest) as stations_checked,
    count(p.station_id) filter (where case c.check_code
        when 'staff' then not p.staff_ok when 'roles' then not p.roles_ok
        when 'vehicles' then not p.vehicles_ok when 'duty' then not p.duty_ok
        when 'mandatory_kit' then not p.kit_ok when 'forest_kit' then not p.forest_kit_ok
        when 'in_date' then not p.in_date_ok end) as stations_failing
from checks c cross join picked p
group by c.position, c.check_code
order by c.position
