-- title: 警情时间线
-- title_en: Incident timeline
-- description: One incident's responses in the order they arrived: each station's dispatch, departure, arrival and clear times with its phases, its arrival counted from the incident's clock start (total_s), whether it was the first arrival and whether the station was still out on an earlier incident when dispatched; with the incident's call time, clock start (rule), target and position, the station's position, and how many of the incident's export rows were refused at load (refused_responses; they are not on the timeline).
-- description_zh: 一起警情的各条出警记录，按到场先后排列：每个站点的派警、出动、到场和处置完毕时间及各阶段用时，自该警情计时起点起算的到场用时（total_s），是否为首个到场，以及被派警时该站是否仍在处置此前的警情；并附该警情的接警时间、计时起点（及其规则）、到场目标和位置，站点的位置，以及该警情有多少导出行在导入时被拒收（refused_responses；这些行不在时间线上）。
-- grain: one row per responding station
-- grain_zh: 每个出警站点一行
-- param: incident_id text  the incident number (警情编号); without it, no rows
-- param_zh: incident_id 警情编号；不填则不返回任何行
select
    r.incident_id, r.station_id, r.station_name, r.station_type,
    r.dispatch_at, r.depart_at, r.arrive_at, r.clear_at,
    r.call_processing_s, r.turnout_s, r.travel_s, r.total_s, r.on_scene_s, r.busy_s,
    r.arrival_rank, r.is_first_arrival, r.is_concurrent, r.is_long_turnout, r.is_long_travel,
    r.vehicles_sent, r.staff_sent, r.station_lat, r.station_lon,
    i.call_at, i.clock_start_rule, i.clock_start_at, i.target_s, i.response_s, i.is_within_target,
    i.full_response_at, i.full_response_s,
    i.incident_type, i.channel, i.district, i.street, i.address, i.lat, i.lon,
    (select count(*) from response_rejects x where x.incident_id = $incident_id) as refused_responses
from responses r
join incidents i using (incident_id)
where r.incident_id = $incident_id
order by r.arrival_rank
