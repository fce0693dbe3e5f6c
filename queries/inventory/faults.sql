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
join stations s using (station_id)
cross join data_as_of a
where in_service_on(s.opened_on, s.closed_on, a.as_of_date)
  and l.status in ('damaged', 'in_repair')
  and (len($districts) = 0 or list_contains($districts, s.district))
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by l.station_id, l.item
