-- title: 警情密度(H3六边形)
-- title_en: Incident density (H3 hexagons)
-- description: Incidents per H3 cell (resolution 8, about 0.74 km² per cell) in the period, with the share of arrivals within the target (300 s unless emss/response_rules.toml sets another per incident type).
-- description_zh: 统计期间内每个 H3 格子（第8级，每格约0.74平方公里）的警情数，以及有到场的警情中在到场目标内（300秒，除非 emss/response_rules.toml 按警情类型另行设定）到场的比例。
-- grain: one row per H3 cell with at least one incident
-- grain_zh: 每个至少有一起警情的 H3 格子一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
select
    h3_r8,
    count(*) as incidents,
    count(*) filter (where is_within_target) / nullif(count(first_arrive_at), 0) as within_target_rate
from incidents_in($start_date, $end_date, $districts, $station_types)
where h3_r8 is not null
group by h3_r8
order by incidents desc, h3_r8
