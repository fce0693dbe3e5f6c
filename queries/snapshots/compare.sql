-- title: 两周快照对比
-- title_en: Two weeks' snapshots side by side
-- description: Every KPI kept for two snapshotted weeks, A and B, with the change (A minus B). Null weeks mean the latest stored week (A) and the stored week before A (B); null revisions mean each week's latest revision.
-- description_zh: 两个已存快照的周 A 和 B 保存的每项KPI，及其变化（A 减 B）。周为空时，A 为最新的已存周，B 为 A 之前最近的已存周；修订版为空时，取各周最新的修订版。
-- grain: one row per (kpi, dimension, code) in either week
-- grain_zh: 任一周中出现的每个（kpi、dimension、code）一行
-- param: week_a text      ISO week, e.g. 2026-W47 (default: the latest stored week)
-- param_zh: week_a ISO周，如 2026-W47（默认：最新的已存周）
-- param: week_b text      ISO week (default: the stored week before week_a)
-- param_zh: week_b ISO周（默认：week_a 之前最近的已存周）
-- param: revision_a int   (default: week A's latest revision)
-- param_zh: revision_a 周 A 的修订版号（默认：周 A 最新的修订版）
-- param: revision_b int   (default: week B's latest revision)
-- param_zh: revision_b 周 B 的修订版号（默认：周 B 最新的修订版）
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
