"""Staging: how an export's columns become the canonical fields, decided and done before any rule runs.

`plan` decides from the headers alone (and refuses a file that lacks what a load needs);
`stage` reads the rows into DuckDB and names them (`stg`: one row per delivered row, canonical
fields as text, unrecognised columns as JSON); `prepare_lookups` and `parsing_macros` give a
connection what the parsing SQL (etl/sql/) needs. The load and `emss ingest --explain` both
use them, so what --explain shows is what a load would do.

A mapping's constants, generated ids and derived timestamps (see etl/mapping.py) are made here,
as text, so everything after staging treats them as delivered values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from emss import profiles
from etl import rules, vocabulary
from etl.mapping import DURATION_UNITS, Mapping, spec_columns
from etl.readers import Export, ExportError, materialise, read_export, release
from warehouse.quoting import identifier, insert_rows

SQL_DIR = Path(__file__).resolve().parent / "sql"


def prepare_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Per-connection helpers: the category spellings of the city's words, and the dimensions it
    keeps as written (open: any value is known)."""
    city = profiles.current()
    con.execute("create or replace temp table spellings (dimension varchar, spelling varchar, code varchar)")
    insert_rows(con, "spellings", city.lookup_table())
    con.execute("create or replace temp table open_dimensions as select unnest(?::varchar[]) as dimension",
                [sorted(city.open_dimensions)])
    # "Fire" and "fire" are one spelling once folded; tests/test_etl.py checks no spelling means two codes
    con.execute("create or replace temp table spellings as select distinct dimension, lower(trim(spelling)) as spelling, code"
                " from spellings")
    con.execute("""create or replace temp table spelling_maps as
                   select dimension, map_from_entries(list((spelling, code))) as m from spellings group by dimension""")


def parsing_macros(con: duckdb.DuckDBPyConnection, timestamp_formats: list[str]) -> None:
    """The parsing macros, with a mapping file's timestamp formats (bound, never pasted) tried first."""
    con.execute("SET VARIABLE extra_timestamp_formats = ?::varchar[]", [list(timestamp_formats)])
    # what parse_ts gives offset-aware text in: the city's clock
    con.execute("SET VARIABLE warehouse_timezone = ?", [profiles.current().timezone])
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
    # only when planned with require=False (--explain): what a load would refuse the file for
    missing: list[str] = field(default_factory=list)   # required fields found nowhere
    problems: list[str] = field(default_factory=list)  # mapped columns the file lacks (those fields left out)


def plan(export: Export, kind: str, mapping: Mapping | None, require: bool = True) -> Plan:
    """Refuses, before anything is read or written, a file that lacks what the load needs.

    With `require=False` (--explain) a missing column or required field is listed in the plan
    instead, and the fields that need it are left out; a column of callers' details named by the
    mapping, or a join that cannot be made, is refused all the same."""
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
    problems: list[str] = []

    def lacking(fname: str, message: str) -> None:
        if require:
            raise ExportError(message)
        problems.append(message)
        mapped.pop(fname, None)

    for fname, spec in list(mapped.items()):
        for col in spec_columns(spec):
            if col in export.personal or (join is not None and col in join.personal):
                raise ExportError(f"映射文件指向个人信息列，不会读取 / mapping names column {col!r} for {fname}, "
                                  "but it holds callers' or contacts' details, which are never read")
            if col not in headers:
                lacking(fname, f"映射文件中的列不存在 / mapping names column {col!r} for {fname}, not in the file")
    used = set(mapping.source_columns()) if mapping else set()
    hmap = vocabulary.map_headers([h for h in headers if h not in used], kind)
    hmap.columns = {h: f for h, f in hmap.columns.items() if f not in mapped}
    for fname, spec in list(mapped.items()):  # a derived timestamp needs the field it starts from
        if isinstance(spec, dict) and "from" in spec and spec["from"] not in mapped \
                and spec["from"] not in hmap.columns.values():
            lacking(fname, f"推算字段的起点不存在 / {fname} is derived from {spec['from']}, which the file does not have")
    missing = [f for f in vocabulary.REQUIRED[kind] if f not in mapped and f not in hmap.columns.values()]
    if missing and require:
        labels = "、".join(vocabulary.FIELDS[kind][f][0] for f in missing)
        raise ExportError(f"缺少必需列: {labels} / missing required columns: {', '.join(missing)}")
    return Plan(headers, joined, mapped, hmap, join, missing, problems)


def file_key(path: Path) -> str:
    """What a generated id starts with: the first 12 hex digits of the file's sha256, so the same
    file gives the same ids at every load and another file other ones."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:12]


def _field_sql(con: duckdb.DuckDBPyConnection, fname: str, spec: object, export: Export) -> str:
    """The SQL that reads one canonical field from the delivered columns, as a mapping names them.
    A pattern, a constant or an id's prefix is bound into a variable named after the field (a
    canonical name, not the mapping's)."""
    if isinstance(spec, str):
        return _q(spec)
    if isinstance(spec, list):
        return "nullif(concat_ws(' ', " + ", ".join(_q(c) for c in spec) + "), '')"
    if "pattern" in spec:
        con.execute(f"SET VARIABLE pattern_{fname} = ?", [spec["pattern"]])
        return f"nullif(regexp_extract({_q(spec['column'])}, getvariable('pattern_{fname}'), 1), '')"
    if "value" in spec:
        con.execute(f"SET VARIABLE value_{fname} = ?::varchar", [spec["value"]])
        return f"getvariable('value_{fname}')"
    if "generate" in spec:  # "row": the file's key and the row as the source shows it
        con.execute(f"SET VARIABLE generated_{fname} = ?::varchar", [file_key(export.path)])
        return f"getvariable('generated_{fname}') || '-' || cast(source_row as varchar)"
    return _q(spec["column"])


def _derived_sql(spec: dict, start: str) -> str:
    """A timestamp derived from the field `start` (its staged SQL) plus a duration column, as text
    the parser reads, so it is parsed and checked like a delivered one.

    The start is read as the instant it names (with its own offset, else as a wall-clock time in
    the mapping's time zone, variable derived_timezone, as the load's time-zone step reads it), the
    duration added to that instant, and the result written as wall-clock time in that zone with
    its offset (2024-05-21 10:07:05-04:00): exact across a change of the clocks, and not moved
    again by the load's time-zone step. Blank when the start or the duration is blank, or the start
    does not parse (its own rule says so); a duration that is not a number (or beyond 30 years)
    gives text that does not parse, so the row is rejected as unreadable with the text it came from."""
    unit = next(u for u in DURATION_UNITS if u in spec)
    duration, zone = _q(spec[unit]), "getvariable('derived_timezone')"
    seconds = f"parse_num({duration}) * {int(DURATION_UNITS[unit])}"
    instant = f"coalesce(parse_instant({start}), wall_clock_instant({zone}, parse_ts({start})))"
    at = f"({instant} + to_microseconds(try_cast(round({seconds} * 1000000) as bigint)))"
    wall = f"timezone({zone}, {at})"
    offset = f"cast(epoch({wall} - timezone('UTC', {at})) as integer)"  # seconds east of UTC
    offset_text = (f"(case when {offset} < 0 then '-' else '+' end "
                   f"|| strftime(timestamp '2000-01-01' + to_seconds(abs({offset})), '%H:%M'))")
    suffix = {"plus_seconds": " s", "plus_minutes": " min"}[unit]
    return f"""case
        when blank({start}) or blank({duration}) or parse_ts({start}) is null then null
        when not coalesce(abs({seconds}) < 1e9, false) then concat({start}, ' + ', {duration}, '{suffix}')
        when microsecond({at}) % 1000000 = 0 then strftime({wall}, '%Y-%m-%d %H:%M:%S') || {offset_text}
        else strftime({wall}, '%Y-%m-%d %H:%M:%S.%f') || {offset_text} end"""


def stage(con: duckdb.DuckDBPyConnection, export: Export, kind: str, mapping: Mapping | None,
           scratch: Path, require: bool = True) -> int:
    """Temp view `stg`: one row per delivered row, canonical fields as text, unmapped columns as JSON.

    Only the delivered rows are stored (temp table `delivered`); `stg` names them, so each later
    step reads just the columns it needs. Also binds this file's `order` tolerance (the mapping's
    timestamp_precision) for the rules. `require=False`: see `plan`."""
    the_plan = plan(export, kind, mapping, require=require)
    rules.set_order_tolerance(con, mapping.order_tolerance_s if mapping else 0)
    materialise(export, con, "delivered", scratch)
    # row_id: unique even when a join repeats a source row (rowid could be hidden by a column named RowID)
    row_id, rows = "source_row", "delivered"
    if the_plan.join is not None:
        materialise(the_plan.join, con, "delivered_join", scratch)
        picks = ", ".join(f"j.{_q(col)} as {_q(name)}" for col, name in the_plan.joined)
        key = _q(mapping.join_on)
        con.execute(f"""create or replace temp table delivered_joined as
                        select cast(row_number() over (order by d.source_row) as integer) as _row_id, d.*, {picks}
                        from delivered d left join delivered_join j on d.{key} = j.{key}
                        order by d.source_row""")
        release(con, "delivered_join")
        row_id, rows = "_row_id", "delivered_joined"
    used = set(mapping.source_columns()) if mapping else set()
    select = [f"{row_id} as row_id", "source_row"]
    exprs: dict[str, str] = {}
    derived = {f: s for f, s in the_plan.mapped.items() if isinstance(s, dict) and "from" in s}
    for fname in vocabulary.FIELDS[kind]:
        if fname in derived:
            continue
        src = next((h for h, f in the_plan.hmap.columns.items() if f == fname), None)
        if fname in the_plan.mapped:
            exprs[fname] = f"cast({_field_sql(con, fname, the_plan.mapped[fname], export)} as varchar)"
        else:
            exprs[fname] = _q(src) if src else "cast(null as varchar)"
    if derived:  # made with the parsing macros, from the start field as staged
        prepare_lookups(con)
        parsing_macros(con, mapping.timestamp_formats)
        con.execute("SET VARIABLE derived_timezone = ?", [mapping.timezone or profiles.current().timezone])
        for fname, spec in derived.items():
            exprs[fname] = _derived_sql(spec, exprs[spec["from"]])
    for fname in vocabulary.FIELDS[kind]:
        expr = exprs[fname]
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
    con.execute(f"create or replace temp view stg as select {', '.join(select)} from {rows}")
    return con.execute(f"select count(*) from {rows}").fetchall()[0][0]
