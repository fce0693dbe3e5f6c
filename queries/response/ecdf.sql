-- title: 响应时间累计分布
-- title_en: Cumulative response-time distribution (ECDF)
-- description: For each distinct clock-start-to-first-arrival time (seconds), how many incidents took exactly that long and the share of the group's timed incidents that took at most that long. With group_by (district, station_type, station, incident_type or channel) one curve per group; without, one curve (group_code 'all'). Read the share at 300 s to get the 5-minute rate, and the time where the share reaches 0.9 to get the 90th percentile.
-- grain: one row per (group, response_s)
-- param: start_date date
-- param: end_date date
-- param: districts text[]
-- param: station_types text[]
-- param: group_by text  district | station_type | station | incident_type | channel (default: none, one curve)
with scope as (
    select
        case nullif($group_by, '')
            when 'district' then district
            when 'station_type' then first_station_type
            when 'station' then first_station_id
            when 'incident_type' then incident_type
            when 'channel' then channel
            else 'all'
        end as group_code,
        response_s
    from incidents_in($start_date, $end_date, $districts, $station_types)
    where response_s is not null
),
counts as (
    select group_code, response_s, count(*) as incidents from scope group by all
)
select
    group_code, response_s, incidents,
    sum(incidents) over (partition by group_code order by response_s) as cum_incidents,
    round(sum(incidents) over (partition by group_code order by response_s)
          / sum(incidents) over (partition by group_code), 6) as cum_share
from counts
order by group_code, response_s
