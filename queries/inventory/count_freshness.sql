-- title: 物资盘点时效
-- title_en: How old each station's latest count is
-- description: Per station in service on the data's as-of date: its latest inventory count, its age in days on the as-of date, how many counts are on record, and whether it is stale (older than the standard's stale_after_days, or no count at all: a finding in itself).
-- description_zh: 数据截至日期在役的每个站点：最近一次物资盘点、该次盘点至数据截至日期的天数、有记录的盘点次数，以及是否需要重新盘点（超过标准的 stale_after_days 天，或从未盘点——没有盘点本身就是一项问题）。
-- grain: one row per station in service
-- grain_zh: 每个在役站点一行
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
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
