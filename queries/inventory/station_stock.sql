-- title: 站点物资（最近一次盘点）
-- title_en: One station's kit and supplies on its latest count
-- description: Each line of the station's latest inventory count: item (and its English name), category, the standard kit item it counts towards, quantity, the quantity required on the count, what is usable (in working order and in date on the data's as-of date), status and expiry.
-- description_zh: 该站最近一次物资盘点的每条物资行：物资名称（及其英文名）、物资类别、所计入的标准装备项、库存数量、该次盘点的标准配置数、可用数量（状态完好且在数据截至日期仍在有效期内）、状态和有效期。
-- grain: one row per item on the station's latest count
-- grain_zh: 该站最近一次盘点中的每项物资一行
-- param: station text   station_id (none: no rows)
-- param_zh: station 站点编号 station_id（不填：不返回任何行）
select
    item, item_en, category, kit, kit_item, quantity, required_quantity, usable_quantity, unit,
    status, expires_on, days_to_expiry, is_expired, is_usable,
    coalesce(usable_quantity < required_quantity, false) as is_short,
    counted_on
from inventory_latest
where station_id = $station
order by case category when 'mandatory_kit' then 0 when 'forest_kit' then 1 else 2 end, category, item
