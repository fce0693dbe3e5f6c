-- title: 临期与过期物资
-- title_en: Supplies expired or expiring soon
-- description: Lines of the latest count of each station in service that hold stock (quantity > 0) with an expiry date on or before the data's as-of date plus within_days: already expired (days_to_expiry < 0) or expiring within the window. Judged against the data's as-of date.
-- description_zh: 各在役站点最近一次盘点中有库存（quantity > 0）、且有效期不晚于数据截至日期加 within_days 天的物资行：包括已过期的（days_to_expiry < 0）和将在该窗口期内到期的。以数据截至日期为准判断。
-- grain: one row per (station, item) line
-- grain_zh: 每条物资行（站点、物资）一行
-- param: within_days int   the window in days (default 90)
-- param_zh: within_days 窗口期天数（默认90）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
select
    l.station_id, s.station_name, s.district, s.station_type,
    l.item, l.item_en, l.category, l.quantity, l.unit, l.expires_on, l.days_to_expiry, l.is_expired,
    l.counted_on
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
where l.quantity > 0
  and l.days_to_expiry <= coalesce($within_days, 90)
order by l.days_to_expiry, l.station_id, l.item
