-- Definitions the load (etl/load.py) and the derived layer both use, so they exist before any row
-- is loaded.

-- Seconds from one moment to a later one, never below zero and null when either is missing.
-- A mapping's minute precision lets the order rule tolerate an inversion within the rounding
-- (etl/rules.py); such a phase took no time, it did not take negative time. (DuckDB's greatest()
-- would turn a missing arrival into 0, so this is written out.)
create or replace macro main.non_negative_s(elapsed) as
    case when epoch(elapsed) < 0 then 0 else cast(epoch(elapsed) as integer) end;

-- Until when a response kept its station out: its clear time, else the last time its record gives
-- (a response without a clear time keeps the station out until then). The responses mart judges
-- concurrency by it (derived/41_marts_responses.sql), and a load finds by it which later responses
-- of a station one of its rows can change (warehouse/build.py).
create or replace macro main.busy_until(clear_at, arrive_at, depart_at, dispatch_at) as
    coalesce(clear_at, arrive_at, depart_at, dispatch_at);
