-- marts.travel_samples: one row per response with a measured travel time (departed ->
-- arrived) and an incident position, that the loader did not flag: the responses the
-- coverage page fits travel time on (queries/coverage/travel_samples.sql). The station's
-- position is not kept here but read from the registry when the samples are, so a
-- station moved in a later registry export needs no rebuild.
--   sample_rank   0..65535, from a hash of (incident_id, station_id): a period holding
--                 more samples than wanted keeps those under a rank, the same ones on
--                 every run. Each month's files are written sorted by rank, so a query
--                 for a few hundred thousand of a year's millions opens mostly the files
--                 of the lowest ranks (FILE_ROWS in warehouse/partitions.py says why not only).
create or replace table marts.travel_samples as
select
    incident_id, station_id, incident_type, call_date, call_at,
    hour(depart_at) as depart_hour,
    turnout_s, travel_s,
    cast(lat as double) as lat,
    cast(lon as double) as lon,
    cast(hash(incident_id, station_id) % 65536 as bigint) as sample_rank,
    strftime(call_at, '%Y-%m') as call_month  -- last: where the files' form of the table puts it
from marts.responses
where travel_s > 0
  and not coalesce(is_flagged, false)
  and lat is not null and lon is not null;

create macro if not exists marts.travel_samples_months(first_month, last_month) as table
    select * from marts.travel_samples
    where (first_month is null or call_month >= first_month) and (last_month is null or call_month <= last_month);

-- marts.travel_sample_daily: one row per (call_date, station_id): how many travel samples each station
-- gave on each day. A small table (stations x days) from which the coverage page's query counts a
-- year's samples to choose how many ranks to keep (queries/coverage/travel_samples.sql), where
-- counting them in marts.travel_samples read every sample of the year (6.3 million at 10 M incidents).
create or replace table marts.travel_sample_daily as
select call_date, station_id, count(*) as samples
from marts.travel_samples
group by all
order by call_date;
