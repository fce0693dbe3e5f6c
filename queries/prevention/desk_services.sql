-- title: 便民服务（按服务项目）
-- title_en: Convenience desk services, by kind
-- description: Per service of the stations' convenience desks (便民服务台: emergency medicine, short phone charging, urgent enquiries, ...): times served in the period, stations that served it, and times served per station per week among those stations. Default period: the 28 days to the as-of date.
-- description_zh: 按站点便民服务台的每个服务项目（应急药品、短时充电、紧急咨询等）：统计期间内的服务人次、提供过该服务的站点数，以及在这些站点中平均每站每周的服务人次。默认统计期间：截至数据截至日期的28天。
-- grain: one row per service
-- grain_zh: 每个服务项目一行
-- param: start_date date
-- param_zh: start_date 统计期间首日（默认：按 emss/response_rules.toml [period] 的默认统计期间，截至 end_date）
-- param: end_date date
-- param_zh: end_date 统计期间末日（默认：数据截至日期）
-- param: districts text[]
-- param_zh: districts 行政区代码（默认：全部）
-- param: station_types text[]
-- param_zh: station_types 站点类型代码（默认：全部）
with bounds as (
    select period_start($start_date, $end_date) as start_on, period_end($end_date) as end_on
)
select
    b.start_on as start_date, b.end_on as end_date,
    d.service,
    cast(sum(d.service_count) as bigint) as times_served,
    count(distinct d.station_id) as stations,
    -- in doubles throughout: a decimal 7.0 would round the weeks to 6 places on Spark
    cast(sum(d.service_count) as double) * 7 / count(distinct d.station_id) / (date_diff('day', b.start_on, b.end_on) + 1)
        as per_station_week
from desk_services d cross join bounds b
where d.served_on between b.start_on and b.end_on
  and (len($districts) = 0 or list_contains($districts, d.district))
  and (len($station_types) = 0 or list_contains($station_types, d.station_type))
group by b.start_on, b.end_on, d.service
order by times_served desc, d.service
