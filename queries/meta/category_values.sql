-- title: 数据中的分类值
-- title_en: Category values in the data
-- description: Every district, incident type and channel value the incidents and stations hold, with whether the city profile lists it (a value it does not list, e.g. under an open vocabulary, is shown as written) and how many incidents and stations carry it. Filters offer the profile's values, then these.
-- description_zh: 警情和站点数据中出现的每个行政区、警情类型和接警渠道取值，是否列在城市配置中（城市配置未列出的取值，例如开放词表下的取值，按原文显示），以及带有该取值的警情数和站点数。筛选条件先列出城市配置中的取值，再列出这些取值。
-- grain: one row per dimension and value
-- grain_zh: 每个维度及取值一行
with found as (  -- the incidents from their daily counts (each counted once), not all of history
    select 'district' as dimension, district as value, sum(incidents) as incidents, 0 as stations
    from incident_daily where district is not null group by district
    union all
    select 'district', district, 0, count(*) from stations where district is not null group by district
    union all
    select 'incident_type', incident_type, sum(incidents), 0 from incident_daily where incident_type is not null group by incident_type
    union all
    select 'channel', channel, sum(incidents), 0 from incident_daily where channel is not null group by channel
)
select
    f.dimension,
    f.value,
    l.code is not null as in_profile,
    sum(f.incidents)::bigint as incidents,
    sum(f.stations)::bigint as stations
from found f
left join (select distinct dimension, code from labels) l on l.dimension = f.dimension and l.code = f.value
group by f.dimension, f.value, l.code
order by dimension, in_profile desc, incidents desc, value
