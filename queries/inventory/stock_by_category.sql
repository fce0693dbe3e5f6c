-- title: 物资库存与标准配置（按类别）
-- title_en: Stock against the required quantity, by category
-- description: Over the latest count of each station in service on the data's as-of date: per item category (mandatory kit, forest kit, emergency, fire, traffic-safety, anti-riot, convenience), the item lines counted, the lines with less usable stock than required, the totals counted, usable and required, and the lines damaged or in repair.
-- description_zh: 按数据截至日期各在役站点最近一次盘点统计：每个物资类别（必配装备、林区装备、应急物资、消防物资、交安物资、防暴物资、便民物资）的盘点物资行数、可用数量低于标准配置数的物资行数、盘点数量、可用数量和标准配置数的合计，以及损坏或维修中的物资行数。
-- grain: one row per item category
-- grain_zh: 每个物资类别一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
select
    l.category,
    count(*) as lines,
    count(distinct l.station_id) as stations,
    count(*) filter (where l.usable_quantity < l.required_quantity) as lines_short,
    sum(l.quantity) as quantity,
    sum(l.usable_quantity) as usable_quantity,
    sum(l.required_quantity) as required_quantity,
    sum(least(l.usable_quantity, l.required_quantity)) / nullif(sum(l.required_quantity), 0) as fill_rate,
    count(*) filter (where l.status in ('damaged', 'in_repair')) as lines_with_faults
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
group by l.category
order by case l.category when 'mandatory_kit' then 0 when 'forest_kit' then 1 else 2 end, l.category
