-- title: 物资库存与标准配置（按类别）
-- title_en: Stock against the required quantity, by category
-- description: Over the latest count of each station in service on the data's as-of date: per item category (mandatory kit, forest kit, emergency, fire, traffic-safety, anti-riot, convenience), the item lines counted, the lines with less usable stock than required, the totals counted, usable and required, and the lines damaged or in repair.
-- grain: one row per item category
-- param: districts text[]
-- param: station_types text[]
select
    l.category,
    count(*) as lines,
    count(distinct l.station_id) as stations,
    count(*) filter (where l.usable_quantity < l.required_quantity) as lines_short,
    sum(l.quantity) as quantity,
    sum(l.usable_quantity) as usable_quantity,
    sum(l.required_quantity) as required_quantity,
    round(sum(least(l.usable_quantity, l.required_quantity)) / nullif(sum(l.required_quantity), 0), 4) as fill_rate,
    count(*) filter (where l.status in ('damaged', 'in_repair')) as lines_with_faults
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
group by l.category
order by case l.category when 'mandatory_kit' then 0 when 'forest_kit' then 1 else 2 end, l.category
