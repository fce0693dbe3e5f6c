-- title: 事前预防标准
-- title_en: The prevention standard
-- description: The numbers prevention is judged by, as the warehouse was built with them (emss/standard.toml [prevention]): patrols per station-week, drills per quarter, training hours per staff member per year by discipline (forest stations' extra disciplines apart), and days to rectify a hazard by level.
-- grain: one row per (measure, key)
select measure, key, value from prevention_standard order by measure, key
