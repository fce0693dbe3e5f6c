-- title: 响应时间分布
-- title_en: Response-time distribution
-- description: Incidents with a response time (clock start to first arrival, see response/rules) in 30-second bins; the last bin (bin_start_s = 1200) holds everything from 20 minutes up; is_within_target when every incident of the bin met its target.
-- description_zh: 有响应时间（计时起点至首个到场，见 response/rules）的警情，按每30秒一组统计；最后一组（bin_start_s = 1200）包含20分钟及以上的全部警情；该组每起警情都达到各自的到场目标时 is_within_target 为 true。
-- grain: one row per 30-second bin
-- grain_zh: 每个30秒分组一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 首个到场站点的站点类型代码（默认：全部）
select
    least(floor(response_s / 30) * 30, 1200)::integer as bin_start_s,
    count(*) as incidents,
    bool_and(is_within_target) as is_within_target
from incidents_in($start_date, $end_date, $districts, $station_types)
where response_s is not null
group by 1
order by 1
