-- title: 物资库存与标准配置（按物资）
-- title_en: Stock against the required quantity, by item
-- description: Over the latest count of each station in service on the data's as-of date: per item, how many stations list it, the total counted, the total usable (in working order and in date), the total required, and how many stations hold less usable stock than they are required to.
-- description_zh: 按数据截至日期各在役站点最近一次盘点统计：每种物资有多少个站点列有该物资、盘点数量合计、可用数量合计（状态完好且在有效期内）、标准配置数合计，以及可用数量低于其标准配置数的站点数。
-- grain: one row per (category, item)
-- grain_zh: 每个（物资类别、物资）一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
-- param: categories text[]   item category codes (default: all)
-- param_zh: categories 物资类别代码（默认：全部）
select
    l.category, l.item, any_value(l.item_en) as item_en, any_value(l.unit) as unit,
    count(*) as stations,
    sum(l.quantity) as quantity,
    sum(l.usable_quantity) as usable_quantity,
    sum(l.required_quantity) as required_quantity,
    count(*) filter (where l.usable_quantity < l.required_quantity) as stations_short,
    count(*) filter (where l.status in ('damaged', 'in_repair')) as stations_with_faults
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
where (len($categories) = 0 or list_contains($categories, l.category))
group by l.category, l.item
order by l.category, l.item
