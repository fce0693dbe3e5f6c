-- title: 导入批次与质量等级
-- title_en: Load batches and quality grade
-- description: Every load of a source file: kind, outcome, rows read, loaded, rejected and flagged, the share of problem rows (rejected or flagged) and its grade: good ≤ 10 %, needs attention ≤ 33 %, poor above; refused files with their reason.
-- grain: one row per batch
select
    batch_id, source_file, kind, outcome, mapping_file, encoding, header_row,
    rows_read, rows_loaded, rows_rejected, rows_flagged,
    round((coalesce(rows_rejected, 0) + coalesce(rows_flagged, 0)) / nullif(rows_read, 0), 4) as problem_share,
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
