"""The big tables as Parquet files beside the warehouse file, one folder per month (or per load).

The warehouse file (`emss.duckdb`) keeps the small tables: dimensions, metadata, rollups, and in
`meta.parts` the list of files each big table is made of in this version. The files live in a
folder beside it, named after it:

    emss.duckdb.parts/core.responses/month=2026-11/v<uuid>.parquet
    emss.duckdb.parts/raw.incident_rows/batch=12/v<uuid>.parquet
    emss.duckdb.parts/core.responses/_schema/v<uuid>.parquet      (no rows: the columns)

A big table is a view over its files, `read_parquet(getvariable('parts_core_responses'))`; every
connection the product opens sets those variables from `meta.parts` (`bind`), and a plain DuckDB
connection reads the files where they were written. A table's month can be a column read from the
path (PATH_COLUMNS: `marts.incidents.call_month`), and a table macro of the table lists only the
files of a range of months (`marts.incidents_months('2026-10', '2026-11')`): a period's query
reads, and DuckDB checks, only those files, however long the history. `meta.parts` also keeps each
file's smallest and largest incident id, so that a load reads only the files that can hold the
incidents it touched (`narrowed`): a query listing every file opens each one's footer first (at
10 M incidents, a weekly load's first read of its incidents' responses took 400 ms from every file and
53 ms from those that can hold them). Plain Parquet, so any
engine that reads Parquet reads the facts, given the list in `meta.parts`. A copy of a warehouse
is its file and its folder (`warehouse.connection.copy_warehouse`).

A file is never changed once written. A load writes the partitions it touches as new files and
records them in its private copy of the warehouse file, which then replaces the live file in one
step (warehouse.connection.open_writer); the copy is small, since the facts are not in it. So a
reader always sees the files of one version, and a killed load leaves only files that no version
lists. `vacuum` removes those, and the files of replaced versions, once they are older than a
grace period: long enough for any reader still on an older version to finish its query.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path

import duckdb

from warehouse.quoting import identifier, insert_rows, literal

# table -> (name of the partition in folder names, its value for a row, the order of rows in its files),
# as SQL over the table's columns. The raw layer keeps the delivered rows in the order the load read
# them (by source row, as each file gave them), unsorted: sorting them again cost 7 of the 23 s of
# writing a 5.6 M-row export at 10 M incidents, and nothing reads that table in row order.
PARTITIONED = {
    "raw.incident_rows": ("batch", "batch_id", None),
    "core.responses": ("month", "strftime(call_at, '%Y-%m')", "call_at"),
    "marts.incidents": ("month", "strftime(call_at, '%Y-%m')", "call_at"),
    "marts.responses": ("month", "strftime(call_at, '%Y-%m')", "call_at"),
    # in rank order within each month (41_marts_travel_samples.sql): a sample of a period opens only
    # the files of the lowest ranks of its months
    "marts.travel_samples": ("month", "strftime(call_at, '%Y-%m')", "sample_rank"),
}
# A column of a table kept only in its files' folder names, read back from each file's path (its value
# is the partition's, by definition), and the table macro that reads a range of months of the table:
# it lists only those months' files (with the file of no rows), so DuckDB neither opens nor checks
# the others when it plans a query. The table's SQL (warehouse/derived) defines the same macro over the
# whole table, for an engine without these files; _point defines it again over the files.
PATH_COLUMNS = {"marts.incidents": ("call_month", "marts.incidents_months"),
                "marts.responses": ("call_month", "marts.responses_months"),
                "marts.travel_samples": ("call_month", "marts.travel_samples_months")}
# A partition is written as files of at most this many rows, sorted (one row group each), so that
# a revision of a few days rewrites a few files of its month, not the month. Not strictly in order:
# DuckDB's partitioned COPY fills each file from the sorted chunks its threads finish, so on two
# threads a month's first file also held some thousands of rows of its last days (meta.parts keeps
# each file's id range as written). Writing one partition at a time keeps the files apart, but cost
# 0.1-0.2 s a write and 10 % of a full build at 10 M incidents, for no gain measured in a weekly
# load's rewritten files or in any page's queries.
FILE_ROWS = 49_152
# A partition holding more files than this (each load adds one for its new rows) is written again whole.
MAX_FILES = 16
SCHEMA_PART = "_schema"
# Every big table has this column; meta.parts keeps each file's smallest and largest value of it, so
# that a load lists only the files that can hold the incidents it touched (see narrowed): a query over
# all of a table's files opens every one of them first, however few rows it reads.
RANGE_COLUMN = "incident_id"
# Files that no version lists are removed once older than this (seconds); see vacuum.
GRACE_S = float(os.environ.get("EMSS_PARTS_GRACE_S", "900"))


# A table's files in the order its view lists them: by partition, the file of no rows last. DuckDB
# takes the columns from the first file (opened whatever a query's filter skips); with the file of no
# rows first, a full build of a 1 M-incident warehouse ran out of memory.
_LISTED = "list(file order by part, file)"


def root_of(warehouse: str | os.PathLike) -> Path:
    """The folder of the warehouse's Parquet files."""
    path = Path(warehouse).resolve()
    return path.with_name(path.name + ".parts")


def variable(table: str) -> str:
    return "parts_" + table.replace(".", "_")


def _has_manifest(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("""select count(*) from duckdb_tables() where database_name = current_database()
                          and schema_name = 'meta' and table_name = 'parts'""").fetchall()[0][0] > 0


def bind(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Point this connection's views of the big tables at the files of the version it opened."""
    con.execute("set variable parts_root = ?", [str(root)])
    # A file is never changed once written (a new version writes new files), so what DuckDB reads
    # from a file's footer can be kept for the next query: a page's queries open the same files.
    con.execute("SET parquet_metadata_cache = true")
    if not _has_manifest(con):
        return
    listed = con.execute(f"select table_name, {_LISTED} from meta.parts group by all").fetchall()
    for table, files in listed:
        con.execute(f"set variable {variable(table)} = ?", [[str(root / f) for f in files]])


def is_partitioned(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Is `table` kept as Parquet files already (not yet, in a warehouse built before they were)?"""
    return _has_manifest(con) and con.execute(
        "select count(*) from meta.parts where table_name = ?", [table]).fetchall()[0][0] > 0


def _root(con: duckdb.DuckDBPyConnection) -> Path:
    return Path(con.execute("select getvariable('parts_root')").fetchall()[0][0])


def _stored(table: str) -> str:
    """The columns of `table` its files hold: all but its path column."""
    column = PATH_COLUMNS.get(table, (None,))[0]
    return f"columns(lambda c: c <> {literal(column)})" if column else "*"


def _part_of(path: str) -> str:
    """SQL: the partition a file belongs to, from its path (SQL text) `.../month=2026-11/v<uuid>.parquet`,
    as DuckDB's partition_by names the folder (see _write); null for the file of no rows."""
    return f"nullif(regexp_extract({path}, '=([^=/\\\\]+)[/\\\\][^/\\\\]*$', 1), '')"


def _write(con: duckdb.DuckDBPyConnection, table: str, select: str, params: list | None = None,
           part: str | int | None = None) -> list[tuple]:
    """Write the rows of `select` as new files of `table`, in order, a file per FILE_ROWS rows of each
    partition they fall in: (table, part, file, rows, first id, last id) for each file (the row of
    meta.parts). Nothing is recorded yet (see _record).

    `part`: every row's partition, when the caller knows it (a load's batch of the raw layer, the one
    month a weekly load touched): the files then go straight into its folder, without DuckDB's
    partitioned write, which took a quarter longer to write 5.6 M delivered rows (5.6 s against
    4.4 s), and a third to a half longer to write a weekly load's rows (at 10 M incidents: 250
    against 160 ms for its delivered rows, 470 against 360 ms for its month of marts.incidents).
    A batch number or a month (digits and a dash), as the partitioned write names folders:
    anything else is refused."""
    root = _root(con)
    name, value, order = PARTITIONED[table]
    folder = root / table
    folder.mkdir(parents=True, exist_ok=True)
    ordered = f"order by {order}" if order else ""
    options = (f"filename_pattern 'v{{uuid}}', compression zstd, compression_level 1, row_group_size {FILE_ROWS}, "
               "row_groups_per_file 1, return_files true")
    if part is not None:
        if not re.fullmatch(r"[0-9]+(-[0-9]+)?", str(part)):
            raise ValueError(f"not a partition of {table}: {part!r}")
        written = con.execute(
            f"copy (select {_stored(table)} from ({select}) {ordered}) to ? (format parquet, append, {options})",
            [*(params or []), str(folder / f"{name}={part}")]).fetchall()[0][1]
    else:
        written = con.execute(
            f"""copy (select {_stored(table)}, cast({value} as varchar) as {name} from ({select}) {ordered})
                to ? (format parquet, partition_by ({name}), append, {options})""",
            [*(params or []), str(folder)]).fetchall()[0][1]
    if not written:
        return []
    stats = {f: (n, low, high) for f, n, low, high in con.execute(
        f"select filename, count(*), min({RANGE_COLUMN}), max({RANGE_COLUMN}) from read_parquet(?) group by filename",
        [written]).fetchall()}
    for f in written:  # a write into one folder leaves a file of no rows when there were none: not a part
        if f not in stats:
            Path(f).unlink(missing_ok=True)
    return [(table, Path(f).parent.name.split("=", 1)[1], str(Path(f).relative_to(root)), *stats[f])
            for f in written if f in stats]


def _write_schema(con: duckdb.DuckDBPyConnection, table: str, select: str, params: list | None = None) -> tuple:
    """A file of no rows holding the columns of `select`: a table with no rows yet is still readable."""
    root = _root(con)
    target = root / table / SCHEMA_PART / f"v{uuid.uuid4()}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy (select {_stored(table)} from ({select}) limit 0) to ? (format parquet)",
                [*(params or []), str(target)])
    return (table, SCHEMA_PART, str(target.relative_to(root)), 0, None, None)


def _record(con: duckdb.DuckDBPyConnection, table: str, files: list[tuple], retired: list[str] | None) -> None:
    """Make `files` part of `table` in this version, instead of its files `retired` (all of them when
    None), and point the view and this connection's variable at the new list."""
    replaced = "table_name = ?" if retired is None else "table_name = ? and file in (select unnest(?))"
    params = [table] if retired is None else [table, retired]
    con.execute(f"insert into meta.parts_retired select file, now() from meta.parts where {replaced}", params)
    con.execute(f"delete from meta.parts where {replaced}", params)
    if files:
        insert_rows(con, "meta.parts", files)
    _point(con, table)


def _point(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Point the view of `table` and this connection's variable at the files meta.parts lists."""
    root = _root(con)
    listed = con.execute(f"select {_LISTED} from meta.parts where table_name = ?", [table]).fetchall()[0][0]
    paths = [str(root / f) for f in listed]
    con.execute(f"set variable {variable(table)} = ?", [paths])
    # Without the variable (a plain DuckDB connection to the file), the view reads the files where
    # this version wrote them; the product's connections set it (bind), wherever the folder is.
    files = f"coalesce(getvariable({literal(variable(table))}), [{', '.join(literal(p) for p in paths)}])"
    if table not in PATH_COLUMNS:
        con.execute(f"create or replace view {table} as select * from read_parquet({files})")
        return
    column, macro = PATH_COLUMNS[table]
    # null bounds: no bound; the file of no rows (no partition) is always listed, so the list is never empty
    con.execute(f"""create or replace macro {macro}(first_part, last_part) as table
                    select *, {_part_of('filename')} as {column}
                    from read_parquet(list_filter({files}, lambda f: coalesce({_part_of('f')} >= first_part, true)
                                                                  and coalesce({_part_of('f')} <= last_part, true)))""")
    con.execute(f"create or replace view {table} as select * from {macro}(null, null)")


def rewrite(con: duckdb.DuckDBPyConnection, table: str, select: str, params: list | None = None) -> None:
    """`table` becomes the rows of `select`, all its partitions new files (a full build, or moving a
    table of an older warehouse out of the file)."""
    files = [_write_schema(con, table, select, params), *_write(con, table, select, params)]
    kind = con.execute("""select table_type from information_schema.tables
                          where table_catalog = current_database() and table_schema || '.' || table_name = ?""",
                       [table]).fetchall()
    if kind and kind[0][0] == "BASE TABLE":
        con.execute(f"drop table {table}")
    _record(con, table, files, None)


def append(con: duckdb.DuckDBPyConnection, table: str, select: str, params: list | None = None,
           part: str | int | None = None) -> None:
    """Add the rows of `select` (matched to the table's columns by name; missing ones null) as new
    files; `part`: the partition every row is in, when known (see _write)."""
    by_name = f"select * from {table} where false union all by name ({select})"
    _record(con, table, _write(con, table, by_name, params, part), [])


def files_in_range(con: duckdb.DuckDBPyConnection, table: str, low: str, high: str) -> list[str]:
    """The paths of the files of `table` that can hold an incident id from `low` to `high`, in the
    order its view lists them (the file of no rows, and any file whose range is not known, included)."""
    root = _root(con)
    return [str(root / f) for (f,) in con.execute(
        """select file from meta.parts where table_name = ?
             and (part = ? or first_id is null or (first_id <= ? and last_id >= ?))
           order by part, file""", [table, SCHEMA_PART, high, low]).fetchall()]


def narrowed(con: duckdb.DuckDBPyConnection, table: str, low: str, high: str) -> str:
    """SQL reading `table` from only the files that can hold an incident id from `low` to `high` (and
    the file of no rows), with the columns of the table's view: what a load reads of a big table for
    the incidents it touched. In a fresh process DuckDB opens every file a query lists (to read its
    footer) before it skips any; with years of history that was most of a weekly load's reading.
    A file whose range is not known is always listed; a table not kept as files is read as it is."""
    if not is_partitioned(con, table):
        return table
    name = variable(table) + "_narrowed"
    con.execute(f"set variable {name} = ?", [files_in_range(con, table, low, high)])
    if table not in PATH_COLUMNS:
        return f"read_parquet(getvariable({literal(name)}))"
    column = PATH_COLUMNS[table][0]
    return f"(select *, {_part_of('filename')} as {column} from read_parquet(getvariable({literal(name)})))"


def fill_ranges(con: duckdb.DuckDBPyConnection) -> None:
    """Give the files written before meta.parts kept their incident ids' range that range (read from
    the files, once: in the first write of a warehouse built before)."""
    if not _has_manifest(con):
        return
    missing = [f for (f,) in con.execute("select file from meta.parts where first_id is null and rows > 0").fetchall()]
    if not missing:
        return
    root = _root(con)
    con.execute("set variable parts_unranged = ?", [[str(root / f) for f in missing]])
    found = con.execute(f"""select filename, min({RANGE_COLUMN}), max({RANGE_COLUMN})
                            from read_parquet(getvariable('parts_unranged')) group by filename""").fetchall()
    con.execute("create or replace temp table parts_ranges (file varchar, first_id varchar, last_id varchar)")
    insert_rows(con, "temp.main.parts_ranges", [(str(Path(f).relative_to(root)), low, high) for f, low, high in found])
    con.execute("""update meta.parts p set first_id = r.first_id, last_id = r.last_id
                   from temp.main.parts_ranges r where p.file = r.file""")


def _files(con: duckdb.DuckDBPyConnection, table: str, parts: list[str]) -> list[str]:
    """The files of `table` in `parts` in this version, relative to the parts folder."""
    return [f for (f,) in con.execute("select file from meta.parts where table_name = ? and part in (select unnest(?))",
                                      [table, parts]).fetchall()]


def _read(con: duckdb.DuckDBPyConnection, files: list[str]) -> str:
    """SQL reading `files` (relative to the parts folder) with the table's columns, whatever they hold."""
    con.execute("set variable parts_reading = ?", [[str(_root(con) / f) for f in files]])
    return "read_parquet(getvariable('parts_reading'))"


def replace_keys(con: duckdb.DuckDBPyConnection, table: str, keys: str, key_columns: list[str], delta: str,
                 keep_unchanged: bool = False) -> None:
    """Replace the rows of `table` whose `key_columns` are in temp table `keys` by the rows of temp
    table `delta`: only the files holding a replaced row are written again (without those rows),
    and the new rows are written as new files of their partitions.

    The files are found by the first key's range first, so that row groups holding no key in that
    range are skipped (ids mostly grow with time, and files are written in time order).

    With `keep_unchanged`, a key whose rows in `delta` are the rows stored, value for value, is left
    as it is: a derived table recomputed for a load's context holds many rows the load did not change
    (a revised clear time changes no travel sample), and a file holding only those is not written
    again. That compares every column of the touched keys' stored rows, so it is for tables whose
    delta is wider than what changed, not for a load's own incoming rows."""
    using = ", ".join(key_columns)
    first = key_columns[0]
    low, high = con.execute(f"select min({first}), max({first}) from {keys}").fetchall()[0]
    if low is None:
        return
    root = str(_root(con)) + os.sep
    searched = files_in_range(con, table, low, high) if first == RANGE_COLUMN else \
        con.execute(f"select getvariable({literal(variable(table))})").fetchall()[0][0]
    con.execute("set variable parts_searched = ?", [searched])
    # the touched keys' stored rows, with the file each is in (and a hash of its values, to compare)
    compared = _comparable(con, delta) if keep_unchanged else None
    hashed = f", hash({', '.join(identifier(c) for c in compared)}) as row_hash" if compared else ""
    con.execute(f"""create or replace temp table stored_rows as
                    select t.filename, {using}{hashed}
                    from read_parquet(getvariable('parts_searched'), filename = true) t
                    semi join {keys} k using ({using}) where t.{first} between ? and ?""", [low, high])
    if compared:
        keys, delta = _changed(con, keys, using, delta, compared)
    hit = [f.removeprefix(root) for (f,) in con.execute(
        f"select distinct filename from stored_rows semi join {keys} k using ({using})").fetchall()]
    schema = [f for (f,) in con.execute("select file from meta.parts where table_name = ? and part = ?",
                                        [table, SCHEMA_PART]).fetchall()]
    kept = f"select t.* from {_read(con, schema + hit)} t anti join {keys} k using ({using})"
    files = _write(con, table, f"{kept} union all by name select * from {delta}",
                   part=_only_part(con, table, hit, delta))
    _record(con, table, files, hit)
    _compact(con, table, sorted({f[1] for f in files}))
    con.execute("drop view if exists temp.main.changed_keys")
    con.execute("drop view if exists temp.main.changed_delta")
    for scratch in ("stored_rows", "differing"):
        con.execute(f"drop table if exists temp.main.{scratch}")


def _only_part(con: duckdb.DuckDBPyConnection, table: str, files: list[str], delta: str) -> str | None:
    """The one partition that `files` of `table` and the rows of `delta` are all in (a weekly load
    within a month), or None."""
    name, value, _ = PARTITIONED[table]
    parts = {p for (p,) in con.execute("select distinct part from meta.parts where table_name = ? and file in (select unnest(?))",
                                       [table, files]).fetchall()}
    parts |= {p for (p,) in con.execute(f"select distinct cast({value} as varchar) from {delta}").fetchall()}
    return parts.pop() if len(parts) == 1 and None not in parts else None


def _comparable(con: duckdb.DuckDBPyConnection, delta: str) -> dict[str, str] | None:
    """The stored files' columns and types, if each of `delta`'s columns is written as that type
    (a HUGEINT is written as a DOUBLE); None for files of another form than this version's rows,
    whose keys are then all written again."""
    stored = _column_types(con, "read_parquet(getvariable('parts_searched'))")
    given = _column_types(con, delta)
    as_written = {"HUGEINT": "DOUBLE", "UHUGEINT": "DOUBLE"}
    same = all(c in given and as_written.get(given[c], given[c]) == t for c, t in stored.items())
    return stored if same else None


def _changed(con: duckdb.DuckDBPyConnection, keys: str, using: str, delta: str,
             columns: dict[str, str]) -> tuple[str, str]:
    """Views `changed_keys` and `changed_delta`: the keys of `keys` whose stored rows (temp table
    `stored_rows`) differ from their rows in `delta` (a row more, a row less, or any value other),
    and those keys' rows of `delta`.

    Rows are compared by a hash of all their `columns`, each of `delta` cast to the type the file
    holds: comparing the values themselves (EXCEPT ALL both ways) took 1.3 s of a weekly load at 1 M
    incidents, more than the writes it saved. Two different rows of a key share a 64-bit hash with
    odds of 1 in 2^64."""
    cast = ", ".join(f"cast({identifier(c)} as {t})" for c, t in columns.items())
    con.execute(f"""create or replace temp table differing as
                    select distinct {using}
                    from (select {using}, row_hash, count(*) as n from stored_rows group by all) s
                    full join (select {using}, hash({cast}) as row_hash, count(*) as n from {delta} group by all) d
                      using ({using}, row_hash, n)
                    where s.n is null or d.n is null""")
    # views: each is read where it is used (kept as tables, copying the delta's wide rows cost more
    # than the comparison)
    con.execute(f"create or replace temp view changed_keys as select * from {keys} semi join differing using ({using})")
    con.execute(f"create or replace temp view changed_delta as select * from {delta} semi join differing using ({using})")
    return "changed_keys", "changed_delta"


def _column_types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return dict(con.execute(f"select column_name, column_type from (describe select * from {relation})").fetchall())


def _compact(con: duckdb.DuckDBPyConnection, table: str, parts: list[str]) -> None:
    """Write again, whole and in order, each of `parts` that loads have left in more than MAX_FILES files."""
    crowded = [p for (p,) in con.execute(
        """select part from meta.parts where table_name = ? and part in (select unnest(?))
           group by part having count(*) > ?""", [table, parts, MAX_FILES]).fetchall()]
    if crowded:
        old = _files(con, table, crowded)
        _record(con, table, _write(con, table, f"select * from {_read(con, old)}"), old)


def vacuum(con: duckdb.DuckDBPyConnection, grace_s: float = GRACE_S) -> int:
    """Remove the files of the parts folder that no reader can still be reading; returns how many.

    Those are the files this version replaced over `grace_s` seconds ago (meta.parts_retired), and
    files no version lists (left by a killed load) written over `grace_s` seconds ago. Runs in a
    writer, under the writer lock, so no running load's new files are mistaken for leftovers."""
    root = _root(con)
    if not root.is_dir() or not _has_manifest(con):
        return 0
    now = time.time()
    listed = {f for (f,) in con.execute("select file from meta.parts").fetchall()}
    retired = dict(con.execute("select file, epoch(retired_at) from meta.parts_retired").fetchall())
    removed = []
    for path in root.rglob("*.parquet"):
        name = str(path.relative_to(root))
        if name in listed:
            continue
        since = retired.get(name, path.stat().st_mtime)
        if now - since > grace_s:
            path.unlink(missing_ok=True)
            removed.append(name)
    con.execute("delete from meta.parts_retired where file in (select unnest(?))", [removed])
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return len(removed)
