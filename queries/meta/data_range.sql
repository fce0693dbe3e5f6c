-- title: 数据范围
-- title_en: Data range
-- description: The first and last incident date, the date the data is current to, and the first day of the default period (emss/response_rules.toml [period]) and how many incidents it holds; pages default their date range from it.
-- grain: one row
select
    (select min(call_date) from incidents) as first_call_date,
    (select max(call_date) from incidents) as last_call_date,
    (select as_of_date from data_as_of) as as_of_date,
    period_start(null, null) as default_start_date,
    (select count(*) from incidents) as incidents,
    (select count(*) from incidents where call_date >= period_start(null, null)) as incidents_in_default_period,
    (select count(*) from stations) as stations
