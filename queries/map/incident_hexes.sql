-- title: 警情密度(H3六边形)
-- title_en: Incident density (H3 hexagons)
-- description: Incidents per H3 cell (resolution 8, about 0.74 km² per cell) in the period, with the share of arrivals within 300 s.
-- grain: one row per H3 cell with at least one incident
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
select
    h3_r8,
    count(*) as incidents,
    round(count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0), 4) as within_target_rate
from incidents_in($start_date, $end_date, $districts, $station_types)
where h3_r8 is not null
group by h3_r8
order by incidents desc
