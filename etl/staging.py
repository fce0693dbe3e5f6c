"""Staging: how an export's columns become the canonical fields, decided and done before any rule runs.

`plan` decides from the headers alone (and refuses a file that lacks what a load needs);
`stage` reads the rows into DuckDB and names them (`stg`: one row per delivered row, canonical
fields as text, unrecognised columns as JSON); `prepare_lookups` and `parsing_macros` give a
connection what the parsing SQL (etl/sql/) needs. The load and `emss ingest --explain` both
use them, so what --explain shows is what a load would do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from emss import categories
from etl import vocabulary
from etl.mapping import Mapping
from etl.readers import Export, ExportError, materialise, read_export
from warehouse.quoting import identifier

SQL_DIR = Path(__file__).resolve().parent / "sql"


def prepare_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Per-connection helpers: the category spellings."""
    con.execute("create or replace temp table spellings (dimension varchar, spelling varchar, code varchar)")
    con.executemany(
        "insert into spellings values (?, lower(trim(?)), ?)",
        categories.lookup_table(),
    )
    # "Fire" and "fire" are one spelling once folded; tests/test_etl.py checks no spelling means two codes
    con.execute("create or replace temp table spellings as select distinct * from spellings")
    con.execute("""create or replace temp table spelling_maps as
                   select dimension, map_from_entries(list((spelling, code))) as m from spellings group by dimension""")


def parsing_macros(con: duckdb.DuckDBPyConnection, timestamp_formats: list[str]) -> None:
    """The parsing macros, with a mapping file's timestamp formats (bound, never pasted) tried first."""
    con.execute("SET VARIABLE extra_timestamp_formats = ?::varchar[]", [list(timestamp_formats)])
    con.execute((SQL_DIR / "macros.sql").read_text(encoding="utf-8"))


_q = identifier  # every name from a file or a mapping enters SQL through warehouse.quoting


@dataclass
class Plan:
    """How a file's columns become canonical fields: decided from the headers alone."""
    headers: list[str]           # the file's columns, with the joined file's after them
    joined: list[tuple[str, str]]  # (column in the joined file, name it gets here)
    mapped: dict[str, object]    # field -> mapping spec
    hmap: vocabulary.HeaderMap   # fields found by the vocabulary among the other columns
    join: Export | None = None


def plan(export: Export, kind: str, mapping: Mapping | None) -> Plan:
    """Refuses, before anything is read or written, a file that lacks what the load needs."""
    headers, joined, join = list(export.headers), [], None
    if mapping is not None and mapping.join_file:
        join = read_export(export.path.parent / mapping.join_file, header_words=[mapping.join_on, *mapping.source_columns()])
        for name, cols in ((export.path.name, export.headers), (join.path.name, join.headers)):
            if mapping.join_on not in cols:
                raise ExportError(f"{name} 没有关联列 / has no join column {mapping.join_on!r}")
        for col in join.kept:
            if col != mapping.join_on:
                joined.append((col, f"{col} (joined)" if col in headers else col))
        headers += [name for _, name in joined]
    mapped = dict(mapping.columns) if mapping else {}
    for fname, spec in mapped.items():
        for col in ([spec] if isinstance(spec, str) else spec if isinstance(spec, list) else [spec["column"]]):
            if col in export.personal or (join is not None and col in join.personal):
                raise ExportError(f"映射文件指向个人信息列，不会读取 / mapping names column {col!r} for {fname}, "
                                  "but it holds callers' or contacts' details, which are never read")
            if col not in headers:
                raise ExportError(f"映射文件中的列不存在 / mapping names column {col!r} for {fname}, not in the file")
    used = set(mapping.source_columns()) if mapping else set()
    hmap = vocabulary.map_headers([h for h in headers if h not in used], kind)
    hmap.columns = {h: f for h, f in hmap.columns.items() if f not in mapped}
    missing = [f for f in vocabulary.REQUIRED[kind] if f not in mapped and f not in hmap.columns.values()]
    if missing:
        labels = "、".join(vocabulary.FIELDS[kind][f][0] for f in missing)
        raise ExportError(f"缺少必需列: {labels} / missing required columns: {', '.join(missing)}")
    return Plan(headers, joined, mapped, hmap, join)


def _field_sql(con: duckdb.DuckDBPyConnection, fname: str, spec: object) -> str:
    """The SQL that reads one canonical field from the delivered columns, as a mapping names them.
    A pattern is bound into a variable named after the field (a canonical name, not the mapping's)."""
    if isinstance(spec, str):
        return _q(spec)
    if isinstance(spec, list):
        return "nullif(concat_ws(' ', " + ", ".join(_q(c) for c in spec) + "), '')"
    if "pattern" in spec:
        con.execute(f"SET VARIABLE pattern_{fname} = ?", [spec["pattern"]])
        return f"nullif(regexp_extract({_q(spec['column'])}, getvariable('pattern_{fname}'), 1), '')"
    return _q(spec["column"])


def stage(con: duckdb.DuckDBPyConnection, export: Export, kind: str, mapping: Mapping | None,
           scratch: Path) -> int:
    """Temp view `stg`: one row per delivered row, canonical fields as text, unmapped columns as JSON.

    Only the delivered rows are stored (temp table `delivered`); `stg` names them, so each later
    step reads just the columns it needs."""
    the_plan = plan(export, kind, mapping)
    materialise(export, con, "delivered", scratch)
    # row_id: unique even when a join repeats a source row (rowid could be hidden by a column named RowID)
    row_id = "source_row"
    if the_plan.join is not None:
        materialise(the_plan.join, con, "delivered_join", scratch)
        picks = ", ".join(f"j.{_q(col)} as {_q(name)}" for col, name in the_plan.joined)
        key = _q(mapping.join_on)
        con.execute(f"""create or replace temp table delivered as
                        select cast(row_number() over (order by d.source_row) as integer) as _row_id, d.*, {picks}
                        from delivered d left join delivered_join j on d.{key} = j.{key}
                        order by d.source_row""")
        con.execute("drop table if exists delivered_join")
        row_id = "_row_id"
    used = set(mapping.source_columns()) if mapping else set()
    select = [f"{row_id} as row_id", "source_row"]
    for fname in vocabulary.FIELDS[kind]:
        src = next((h for h, f in the_plan.hmap.columns.items() if f == fname), None)
        if fname in the_plan.mapped:
            expr = f"cast({_field_sql(con, fname, the_plan.mapped[fname])} as varchar)"
        else:
            expr = _q(src) if src else "cast(null as varchar)"
        if mapping and fname in mapping.values:  # the translations bound as a map, never pasted
            translations = mapping.values[fname]
            con.execute(f"SET VARIABLE values_{fname} = map(?::varchar[], ?::varchar[])",
                        [list(translations), list(translations.values())])
            expr = f"coalesce(getvariable('values_{fname}')[{expr}], {expr})"
        select.append(f"{expr} as {fname}")
    unmapped = [h for h in the_plan.hmap.unmapped if h not in used]
    if unmapped:
        select.append("to_json(struct_pack(" + ", ".join(f"{_q(h)} := {_q(h)}" for h in unmapped) + ")) as extra")
    else:
        select.append("cast(null as json) as extra")
    con.execute(f"create or replace temp view stg as select {', '.join(select)} from delivered")
    return con.execute("select count(*) from delivered").fetchall()[0][0]
