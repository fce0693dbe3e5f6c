"""`emss ingest --explain FILE`: how each column would be read, before anything is written.

It runs on an in-memory DuckDB that may read the file (and its joined file) and
nothing else, write no file at all, and change no setting. A file a load would refuse
for a missing column is still explained: the columns it has, then what it lacks.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from emss import messages, profiles
from etl import staging, vocabulary
from etl.load import to_local_time
from etl.mapping import Mapping
from etl.readers import read_export
from etl.scratch import scratch_folder
from warehouse.connection import connect_memory, restrict_file_access

SAMPLE_ROWS = 3
# Arrival (the KPI's field) is checked on this many rows; a warning past ARRIVAL_UNREADABLE_ROWS
# unreadable rows or ARRIVAL_UNREADABLE_SHARE of those checked.
ARRIVAL_CHECK_ROWS = 1000
ARRIVAL_UNREADABLE_ROWS = 2
ARRIVAL_UNREADABLE_SHARE = 0.05


def explain(path: str | Path, kind: str | None = None, mapping: Mapping | None = None) -> str:
    path = Path(path)
    export = read_export(path, header_words=mapping.source_columns() if mapping else None)
    kind = kind or (mapping.kind if mapping else None) or export.kind
    closest = vocabulary.closest_kind(export.headers) if kind is None else None
    guessed = closest[0] if closest else None  # no kind's required columns are all there: the nearest
    if export.is_parquet:
        layout = [f"  {messages.both('explain_parquet')}"]
    else:
        layout = [f"  编码 / encoding: {export.encoding or 'xlsx'}" + (f", 工作表 / sheet: {export.sheet}" if export.sheet else ""),
                  f"  表头行 / header row: {export.header_row}; 分隔符 / delimiter: {export.delimiter!r}"]
    lines = [
        f"文件 / file: {path.name}",
        *layout,
        (f"  类型 / kind: {kind or '无法判断 / unknown (use --kind)'}" if guessed is None
         else f"  {messages.both('explain_kind_closest', kind=guessed)}")
        + (f" (映射 / mapping {mapping.source.name})" if mapping else ""),
    ]
    kind = kind or guessed
    if kind is None:
        return "\n".join(lines)
    the_plan = staging.plan(export, kind, mapping, require=False)
    hmap = the_plan.hmap
    with scratch_folder() as scratch:
        con = connect_memory()
        try:
            con.execute("SET temp_directory = ?", [str(scratch)])
            readable = [path] + ([the_plan.join.path] if the_plan.join is not None else [])
            restrict_file_access(con, readable, readable_dirs=[scratch])
            con.execute("SET lock_configuration = true")
            rows = staging.stage(con, export, kind, mapping, scratch, require=False)
            lines.insert(len(layout) + 1, f"  数据行 / data rows: {rows:,}")
            sample = con.sql("select * from stg order by row_id limit ?", params=[SAMPLE_ROWS]).pl()
            has_arrival = kind == "incidents" and ("arrive_at" in the_plan.mapped
                                                   or "arrive_at" in hmap.columns.values())
            arrival = _arrival_check(con, mapping) if has_arrival else None
            typed = _typed_sample(con, kind, mapping)
        finally:
            con.close()
    mapped = the_plan.mapped
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
    lines.extend(f"  {problem}" for problem in the_plan.problems)
    if the_plan.missing:
        fields = ", ".join(f"{f} ({vocabulary.FIELDS[kind][f][0]})" for f in the_plan.missing)
        lines.append(f"  {messages.both('explain_missing_required', fields=fields)}")
    if the_plan.missing or the_plan.problems:
        lines.append(f"  {messages.both('explain_would_be_refused')}")
    if kind == "incidents":
        lines.extend(f"  {warning}" for warning in _arrival_warnings(arrival))
    return "\n".join(lines)


def _arrival_check(con, mapping: Mapping | None) -> tuple[int, int, int, list[str]]:
    """Of the first ARRIVAL_CHECK_ROWS staged rows: how many were checked, how many have a blank
    arrival, how many one the parser cannot read, and up to three of those."""
    try:
        staging.prepare_lookups(con)
        staging.parsing_macros(con, mapping.timestamp_formats if mapping else [])
        return con.execute("""
            with head as (select arrive_at, not blank(arrive_at) and parse_ts(arrive_at) is null as unreadable
                          from stg order by row_id limit ?)
            select count(*), count(*) filter (where blank(arrive_at)), count(*) filter (where unreadable),
                   coalesce(list(arrive_at) filter (where unreadable), [])[1:3]
            from head""", [ARRIVAL_CHECK_ROWS]).fetchall()[0]
    except duckdb.Error:
        return (0, 0, 0, [])


def _arrival_warnings(arrival: tuple[int, int, int, list[str]] | None) -> list[str]:
    """Arrival is what the response KPIs are made of: say so when it is missing, blank or unreadable."""
    if arrival is None:
        return [messages.both("explain_no_arrival")]
    checked, blank, unreadable, examples = arrival
    if checked and blank == checked:
        return [messages.both("explain_arrival_blank", checked=f"{checked:,}")]
    if unreadable > ARRIVAL_UNREADABLE_ROWS or (checked and unreadable / checked > ARRIVAL_UNREADABLE_SHARE):
        return [messages.both("explain_arrival_unreadable", count=f"{unreadable:,}", checked=f"{checked:,}",
                              examples=", ".join(repr(e) for e in examples))]
    return []


def _typed_sample(con, kind: str, mapping: Mapping | None) -> dict[str, list]:
    """The sample rows through the same parsing SQL the load uses."""
    try:
        staging.prepare_lookups(con)
        staging.parsing_macros(con, mapping.timestamp_formats if mapping else [])
        con.execute("create or replace temp table stg_sample as select * from stg order by row_id limit ?", [SAMPLE_ROWS])
        con.execute("create or replace temp view stg as select * from stg_sample")
        con.execute((staging.SQL_DIR / f"{kind}.sql").read_text(encoding="utf-8"))
        con.execute("create or replace temp table typed as select * from parsed")
        if kind == "incidents":  # shown in the city's clock, as stored: the export's own zone converted
            to_local_time(con, (mapping.timezone if mapping else None) or profiles.current().timezone)
        frame = con.sql("select * from typed order by row_id").pl()
    except duckdb.Error:
        return {}
    out = {}
    for fname in vocabulary.FIELDS[kind]:
        col = fname if fname in frame.columns else f"{fname}_in" if f"{fname}_in" in frame.columns else None
        if col:
            out[fname] = [str(v) if v is not None else None for v in frame[col].to_list()]
    return out
