-- title: 被拒收的行
-- title_en: Rejected rows
-- description: The rejected rows themselves, with file, row number (as a spreadsheet shows it), rule, message and the values as delivered, to fix and reload. Filter by file and rule; at most row_limit rows (default 500).
-- grain: one row per rejected row and rule
-- param: source_file text
-- param: rule text
-- param: row_limit int
select r.batch_id, r.source_file, r.source_row, r.rule, r.message, r.raw
from rejects r
where ($source_file is null or r.source_file = $source_file)
  and ($rule is null or r.rule = $rule)
order by r.batch_id, r.source_row, r.rule
limit coalesce($row_limit, 500)
