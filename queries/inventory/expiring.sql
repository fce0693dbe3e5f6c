-- title: 临期与过期物资
-- title_en: Supplies expired or expiring soon
-- description: Lines of the latest count of each station in service that hold stock (quantity > 0) with an expiry date on or before the data's as-of date plus within_days: already expired (days_to_expiry < 0) or expiring within the window. Judged against the data's as-of date.
-- grain: one row per (station, item) line
-- param: within_days int   the window in days (default 90)
-- param: districts text[]
-- param: station_types text[]
select
    l.station_id, s.station_name, s.district, s.station_type,
    l.item, l.item_en, l.category, l.quantity, l.unit, l.expires_on, l.days_to_expiry, l.is_expired,
    l.counted_on
from inventory_latest l
join stations_in_scope($districts, $station_types) s using (station_id)
where l.quantity > 0
  and l.days_to_expiry <= coalesce($within_days, 90)
order by l.days_to_expiry, l.station_id, l.item
