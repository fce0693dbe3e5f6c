-- title: 警情密度(H3六边形)
-- title_en: Incident density (H3 hexagons)
-- description: Incidents per H3 cell (resolution 8, about 0.74 km² per cell) in the period, with the share of arrivals within 300 s.
-- grain: one row per H3 cell with at least one incident
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
with bounds as (
    select coalesce(cast($end_date as date), (select as_of_date from data_as_of)) as end_date
),
period as (
    select coalesce(cast($start_date as date), end_date - 27) as start_date, end_date from bounds
)
select
    h3_r8,
    count(*) as incidents,
    round(count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0), 4) as within_target_rate
from incidents i, period p
where i.call_date between p.start_date and p.end_date
  and i.h3_r8 is not null
  and (len($districts) = 0 or list_contains($districts, i.district))
  and (len($station_types) = 0 or list_contains($station_types, i.first_station_type))
group by h3_r8
order by incidents desc
