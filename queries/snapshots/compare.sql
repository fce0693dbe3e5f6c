-- title: 两周快照对比
-- title_en: Two weeks' snapshots side by side
-- description: Every KPI kept for two snapshotted weeks, A and B, with the change (A minus B). Null weeks mean the latest stored week (A) and the stored week before A (B); null revisions mean each week's latest revision.
-- grain: one row per (kpi, dimension, code) in either week
-- param: week_a text      ISO week, e.g. 2026-W47 (default: the latest stored week)
-- param: week_b text      ISO week (default: the stored week before week_a)
-- param: revision_a int   (default: week A's latest revision)
-- param: revision_b int   (default: week B's latest revision)
with picked_a as (
    select coalesce($week_a, (select max(week) from meta.snapshots)) as week_a
),
picked as (
    select week_a, coalesce($week_b, (select max(week) from meta.snapshots where week < week_a)) as week_b
    from picked_a
),
revisions as (
    select
        p.week_a, p.week_b,
        coalesce($revision_a, (select max(revision) from meta.snapshots s where s.week = p.week_a)) as revision_a,
        coalesce($revision_b, (select max(revision) from meta.snapshots s where s.week = p.week_b)) as revision_b
    from picked p
),
a as (
    select s.kpi, s.dimension, s.code, s.value
    from meta.snapshots s join revisions r on s.week = r.week_a and s.revision = r.revision_a
),
b as (
    select s.kpi, s.dimension, s.code, s.value
    from meta.snapshots s join revisions r on s.week = r.week_b and s.revision = r.revision_b
)
select
    r.week_a, r.revision_a, r.week_b, r.revision_b,
    kpi, dimension, code,
    a.value as value_a,
    b.value as value_b,
    a.value - b.value as change
from a full join b using (kpi, dimension, code)
cross join revisions r
order by case dimension when 'city' then 0 when 'district' then 1 else 2 end, code, kpi
