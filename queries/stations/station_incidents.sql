-- title: 站点出警记录
-- title_en: One station's responses
-- description: Every response of the station in the period (call date), latest first: the incident, its type and channel, this station's phases and response time (clock start → this station arrived), whether that was within the incident's target, and whether it was first on scene.
-- description_zh: 该站在统计期间内（按接警日期）的每条出警记录，最新的在前：警情、警情类型和接警渠道，本站各阶段用时和响应时间（计时起点 → 本站到场），是否在该警情的到场目标内，以及本站是否为首个到场。
-- grain: one row per incident the station responded to
-- grain_zh: 该站出警的每起警情一行
-- param: station text       station_id (none: no rows)
-- param_zh: station 站点编号 station_id（不填：不返回任何行）
-- param: start_date date    first call date (default: the default period, emss/response_rules.toml [period], ending at end_date)
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date      last call date (default: the data's as-of date)
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
select
    r.incident_id, r.incident_type, r.channel, r.district, r.call_at, r.arrive_at,
    r.call_processing_s, r.turnout_s, r.travel_s, r.total_s as response_s, r.target_s,
    r.total_s <= r.target_s as is_within_target,
    r.is_first_arrival as was_first
from responses_in($start_date, $end_date) r
where r.station_id = $station
order by r.call_at desc, r.incident_id
