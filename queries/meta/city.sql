-- title: 城市配置
-- title_en: City profile
-- description: The city the warehouse is about, as recorded when it was built (emss/profiles): names, time zone, and the whole profile as JSON (districts, boundaries, words). Every date, hour and weekday in the warehouse is this time zone's.
-- grain: one row
select name_zh, name_en, timezone, record from meta.profile
