-- title: 损坏与维修中物资
-- title_en: Damaged and in-repair items
-- description: Lines of the latest count of each station in service whose status is damaged (损坏) or in repair (维修中), with the standard kit item they count towards, if any.
-- description_zh: 各在役站点最近一次盘点中状态为损坏或维修中的物资行，以及其所计入的标准装备项（如有）。
-- grain: one row per (station, item) line
-- grain_zh: 每条物资行（站点、物资）一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
select
    l.station_id, s.station_name, s.district, s.station_type,
    l.item, l.item_en, l.category, l.kit_item, l.quantity, l.unit, l.status, l.counted_on
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
where l.status in ('damaged', 'in_repair')
order by l.station_id, l.item
