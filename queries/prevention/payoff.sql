-- title: 事前预防与下季度火灾（按街道、季度）
-- title_en: Does prevention pay off? Patrols and hazards against the next quarter's fires, by street
-- description: Per street (街道) and quarter: the patrols by its stations, the hazards found and rectified there, the hazards still open past their deadline at the quarter's end (for the quarter under way, on the data's as-of date), and the fires (incident type 火灾扑救) there in the following quarter, with patrols and fires per 10,000 residents. Residents per street are estimated as an equal share of the district's census population (the city profile gives none below the district). This shows association, not proof: streets that patrol more, or leave hazards overdue, may differ in other ways (building stock, population, reporting), and a quarter's fires have many causes. next_quarter_complete is false while the following quarter is not over by the data's as-of date. Quarters from the first patrol or hazard on, within start_date and end_date if given (by the quarter's first day).
-- description_zh: 按街道和季度：该街道站点的巡查次数、在该街道发现和整改的隐患数、季末仍未整改且已过整改期限的隐患数（进行中的季度按数据截至日期计），以及该街道下一季度的火灾数（警情类型为火灾扑救），并给出每万名常住人口的巡查次数和火灾数。各街道常住人口按所在区人口普查人口平均分摊估算（城市配置中没有区以下的人口数据）。这只反映相关性，不能证明因果：巡查较多或隐患逾期未整改的街道可能在其他方面也不同（建筑状况、人口、报警习惯），一个季度的火灾也有多种原因。下一季度截至数据截至日期尚未结束时，next_quarter_complete 为 false。季度从最早有巡查或隐患记录的季度开始；如给定 start_date 和 end_date，只取其范围内的季度（按季度第一天判断）。
-- grain: one row per (district, street, quarter)
-- grain_zh: 每个（行政区、街道、季度）一行
-- param: start_date date
-- param_zh: start_date 季度第一天不早于此日期（默认：不设限，从最早有巡查或隐患记录的季度开始）
-- param: end_date date
-- param_zh: end_date 季度第一天不晚于此日期（默认：不设限，至数据截至日期所在季度）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
with as_of_day as (select as_of_date from data_as_of),
first_day as (
    select least((select min(patrol_date) from patrols), (select min(found_on) from hazards)) as first_on
),
quarters as (
    select cast(q as date) as quarter_start, cast(q + interval 3 month as date) - 1 as quarter_end,
           least(cast(q + interval 3 month as date) - 1, a.as_of_date) as judged_on,
           cast(q + interval 3 month as date) as next_start, cast(q + interval 6 month as date) - 1 as next_end
    from first_day f, as_of_day a,
         unnest(generate_series(date_trunc('quarter', f.first_on), date_trunc('quarter', a.as_of_date), interval 3 month)) as t(q)
    where f.first_on is not null
      and ($start_date is null or cast(q as date) >= cast($start_date as date))
      and ($end_date is null or cast(q as date) <= cast($end_date as date))
),
cells as (
    select s.district, s.street, s.residents_estimated, q.*
    from streets s cross join quarters q
    where len($districts) = 0 or list_contains($districts, s.district)
),
patrolled as (
    select c.district, c.street, c.quarter_start, count(*) as patrols, cast(sum(p.places_visited) as bigint) as places_visited
    from cells c join patrols p on p.district = c.district and p.street = c.street
     and p.patrol_date between c.quarter_start and c.quarter_end
    group by all
),
found as (
    select c.district, c.street, c.quarter_start,
           count(*) filter (where h.found_on between c.quarter_start and c.quarter_end) as hazards_found,
           count(*) filter (where h.rectified_on between c.quarter_start and c.quarter_end) as hazards_rectified,
           count(*) filter (where h.due_on < c.judged_on
                              and hazard_open_on(h.found_on, h.rectified_on, h.status, c.judged_on)) as overdue_at_quarter_end
    from cells c join hazards h on h.district = c.district and h.street = c.street and h.found_on <= c.quarter_end
    group by all
),
fires as (  -- from the daily counts by street: every quarter since the first patrol, not every incident read
    select c.district, c.street, c.quarter_start, cast(sum(d.incidents) as bigint) as fires_next_quarter
    from cells c join street_daily d on d.district = c.district and d.street = c.street
     and d.incident_type = 'fire' and d.call_date between c.next_start and c.next_end
    group by all
)
select
    c.district, c.street, c.quarter_start, year(c.quarter_start) as year, quarter(c.quarter_start) as quarter,
    round(c.residents_estimated) as residents_estimated,
    coalesce(p.patrols, 0) as patrols,
    coalesce(p.places_visited, 0) as places_visited,
    round(10000.0 * coalesce(p.patrols, 0) / nullif(c.residents_estimated, 0), 2) as patrols_per_10k,
    coalesce(f.hazards_found, 0) as hazards_found,
    coalesce(f.hazards_rectified, 0) as hazards_rectified,
    coalesce(f.overdue_at_quarter_end, 0) as overdue_at_quarter_end,
    coalesce(x.fires_next_quarter, 0) as fires_next_quarter,
    round(10000.0 * coalesce(x.fires_next_quarter, 0) / nullif(c.residents_estimated, 0), 3) as fires_next_quarter_per_10k,
    c.next_end <= a.as_of_date as next_quarter_complete
from cells c
cross join as_of_day a
left join patrolled p using (district, street, quarter_start)
left join found f using (district, street, quarter_start)
left join fires x using (district, street, quarter_start)
order by c.district, c.street, c.quarter_start
