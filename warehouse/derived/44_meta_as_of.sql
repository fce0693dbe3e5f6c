-- meta.as_of: the date the data is current to (the latest day any export speaks of).
-- "This week", expiry and stale counts are judged against it, not against the
-- wall clock, so the same warehouse always gives the same figures.
create or replace table meta.as_of as
select coalesce(
    greatest(
        (select max(call_at)::date from core.incidents),
        (select max(counted_on) from core.inventory_counts),
        (select max(opened_on) from core.stations)
    ),
    current_date
) as as_of_date;
