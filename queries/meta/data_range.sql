-- title: 数据范围
-- title_en: Data range
-- description: The first and last incident date, the date the data is current to, and the first day of the default period (emss/response_rules.toml [period]) and how many incidents it holds; pages default their date range from it.
-- description_zh: 最早和最晚的警情日期、数据截至日期，以及默认统计期间（emss/response_rules.toml [period]）的第一天及其包含的警情数；各页面据此确定默认日期范围。
-- grain: one row
-- grain_zh: 一行
-- from the daily counts (every incident counted once): the same figures without reading all of history
select
    (select min(call_date) from incident_daily) as first_call_date,
    (select max(call_date) from incident_daily) as last_call_date,
    (select as_of_date from data_as_of) as as_of_date,
    period_start(null, null) as default_start_date,
    (select coalesce(sum(incidents), 0) from incident_daily)::bigint as incidents,
    (select coalesce(sum(incidents), 0) from incident_daily where call_date >= period_start(null, null))::bigint
        as incidents_in_default_period,
    (select count(*) from stations) as stations
