-- title: 损坏与维修中物资
-- title_en: Damaged and in-repair items
-- description: Lines of the latest count of each station in service whose status is damaged (损坏) or in repair (维修中), with the standard kit item they count towards, if any.
-- grain: one row per (station, item) line
-- param: districts text[]
-- param: station_types text[]
select
    l.station_id, s.station_name, s.district, s.station_type,
    l.item, l.item_en, l.category, l.kit_item, l.quantity, l.unit, l.status, l.counted_on
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
where l.status in ('damaged', 'in_repair')
order by l.station_id, l.item
