-- marts.station_turnout_year: main.station_turnouts over the 365 days ending at the data's as-of date
-- (first_day, last_day), the year the coverage page's model opens on (queries/coverage/stations.sql
-- reads it for that year, and computes any other). A year of turnouts is millions of responses at
-- 10 M incidents, their medians by station most of that page's queries; a load computes it once.
-- Its bounds are the as-of date, which DuckDB reads as a constant once the build has written it
-- (warehouse.build.pin_period): warehouse/build.py runs this file after that (AFTER_PIN).
create or replace table marts.station_turnout_year as
-- the default year, as the period macros define it (50_views.sql), so that the query's test of the
-- year it is asked for and this table's bounds are the same definition
select main.year_start(null, null) as first_day, main.period_end(null) as last_day, t.*
from main.station_turnouts(main.year_start(null, null), main.period_end(null)) t
order by t.station_id;
