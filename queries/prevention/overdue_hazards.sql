-- title: 逾期未整改隐患清单
-- title_en: Overdue hazards
-- description: Hazards still open on a day (default: the data's as-of date) whose rectification deadline (the register's, else the standard's days for the level) has passed: oldest deadline first, then by street and station, with the days overdue. A hazard the register calls rectified, with or without a date, is not listed.
-- description_zh: 在某一天（默认：数据截至日期）仍未整改且已过整改期限（取台账所填期限；未填时按标准中该隐患等级的整改天数推算）的隐患：整改期限最早的在前，再按街道和站点排列，并给出逾期天数。台账记为已整改的隐患，无论有无整改完成日期，都不列出。
-- grain: one row per overdue hazard
-- grain_zh: 每处逾期未整改隐患一行
-- param: as_of date        (default: the data's as-of date)
-- param_zh: as_of 判断逾期的日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with day as (select coalesce(cast($as_of as date), (select as_of_date from data_as_of)) as on_day)
select
    d.on_day as as_of,
    h.hazard_id, h.district, h.street, h.community, h.station_id, h.station_name, h.station_type,
    h.place, h.place_type, h.hazard_type, h.level, h.found_on, h.due_on,
    date_diff('day', h.due_on, d.on_day) as days_overdue
from hazards h cross join day d
where h.due_on < d.on_day
  and hazard_open_on(h.found_on, h.rectified_on, h.status, d.on_day)
  and (len($districts) = 0 or list_contains($districts, h.district))
  and (len($station_types) = 0 or list_contains($station_types, h.station_type))
order by h.due_on, h.street, h.station_id, h.hazard_id
