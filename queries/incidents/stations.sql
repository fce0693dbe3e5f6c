-- title: 警情筛选的站点
-- title_en: Stations to filter incidents by
-- description: Every station with a response in the period, by number, with its name, type and district from the station registry: the stations the incident list can be narrowed to. The same stations as the station league table (response/station_league) lists for the same period and filters, without its figures.
-- description_zh: 统计期间内有出警记录的每个站点，按站点编号排列，附站点名册中的名称、类型和所属行政区：即警情列表可按其筛选的站点。与相同期间和筛选条件下站点响应排名（response/station_league）所列站点相同，但不含其各项指标。
-- grain: one row per station
-- grain_zh: 每个站点一行
-- param: start_date date
-- param_zh: start_date 首个接警日期（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 最后一个接警日期（默认：数据截至日期）
-- param: districts text[]  district of the incident (default: all)
-- param_zh: districts 警情所属行政区（默认：全部）
-- param: station_types text[]  the station's type (default: all)
-- param_zh: station_types 站点的站点类型（默认：全部）
with responded as (
    select distinct station_id
    from responses_in($start_date, $end_date)
    where (len($districts) = 0 or list_contains($districts, district))
      and (len($station_types) = 0 or list_contains($station_types, station_type))
)
select r.station_id, s.station_name, s.station_type, s.district
from responded r
left join stations s using (station_id)
order by r.station_id
