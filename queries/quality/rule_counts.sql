-- title: 拒收与标记原因
-- title_en: Reject and flag reasons
-- description: Rows rejected (not loaded) and flagged (loaded, marked) per source file and rule.
-- grain: one row per (source file, action, rule)
select source_file, 'reject' as action, rule, count(*) as rows
from rejects group by all
union all
select source_file, 'flag' as action, rule, count(*) as rows
from meta.flags group by all
order by rows desc, source_file, rule
