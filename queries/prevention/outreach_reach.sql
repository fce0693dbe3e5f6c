-- title: 宣传与科普覆盖（每万人）
-- title_en: Outreach reach per 10,000 residents, by district
-- description: Per district of the city profile (population from its census figures): outreach events for residents in the period (door-to-door, community/school/workplace events and drills; team training is the stations' own staff and is left out), people reached (participants), and people reached per 10,000 residents. The same person reached twice counts twice. Default period: the 28 days to the as-of date.
-- description_zh: 按城市配置中的每个行政区（人口取其人口普查数据）：统计期间内面向居民的宣传活动场次（入户宣传，进社区/校园/企业活动和演练；队伍业务培训的对象是站点自身人员，不计入）、覆盖人次（参与人数），以及每万名常住人口覆盖人次。同一人被覆盖两次按两人次计。默认统计期间：截至数据截至日期的28天。
-- grain: one row per district
-- grain_zh: 每个行政区一行
-- param: start_date date
-- param_zh: start_date 统计期间首日（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 统计期间末日（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
with bounds as (
    select period_start($start_date, $end_date) as start_on, period_end($end_date) as end_on
),
reached as (
    select e.district, count(*) as events, cast(coalesce(sum(e.participants), 0) as bigint) as people_reached,
           count(*) filter (where e.kind = 'door_to_door') as door_to_door_events,
           count(*) filter (where e.kind = 'community_event') as community_events,
           count(*) filter (where e.kind = 'drill') as drills
    from outreach_events e, bounds b
    where e.is_public and e.held_on between b.start_on and b.end_on
    group by e.district
)
select
    b.start_on as start_date, b.end_on as end_date,
    p.district, p.population,
    coalesce(r.events, 0) as events,
    coalesce(r.door_to_door_events, 0) as door_to_door_events,
    coalesce(r.community_events, 0) as community_events,
    coalesce(r.drills, 0) as drills,
    coalesce(r.people_reached, 0) as people_reached,
    round(10000.0 * coalesce(r.people_reached, 0) / nullif(p.population, 0), 2) as reach_per_10k
from district_population p
cross join bounds b
left join reached r using (district)
where len($districts) = 0 or list_contains($districts, p.district)
order by reach_per_10k desc nulls last, p.district
