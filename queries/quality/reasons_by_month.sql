-- title: 各月拒收原因
-- title_en: Reject reasons by month
-- description: Rejected incident rows by the month of their alarm time (as written in the export; rows whose time cannot be read are counted under the month they were loaded) and rule.
-- description_zh: 被拒收的出警记录行，按其接警时间所在月份（按导出文件中的写法；接警时间无法识别的行计入其导入时的月份）和拒收规则统计。
-- grain: one row per (month, rule)
-- grain_zh: 每个（月份、规则）一行
select
    date_trunc('month', coalesce(
        try_strptime(raw->>'$.call_at', ['%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y年%m月%d日 %H:%M']),
        b.started_at))::date as month,
    r.rule,
    count(*) as rows
from rejects r join batches b using (batch_id)
group by all
order by month, rule
