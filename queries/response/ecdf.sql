-- title: 响应时间累计分布
-- title_en: Cumulative response-time distribution (ECDF)
-- description: For each distinct clock-start-to-first-arrival time (seconds), how many incidents took exactly that long and the share of the group's timed incidents that took at most that long. With group_by (district, station_type, station, incident_type or channel) one curve per group; without, one curve (group_code 'all'). Read the share at 300 s to get the 5-minute rate, and the time where the share reaches 0.9 to get the 90th percentile.
-- description_zh: 对每个不同的计时起点至首个到场用时（秒）：恰好用时这么长的警情数，以及该分组有响应时间的警情中用时不超过该值的比例。指定 group_by（district、station_type、station、incident_type 或 channel）时每个分组一条曲线；不指定时只有一条曲线（group_code 为 'all'）。读300秒处的比例即得5分钟到场率，读比例达到0.9时的用时即得90分位。
-- grain: one row per (group, response_s)
-- grain_zh: 每个（分组、response_s）一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
-- param: group_by text  district | station_type | station | incident_type | channel (default: none, one curve)
-- param_zh: group_by 分组方式：district | station_type | station | incident_type | channel（默认：不分组，只有一条曲线）
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
