-- title: 事前预防标准
-- title_en: The prevention standard
-- description: The numbers prevention is judged by, as the warehouse was built with them (emss/standard.toml [prevention]): patrols per station-week, drills per quarter, training hours per staff member per year by discipline (forest stations' extra disciplines apart), and days to rectify a hazard by level.
-- description_zh: 评判事前预防工作所用的标准数值，以当前数据仓库建库时所用的为准（emss/standard.toml [prevention]）：每站每周巡查次数、每季度演练次数、按专业类别的每人每年培训时长（林区站的额外专业单独列出），以及按隐患等级的整改天数。
-- grain: one row per (measure, key)
-- grain_zh: 每个（measure、key）一行
select measure, key, value from prevention_standard order by measure, key
