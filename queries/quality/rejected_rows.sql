-- title: 被拒收的行
-- title_en: Rejected rows
-- description: The rejected rows themselves, with file, row number (as a spreadsheet shows it), rule, message and the values as delivered, to fix and reload. Filter by file and rule; at most row_limit rows (default 500).
-- description_zh: 被拒收的行本身，附文件、行号（与电子表格中显示的一致）、规则、说明和原始值，供修正后重新导入。可按文件和规则筛选；最多返回 row_limit 行（默认500）。
-- grain: one row per rejected row and rule
-- grain_zh: 每个（被拒收的行、规则）一行
-- param: source_file text
-- param_zh: source_file 源文件名（默认：全部文件）
-- param: rule text
-- param_zh: rule 拒收规则代码（默认：全部规则）
-- param: row_limit int
-- param_zh: row_limit 最多返回的行数（默认500）
select r.batch_id, r.source_file, r.source_row, r.rule, r.message, r.raw
from rejects r
where ($source_file is null or r.source_file = $source_file)
  and ($rule is null or r.rule = $rule)
order by r.batch_id, r.source_row, r.rule
limit coalesce($row_limit, 500)
