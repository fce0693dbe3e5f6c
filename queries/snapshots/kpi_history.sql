-- title: 快照中的KPI历史
-- title_en: A KPI's history across snapshots
-- description: One KPI per snapshotted week as first reported (revision 1) and as last revised, so a trend read from the snapshots survives later revisions of the data and shows them.
-- grain: one row per snapshotted week
-- param: kpi text        e.g. within_target_rate (default), incidents, in_service
-- param: dimension text  city (default), district or station_type
-- param: code text       district or station-type code (default: '' = the city)
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
