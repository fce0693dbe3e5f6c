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
join stations s using (station_id)
cross join data_as_of a
where in_service_on(s.opened_on, s.closed_on, a.as_of_date)
  and l.quantity > 0
  and l.days_to_expiry <= coalesce($within_days, 90)
  and (len($districts) = 0 or list_contains($districts, s.district))
  and (len($station_types) = 0 or list_contains($station_types, s.station_type))
order by l.days_to_expiry, l.station_id, l.item
