-- title: 城市配置
-- title_en: City profile
-- description: The city the warehouse is about, as recorded when it was built (emss/profiles): names, time zone, and the whole profile as JSON (districts, boundaries, words). Every date, hour and weekday in the warehouse is this time zone's.
-- description_zh: 数据仓库所属的城市，按建库时的记录（emss/profiles）：城市名称、时区，以及 JSON 格式的完整城市配置（行政区、边界、用词）。数据仓库中的所有日期、小时和星期都按该时区计。
-- grain: one row
-- grain_zh: 一行
select name_zh, name_en, timezone, record from meta.profile
