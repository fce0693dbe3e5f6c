-- title: 导入批次与质量等级
-- title_en: Load batches and quality grade
-- description: Every load of a source file: kind, outcome, rows read, loaded, rejected and flagged, the share of problem rows (rejected or flagged) and its grade: good ≤ 10 %, needs attention ≤ 33 %, poor above; refused files with their reason.
-- description_zh: 每次源文件导入：数据类型、导入结果、读取、导入、拒收和标记的行数、问题行（拒收或标记）占比及其质量等级：≤ 10% 为良好，≤ 33% 为需关注，更高为较差；被拒绝导入的文件附其原因。
-- grain: one row per batch
-- grain_zh: 每个导入批次一行
select
    batch_id, source_file, kind, outcome, mapping_file, encoding, header_row,
    rows_read, rows_loaded, rows_rejected, rows_flagged,
    (coalesce(rows_rejected, 0) + coalesce(rows_flagged, 0)) / nullif(rows_read, 0) as problem_share,
    case
        when outcome = 'refused' then 'refused'
        when rows_read = 0 then 'good'
        when (rows_rejected + rows_flagged) / rows_read <= 0.10 then 'good'
        when (rows_rejected + rows_flagged) / rows_read <= 0.33 then 'attention'
        else 'poor'
    end as grade,
    started_at, finished_at, message
from batches
order by batch_id desc
