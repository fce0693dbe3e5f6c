-- meta.as_of: the date the data is current to (the latest day any export speaks of).
-- "This week", expiry and stale counts are judged against it, not against the
-- wall clock, so the same warehouse always gives the same figures.
create or replace table meta.as_of as
select coalesce(
    greatest(
        -- the last call's day from the daily rollup (40_marts_incidents.sql: every incident, by its call's day):
        -- the incidents themselves are every Parquet file of history, each opened to find its largest time
        (select max(call_date) from marts.incident_daily),
        (select max(counted_on) from core.inventory_counts),
        (select max(opened_on) from core.stations),
        -- prevention (事前预防): the last patrol, hazard found or rectified, event and desk service
        (select max(start_at)::date from core.patrols),
        (select greatest(max(found_on), max(rectified_on)) from core.hazards),
        (select max(held_on) from core.outreach_events),
        (select max(served_at)::date from core.desk_services)
    ),
    current_date
) as as_of_date;

-- The same date, and the default period's length (emss/response_rules.toml [period]), as macros for
-- the period macros (50_views.sql). Defined here by their tables; once the build is done they are
-- written again as the values themselves (warehouse.build._pin_period), so that a period's bounds
-- are constants and DuckDB skips the stored row groups outside it.
create or replace macro main.as_of_date() as (select as_of_date from meta.as_of);
create or replace macro main.default_period_days() as
    (select cast(value as integer) from meta.response_rules where rule = 'period' and key = 'default_days');
