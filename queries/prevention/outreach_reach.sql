-- title: 宣传与科普覆盖（每万人）
-- title_en: Outreach reach per 10,000 residents, by district
-- description: Per district of the city profile (population from its census figures): outreach events for residents in the period (door-to-door, community/school/workplace events and drills; team training is the stations' own staff and is left out), people reached (participants), and people reached per 10,000 residents. The same person reached twice counts twice. Default period: the 28 days to the as-of date.
-- grain: one row per district
-- param: start_date date
-- param: end_date date
-- param: districts text[]
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
