-- title: 各区、各类型站点达标率
-- title_en: Share of stations meeting the standard by district and by type
-- description: Stations in service on the data's as-of date, grouped once by district and once by station type: how many, how many pass every check, the share, and the mean readiness score.
-- description_zh: 数据截至日期在役的站点，分别按行政区和按站点类型分组：站点数、所有检查项都达标的站点数、达标率和平均达标得分。
-- grain: one row per (dimension, code): dimension is 'district' or 'station_type'
-- grain_zh: 每个（dimension、code）一行：dimension 为 'district' 或 'station_type'
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
select
    case when grouping(r.district) = 0 then 'district' else 'station_type' end as dimension,
    coalesce(case when grouping(r.district) = 0 then r.district else r.station_type end, '') as code,
    count(*) as stations_in_service,
    count(*) filter (where r.is_compliant) as compliant,
    count(*) filter (where r.is_compliant) / count(*) as compliant_rate,
    -- the mean score in thousandths, rounded half up: the scores are summed as whole thousandths,
    -- which any engine adds exactly in any order, so every engine gives the same last digit
    floor(sum(round(r.score * 1000)) / count(r.score) + 0.5) / 1000 as mean_score
from station_readiness r, data_as_of a
where in_service_on(r.opened_on, r.closed_on, a.as_of_date)
  and (len($districts) = 0 or list_contains($districts, r.district))
  and (len($station_types) = 0 or list_contains($station_types, r.station_type))
group by grouping sets ((r.district), (r.station_type))
order by dimension, compliant_rate, code
