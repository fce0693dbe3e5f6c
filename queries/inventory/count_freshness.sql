-- title: 物资盘点时效
-- title_en: How old each station's latest count is
-- description: Per station in service on the data's as-of date: its latest inventory count, its age in days on the as-of date, how many counts are on record, and whether it is stale (older than the standard's stale_after_days, or no count at all: a finding in itself).
-- grain: one row per station in service
-- param: districts text[]
-- param: station_types text[]
with counts as (
    select station_id, count(distinct counted_on) as counts_on_record from inventory group by station_id
)
select
    r.station_id, r.station_name, r.district, r.station_type,
    r.last_counted_on, r.count_age_days, coalesce(c.counts_on_record, 0) as counts_on_record,
    r.is_count_stale, r.stale_after_days
from station_readiness r
left join counts c using (station_id)
cross join data_as_of a
where in_service_on(r.opened_on, r.closed_on, a.as_of_date)
  and (len($districts) = 0 or list_contains($districts, r.district))
  and (len($station_types) = 0 or list_contains($station_types, r.station_type))
order by r.is_count_stale desc, r.count_age_days desc nulls first, r.station_id
