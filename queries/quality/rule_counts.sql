-- title: 拒收与标记原因
-- title_en: Reject and flag reasons
-- description: Rows rejected (not loaded) and flagged (loaded, marked) per source file and rule.
-- description_zh: 按源文件和规则统计被拒收（未导入）和被标记（已导入，加了标记）的行数。
-- grain: one row per (source file, action, rule)
-- grain_zh: 每个（源文件、处理方式、规则）一行
select source_file, 'reject' as action, rule, count(*) as rows
from rejects group by all
union all
select source_file, 'flag' as action, rule, count(*) as rows
from meta.flags group by all
order by rows desc, source_file, rule
