"""`emss ingest --explain FILE`: how each column would be read, before anything is written.

It runs on an in-memory DuckDB that may read the file (and its joined file) and
nothing else, write no file at all, and change no setting.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl import staging, vocabulary
from etl.mapping import Mapping
from etl.readers import read_export
from etl.scratch import scratch_folder
from warehouse.connection import connect_memory, restrict_file_access

SAMPLE_ROWS = 3


def explain(path: str | Path, kind: str | None = None, mapping: Mapping | None = None) -> str:
    path = Path(path)
    export = read_export(path, header_words=mapping.source_columns() if mapping else None)
    kind = kind or (mapping.kind if mapping else None) or export.kind
    lines = [
        f"文件 / file: {path.name}",
        f"  编码 / encoding: {export.encoding or 'xlsx'}" + (f", 工作表 / sheet: {export.sheet}" if export.sheet else ""),
        f"  表头行 / header row: {export.header_row}; 分隔符 / delimiter: {export.delimiter!r}",
        f"  类型 / kind: {kind or '无法判断 / unknown (use --kind)'}"
        + (f" (映射 / mapping {mapping.source.name})" if mapping else ""),
    ]
    if kind is None:
        return "\n".join(lines)
    the_plan = staging.plan(export, kind, mapping)
    hmap = the_plan.hmap
    with scratch_folder() as scratch:
        con = connect_memory()
        try:
            con.execute("SET temp_directory = ?", [str(scratch)])
            readable = [path] + ([the_plan.join.path] if the_plan.join is not None else [])
            restrict_file_access(con, readable, readable_dirs=[scratch])
            con.execute("SET lock_configuration = true")
            rows = staging.stage(con, export, kind, mapping, scratch)
            lines.insert(3, f"  数据行 / data rows: {rows:,}")
            sample = con.sql("select * from stg order by row_id limit ?", params=[SAMPLE_ROWS]).pl()
            typed = _typed_sample(con, kind, mapping)
        finally:
            con.close()
    mapped = dict(mapping.columns) if mapping else {}
    lines.append("  字段 / fields (source → canonical: first values → as read):")
    for fname in vocabulary.FIELDS[kind]:
        if fname in mapped:
            source = f"{mapped[fname]!r} (mapping)"
        else:
            source = next((repr(h) for h, f in hmap.columns.items() if f == fname), None)
        if source is None:
            continue
        raw = sample[fname].to_list()
        parsed = typed.get(fname)
        lines.append(f"    {source} → {fname}: {raw}" + (f" → {parsed}" if parsed is not None else ""))
    for h in hmap.personal:
        lines.append(f"    {h!r} → 个人信息，丢弃 / personal data, dropped")
    for h in hmap.unmapped:
        if not mapping or h not in mapping.source_columns():
            lines.append(f"    {h!r} → 未识别，保存在 extra / not recognised, kept in raw.extra")
    missing = [f for f in vocabulary.REQUIRED[kind] if f not in mapped and f not in hmap.columns.values()]
    if missing:
        lines.append(f"  缺少必需字段 / missing required fields: {', '.join(missing)} — the file would be refused")
    return "\n".join(lines)


def _typed_sample(con, kind: str, mapping: Mapping | None) -> dict[str, list]:
    """The sample rows through the same parsing SQL the load uses."""
    try:
        staging.prepare_lookups(con)
        staging.parsing_macros(con, mapping.timestamp_formats if mapping else [])
        con.execute("create or replace temp table stg_sample as select * from stg order by row_id limit ?", [SAMPLE_ROWS])
        con.execute("create or replace temp view stg as select * from stg_sample")
        con.execute((staging.SQL_DIR / f"{kind}.sql").read_text(encoding="utf-8"))
        frame = con.sql("select * from parsed order by row_id").pl()
    except duckdb.Error:
        return {}
    out = {}
    for fname in vocabulary.FIELDS[kind]:
        col = fname if fname in frame.columns else f"{fname}_in" if f"{fname}_in" in frame.columns else None
        if col:
            out[fname] = [str(v) if v is not None else None for v in frame[col].to_list()]
    return out
