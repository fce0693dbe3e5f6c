-- title: 已存周报快照
-- title_en: Stored weekly snapshots
-- description: Every recorded revision of every week's snapshot (emss snapshot): when it was recorded, the data it rests on, its headline figures, and whether it is the week's latest. A week with more than one revision had its data revised after it was first snapshotted.
-- description_zh: 每周快照（emss snapshot）的每个已记录修订版：记录时间、所依据的数据、主要指标，以及是否为该周最新的修订版。有多个修订版的周，其数据在首次快照后被修订过。
-- grain: one row per (week, revision)
-- grain_zh: 每个（周、修订版）一行
with revisions as (
    select
        week, revision,
        max(week_start) as week_start,
        max(taken_at) as taken_at,
        max(as_of_date) as as_of_date,
        max(cut_at) as cut_at,
        max(data_version) as data_version,
        count(*) as kpis,
        max(value) filter (where kpi = 'incidents' and dimension = 'city') as incidents,
        max(value) filter (where kpi = 'within_target_rate' and dimension = 'city') as within_target_rate,
        max(value) filter (where kpi = 'in_service' and dimension = 'city') as in_service
    from meta.snapshots
    group by week, revision
)
select
    week, week_start, revision,
    count(*) over (partition by week) as revisions,
    revision = max(revision) over (partition by week) as is_latest,
    taken_at, as_of_date, cut_at, data_version, kpis,
    cast(incidents as integer) as incidents, within_target_rate, cast(in_service as integer) as in_service
from revisions
order by week desc, revision desc
