-- title: 快照中的KPI历史
-- title_en: A KPI's history across snapshots
-- description: One KPI per snapshotted week as first reported (revision 1) and as last revised, so a trend read from the snapshots survives later revisions of the data and shows them.
-- description_zh: 某项KPI在每个已存快照周的首次快照值（修订版1）和最新修订值，使从快照读出的趋势不受数据日后修订的影响，并能显示这些修订。
-- grain: one row per snapshotted week
-- grain_zh: 每个已存快照的周一行
-- param: kpi text        e.g. within_target_rate (default), incidents, in_service
-- param_zh: kpi KPI 名称，如 within_target_rate（默认）、incidents、in_service
-- param: dimension text  city (default), district or station_type
-- param_zh: dimension 维度：city（全市，默认）、district 或 station_type
-- param: code text       district or station-type code (default: '' = the city)
-- param_zh: code 行政区或站点类型代码（默认：'' = 全市）
with picked as (
    select s.*
    from meta.snapshots s
    where s.kpi = coalesce($kpi, 'within_target_rate')
      and s.dimension = coalesce($dimension, 'city')
      and s.code = coalesce($code, '')
)
select
    week,
    max(week_start) as week_start,
    count(*) as revisions,
    arg_min(value, revision) as first_value,
    arg_max(value, revision) as latest_value,
    arg_min(value, revision) is distinct from arg_max(value, revision) as is_revised
from picked
group by week
order by week
