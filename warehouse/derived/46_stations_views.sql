-- Analyst views over the station marts (45), and the build-target rule, defined once
-- for queries/stations/*: the stable surface the station and inventory queries read.

create or replace view main.station_readiness_monthly as select * from marts.station_readiness_monthly;

create or replace view main.inventory_latest as
select
    station_id, counted_on, item, item_en, item_category as category, kit, kit_item, kit_required,
    quantity, required_quantity, usable_quantity, unit, expires_on, status,
    is_usable, is_expired, days_to_expiry
from marts.inventory_latest;

-- A year's build target (stations to open) per station type, for a scope:
--   no districts chosen: the city-wide row if there is one, else the sum of the district rows;
--   districts chosen: the sum of those districts' rows, else none (a city-wide target says
--   nothing about one district's share of it).
create or replace macro main.type_targets(target_year, districts) as table
select
    station_type,
    cast(case when len(districts) = 0
              then coalesce(sum(target_count) filter (where district is null), sum(target_count))
              else sum(target_count) filter (where list_contains(districts, district)) end as integer) as target_count
from core.station_targets
where year = target_year
group by station_type;
