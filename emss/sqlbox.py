"""The analysts' ad-hoc SQL box: one read-only query over the analyst views, and nothing else.

Four layers, each refusing on its own (checked on DuckDB 2.0.1):

1. The statement check (`check`), by DuckDB's own parse of the text. The text must be exactly
   one statement of type SELECT (`extract_statements`; a statement type the Python package does
   not know, such as `UPDATE EXTENSIONS`, is refused too). Then `json_serialize_sql` gives the
   whole syntax tree, and every node of it is walked against an allowlist; anything not on it is
   refused, so a construct this module has never seen is refused rather than run:
   - query nodes: SELECT, set operations (UNION, EXCEPT, INTERSECT) and recursive CTEs. A COPY,
     DELETE, UPDATE or INSERT node, which DuckDB accepts inside a WITH clause of a SELECT, is
     refused (`not_select`); so is a statement DuckDB cannot serialize (PIVOT without IN).
   - tables: only the views in `BOX_VIEWS`, unqualified or as `main.<view>` / `wh.main.<view>`,
     and CTE names where DuckDB binds them to the CTE (a CTE sees those defined before it in
     the same WITH, not itself nor later ones; only the recursive part of a recursive CTE sees
     its own name: elsewhere DuckDB would read a table of that name). Everything else is
     refused (`not_a_view`): `raw.*`, `core.*`, `marts.*`, `meta.*`,
     the withheld views, `information_schema`, `pg_catalog`, `duckdb_tables` and the like, and
     file names ('x.csv').
   - table functions: `range`, `generate_series`, `unnest` and the documented table macros
     `incidents_in`, `incidents_of_months`, `responses_in`, `responses_of_months`, `stations_in_scope`;
     everything else (`read_*`, `query`, `query_table`, `duckdb_*()`, `pragma_*`, `glob`, `json_execute_serialized_sql`, ...) is refused
     (`function`).
   - scalar, aggregate and window functions: DuckDB's own built-ins (read from
     `duckdb_functions()`), less those that read or change the connection's state or sleep
     (`current_setting`, `getvariable`, `nextval`, `setseed`, `sleep_ms`, `write_log`, ...), the
     `pg_*` / `duckdb_*` / `pragma_*` / `read_*` families, and built-in macros whose body runs a
     query (`get_block_size`, `pg_get_viewdef`); plus the warehouse's documented scalar macros.
     A name the warehouse itself defines is never taken for a built-in.
   - expressions, joins, VALUES, DESCRIBE / SUMMARIZE of an allowed query, ORDER BY, LIMIT and
     the like pass; their sub-queries are walked with the same rules. SHOW and time travel
     (`AT (...)`) are refused.
2. The connection (`connect`): a fresh in-memory DuckDB with the warehouse attached READ_ONLY
   (writes refused), `memory_limit` `MEMORY_LIMIT`, `threads` `THREADS`, no temporary directory
   (`temp_directory = ''` and `max_temp_directory_size = 0`: a query over the memory limit fails
   instead of spilling, and nothing is written; set before the next step, which forbids changing
   it), `enable_external_access = false` (no file or URL: read_csv, COPY, ATTACH, INSTALL, LOAD;
   it is set after the attach, which it would block) and `lock_configuration = true` (SET,
   RESET, PRAGMA refused). Python replacement scans are off.
3. The process (`run`): the check and the query run in a child process, forked for each run
   from a helper process that the first run starts, or `prepare` before it (a clean interpreter that has imported this
   module and never opens DuckDB, so the dashboard's threads and connections are not copied).
   The child caps its data segment at its size at start plus `PROCESS_HEADROOM` (RLIMIT_DATA;
   enforced on Linux). DuckDB's memory limit does not cover every allocation (a single
   `repeat('x', 200000000)` value is built outside it: 0.8 GB in-process), so this is what keeps
   one query from taking the dashboard's memory: the child fails (`memory`) and the dashboard's
   process is untouched. The child interrupts its own query after `timeout_s`; if that has not
   stopped it `KILL_GRACE_S` later, the kernel ends the child (SIGALRM). Without `os.fork`
   (Windows) the query runs in-process, with layers 1, 2 and 4 only.
4. The result: read as an Arrow stream in batches of `BATCH_ROWS` rows and stopped once past
   `ROW_CAP` rows or `BYTE_CAP` bytes, whichever comes first (`Result.capped_by`); the rest is
   never computed or fetched. A single row larger than the byte cap is refused (`too_large`).
   At most the capped result crosses to the dashboard's process.

Every refusal is a `Refused` with a reason code (its words are the catalog's
`sqlbox_<reason>`, emss/messages.toml) and a message in Chinese and English; never a traceback.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from emss import messages
from warehouse import partitions
from warehouse.connection import OFFLINE_CONFIG

ROW_CAP = 10_000
BYTE_CAP = 32 * 2**20            # bytes of the result (Arrow), whichever of the two caps comes first
TIMEOUT_S = 10.0
MEMORY_LIMIT = "512MB"           # DuckDB's buffer pool for the box's connection
THREADS = 2
PROCESS_HEADROOM = 2**30         # the child's data segment may grow this much past its size at start
BATCH_ROWS = 512                 # rows per Arrow batch read from the result
MAX_SQL_CHARS = 100_000
KILL_GRACE_S = 5.0               # after the timeout, how long the child has to stop before the kernel ends it
START_TIMEOUT_S = 120.0          # the first run starts the helper process, which imports the libraries

# What the box is for: the stable analyst surface (warehouse/derived/50_views.sql, 60_prevention.sql). The README
# and a test keep this list equal to the views in the warehouse's main schema.
DOCUMENTED_VIEWS = ("stations", "incidents", "responses", "station_daily", "incident_daily", "street_daily",
                    "inventory",
                    "inventory_latest", "station_targets", "station_readiness", "station_readiness_monthly",
                    "response_rules", "response_rejects",
                    "batches", "rejects", "labels", "data_as_of",
                    # prevention (warehouse/derived/60_prevention.sql)
                    "patrols", "hazards", "outreach_events", "desk_services", "district_population", "streets",
                    "prevention_standard")
# Documented views the box does not offer. `rejects` is `select * from meta.rejects`, whose `raw`
# column holds every refused row as delivered (addresses, names of stations, times). `batches` is
# `meta.batches`, whose `message` for a refused file is the reader's error text, which can quote
# a line of the file or a server path. The Data quality page shows both through named queries.
# (`response_rejects` stays: a fixed set of identifiers and codes taken from the refused rows.)
WITHHELD_VIEWS = ("rejects", "batches")
BOX_VIEWS = tuple(v for v in DOCUMENTED_VIEWS if v not in WITHHELD_VIEWS)
# Documented macros of the warehouse (50_views.sql, 05_macros.sql, 60_prevention.sql): they read only BOX_VIEWS.
BOX_TABLE_MACROS = ("incidents_in", "incidents_of_months", "responses_in", "responses_of_months", "station_turnouts",
                    "stations_in_scope")
BOX_SCALAR_MACROS = ("in_service_on", "period_start", "period_end", "previous_period_start", "year_start", "street_name",
                     "hazard_open_on")
TABLE_FUNCTIONS = ("range", "generate_series", "unnest")   # values only: no catalog, file or state
# Built-in functions refused although they are scalar: they read or change the connection's
# state (settings, variables, sequences, random seed, search path, log) or hold a thread idle.
DENIED_FUNCTIONS = frozenset({
    "current_setting", "getvariable", "nextval", "currval", "setval", "setseed", "in_search_path",
    "current_schemas", "sleep_ms", "pg_sleep", "write_log", "json_execute_serialized_sql",
})
DENIED_PREFIXES = ("__internal", "duckdb_", "pragma_", "pg_", "read_")

# Reason codes; each one's words are the catalog's `sqlbox_<reason>` (emss/messages.toml), which the
# dashboard shows in the user's language and `str(Refused)` gives in Chinese / English.
REASONS = (
    "empty", "too_long", "syntax", "multiple", "not_select", "not_a_view", "function", "unsupported",
    "no_external_access", "locked", "read_only", "timeout", "memory", "too_large", "error",
)

_QUERY_NODES = {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"}
_TABLE_REFS = {"BASE_TABLE", "SUBQUERY", "JOIN", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY", "PIVOT", "SHOW_REF"}
_PLAIN = {"ORDER_MODIFIER", "LIMIT_MODIFIER", "LIMIT_PERCENT_MODIFIER", "DISTINCT_MODIFIER",
          "ORDER_DEFAULT", "ASCENDING", "DESCENDING"}
_EXPRESSIONS = {"BETWEEN", "CASE", "CAST", "COLLATE", "COLUMN_REF", "COMPARISON", "CONJUNCTION", "CONSTANT",
                "FUNCTION", "LAMBDA", "LAMBDA_REF", "OPERATOR", "PARAMETER", "POSITIONAL_REFERENCE", "STAR",
                "SUBQUERY", "TYPE", "WINDOW"}
_FUNCTION_KINDS = ("scalar", "aggregate", "window", "macro")
_OPERATOR = re.compile(r"[^\w\s]+")          # +, ||, ~~, ->>, ...: fixed built-in operators
_RUNS_A_QUERY = re.compile(r"\b(select|from)\b", re.I)
# DuckDB compares names ignoring ASCII case only; str.lower() would also fold other letters (K, the Kelvin sign)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(name: object) -> str:
    return str(name or "").translate(_ASCII_LOWER)


class Refused(Exception):
    """A statement the box will not run, with a reason code and a message in Chinese and English."""

    def __init__(self, reason: str, detail: object = ""):
        self.reason = reason
        self.detail = str(detail)
        if reason not in REASONS:
            raise ValueError(f"unknown refusal reason {reason!r}")
        super().__init__(messages.both(f"sqlbox_{reason}", detail=self.detail))

    def __reduce__(self):
        return (Refused, (self.reason, self.detail))


@dataclass(frozen=True)
class Result:
    frame: pl.DataFrame
    truncated: bool        # the result went on past a cap: `frame` holds the rows before it
    seconds: float
    capped_by: str | None = None   # "rows" (ROW_CAP) or "bytes" (BYTE_CAP) when truncated


def connect(warehouse: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """A locked-down connection: warehouse attached read-only, no file or network access, no
    temporary files, memory and threads limited, settings frozen."""
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"No warehouse at {path}.")
    con = duckdb.connect(config=OFFLINE_CONFIG)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET python_enable_replacements = false")   # no scans of Python variables by name
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(path)])
        con.execute("USE wh")
        parts = partitions.root_of(path)
        partitions.bind(con, parts)   # the views over the big tables' Parquet files (warehouse.partitions)
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET threads = {THREADS}")
        # No spilling: over the memory limit a query fails. Also closes the one directory that
        # `enable_external_access = false` still lets COPY write to (the temp directory, by
        # default `.tmp` in the working directory). Must come first: afterwards it is refused.
        con.execute("SET temp_directory = ''")
        con.execute("SET max_temp_directory_size = '0B'")
        # after the attach: set before, it would refuse the attach too. The big tables' Parquet
        # files stay readable through the views; the check refuses any direct read of a file.
        con.execute("SET allowed_directories = ?", [[str(parts) + os.sep]])
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


# ---- layer 1: the statement check ------------------------------------------------------------

def check(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one read-only SELECT in `sql` (without a trailing semicolon), or Refused saying why not."""
    if not sql.strip().strip(";").strip():
        raise Refused("empty")
    if len(sql) > MAX_SQL_CHARS:
        raise Refused("too_long", f"{MAX_SQL_CHARS:,}")
    try:
        statements = [(s.type, s.query) for s in con.extract_statements(sql)]
    except duckdb.ParserException as e:
        raise Refused("syntax", messages.first_line(e)) from None
    except Exception:  # noqa: BLE001 - e.g. ValueError: 29 is not a valid StatementType (UPDATE EXTENSIONS)
        raise Refused("not_select", " ".join(_keywords(sql)[:2]) or "?") from None
    if len(statements) != 1:
        raise Refused("multiple", len(statements))
    kind, query = statements[0]
    if kind != duckdb.StatementType.SELECT:
        # name it as written (INSTALL, PRAGMA) as well as by DuckDB's kind (LOAD, SET)
        words = _keywords(query)
        keyword = words[0] if words else ""
        raise Refused("not_select", kind.name if keyword == kind.name else f"{keyword} ({kind.name})")
    text = query.strip().rstrip(";")
    _Walk(con).statement(text)
    return text


def _keywords(sql: str) -> list[str]:
    return [w.upper() for w in re.findall(r"[A-Za-z_]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S))]


def _dotted(*parts: str) -> str:
    return ".".join(p for p in parts if p)


class _Walk:
    """Walks DuckDB's syntax tree of one statement; raises Refused at the first node not allowed."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        rows = con.execute(
            "select lower(function_name), function_type, database_name, schema_name, coalesce(macro_definition, '') "
            "from duckdb_functions()").fetchall()
        builtin, unsafe, local = set(), set(), set()
        for name, kind, database, schema, definition in rows:
            if database != "system":
                local.add(name)     # the warehouse's (or temp) own: never taken for a built-in
            elif schema == "main" and kind in _FUNCTION_KINDS:
                builtin.add(name)
                if kind == "macro" and (_RUNS_A_QUERY.search(definition) or _mentions_denied(definition)):
                    unsafe.add(name)
        self.functions = frozenset(n for n in builtin - unsafe - local
                                   if n not in DENIED_FUNCTIONS and not n.startswith(DENIED_PREFIXES))
        self.local = frozenset(local)
        self.con = con

    def statement(self, text: str) -> None:
        try:
            tree = json.loads(self.con.execute("select json_serialize_sql(?)", [text]).fetchall()[0][0])
        except duckdb.InterruptException:
            raise
        except Exception as e:  # noqa: BLE001 - whatever DuckDB cannot serialize is not run
            raise Refused("unsupported", messages.first_line(e)) from None
        if tree.get("error"):
            message = str(tree.get("error_message") or tree.get("error_type") or "")
            if "Only SELECT statements" in message:
                message = "a statement inside the query (for example PIVOT without IN (...))"
            raise Refused("unsupported", message)
        statements = tree.get("statements") or []
        if len(statements) != 1:
            raise Refused("multiple", len(statements))
        self.visit(statements[0], frozenset())

    # -- generic walk: every dict and list, whatever its key ----------------------------------
    def visit(self, obj: Any, scope: frozenset[str]) -> None:
        if isinstance(obj, list):
            for item in obj:
                self.visit(item, scope)
            return
        if not isinstance(obj, dict):
            return
        if "class" in obj:
            self.expression(obj, scope)
            return
        kind = obj.get("type")
        if not isinstance(kind, str):      # a container ({"node": ...}, cte_map, a typed value)
            self.children(obj, scope)
        elif kind in _QUERY_NODES:
            self.query_node(obj, scope)
        elif kind.endswith("_QUERY_NODE"):  # COPY_QUERY_NODE, DELETE_, UPDATE_, INSERT_ inside a WITH
            raise Refused("not_select", f"{kind.removesuffix('_QUERY_NODE')} (inside the query)")
        elif kind in _TABLE_REFS:
            self.table_ref(obj, scope)
        elif kind in _PLAIN:
            self.children(obj, scope)
        else:
            raise Refused("unsupported", kind)

    def children(self, obj: dict, scope: frozenset[str], skip: tuple[str, ...] = ()) -> None:
        for key, value in obj.items():
            if key not in skip:
                self.visit(value, scope)

    # -- query nodes and the names their CTEs bring into scope --------------------------------
    def query_node(self, node: dict, scope: frozenset[str]) -> None:
        for entry in (node.get("cte_map") or {}).get("map") or []:
            self.visit(entry.get("value"), scope)          # a CTE sees the ones before it, not itself
            scope = scope | {_fold(entry.get("key"))}
        kind = node["type"]
        if kind == "RECURSIVE_CTE_NODE":                    # only the recursive part sees its own name
            self.visit(node.get("left"), scope)
            self.visit(node.get("right"), scope | {_fold(node.get("cte_name"))})
            self.children(node, scope, skip=("cte_map", "left", "right"))
        elif kind == "CTE_NODE":                            # older form: query, then child with the name
            self.visit(node.get("query"), scope)
            self.visit(node.get("child"), scope | {_fold(node.get("ctename"))})
            self.children(node, scope, skip=("cte_map", "query", "child"))
        else:
            self.children(node, scope, skip=("cte_map",))

    # -- tables ---------------------------------------------------------------------------------
    def table_ref(self, ref: dict, scope: frozenset[str]) -> None:
        kind = ref["type"]
        if kind == "BASE_TABLE":
            self.base_table(ref, scope)
        elif kind == "TABLE_FUNCTION":
            function = ref.get("function")
            if not isinstance(function, dict) or function.get("class") != "FUNCTION":
                raise Refused("unsupported", "TABLE_FUNCTION")
            self.table_function(function)
            self.children(function, scope)                  # its arguments, walked like any expression
            self.children(ref, scope, skip=("function",))
            return
        elif kind == "SHOW_REF":
            # DESCRIBE / SUMMARIZE of a query (walked below); SHOW TABLES and the like list the catalog
            if ref.get("show_type") not in ("DESCRIBE", "SUMMARY") or not ref.get("query") or ref.get("table_name"):
                raise Refused("unsupported", f"SHOW {ref.get('show_type', '')}".strip())
        self.children(ref, scope)

    def base_table(self, ref: dict, scope: frozenset[str]) -> None:
        catalog, schema, name = (str(ref.get(k) or "") for k in ("catalog_name", "schema_name", "table_name"))
        written = _dotted(catalog, schema, name)
        if ref.get("at_clause"):
            raise Refused("unsupported", f"{written} AT (...)")
        if not _same_name(ref, catalog, schema, name):
            raise Refused("unsupported", written)           # two spellings of the name disagree
        catalog, schema, name = _fold(catalog), _fold(schema), _fold(name)
        if not catalog and not schema and name in scope:
            return                                          # a CTE
        if catalog in ("", "wh") and schema in ("", "main") and name in BOX_VIEWS:
            return
        raise Refused("not_a_view", written)

    def table_function(self, function: dict) -> None:
        name, schema, catalog = self.function_name(function)
        if not schema and not catalog and name in TABLE_FUNCTIONS and name not in self.local:
            return
        if name in BOX_TABLE_MACROS and catalog in ("", "wh") and schema in ("", "main"):
            return
        raise Refused("function", _dotted(catalog, schema, name) + "()")

    # -- expressions ----------------------------------------------------------------------------
    def expression(self, expr: dict, scope: frozenset[str]) -> None:
        kind = expr.get("class")
        if kind not in _EXPRESSIONS:
            raise Refused("unsupported", kind)
        if kind in ("FUNCTION", "WINDOW"):
            self.function(expr)
        self.children(expr, scope)

    def function(self, expr: dict) -> None:
        name, schema, catalog = self.function_name(expr)
        if expr.get("is_operator") and not schema and not catalog and _OPERATOR.fullmatch(name):
            return
        if not schema and not catalog and name not in self.local and (name in self.functions or name == "unnest"):
            return                                          # (unnest in a select list is no catalog function)
        if name in BOX_SCALAR_MACROS and catalog in ("", "wh") and schema in ("", "main"):
            return
        raise Refused("function", _dotted(catalog, schema, name))

    @staticmethod
    def function_name(expr: dict) -> tuple[str, str, str]:
        name, schema, catalog = (str(expr.get(k) or "") for k in ("function_name", "schema", "catalog"))
        if not _same_name(expr, catalog, schema, name):
            raise Refused("unsupported", _dotted(catalog, schema, name))
        return _fold(name), _fold(schema), _fold(catalog)


def _same_name(node: dict, *parts: str) -> bool:
    """Whether the node's `qualified_name` (when it has one) names what its separate fields name."""
    path = (node.get("qualified_name") or {}).get("path")
    return path is None or [_fold(p) for p in path] == [_fold(p) for p in parts if p]


def _mentions_denied(definition: str) -> bool:
    text = definition.lower()
    return any(name in text for name in DENIED_FUNCTIONS) or any(p in text for p in DENIED_PREFIXES)


# ---- layers 2 to 4: the run ------------------------------------------------------------------

def _explain(e: duckdb.Error) -> Refused:
    """A DuckDB refusal in the box's words."""
    message = messages.first_line(e)
    if isinstance(e, duckdb.OutOfMemoryException):
        return Refused("memory", message)
    if isinstance(e, duckdb.PermissionException):
        return Refused("no_external_access", message)
    if "configuration has been locked" in message:
        return Refused("locked", message)
    if "read-only mode" in message:
        return Refused("read_only", message)
    return Refused("error", message)


def _size(n: int) -> str:
    return f"{n / 2**20:g} MB"


def _rows_within(batch: pa.RecordBatch, room: int) -> int:
    """How many leading rows of `batch` fit in `room` bytes."""
    low, high = 0, batch.num_rows       # invariant: slice(0, low) fits, slice(0, high + 1) does not
    while low < high:
        mid = (low + high + 1) // 2
        if batch.slice(0, mid).nbytes <= room:
            low = mid
        else:
            high = mid - 1
    return low


def _execute(warehouse: str, sql: str, row_cap: int, byte_cap: int, timeout_s: float) -> tuple[bytes, str | None]:
    """Check and run the statement here; the capped result as an Arrow IPC stream, and which cap cut it."""
    con = connect(warehouse)
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.start()
    try:
        statement = check(con, sql)
        reader = con.sql(statement).to_arrow_reader(BATCH_ROWS)
        schema = reader.schema
        batches, rows, size, capped_by = [], 0, 0, None
        for batch in reader:  # stop reading once past a cap: the rest is never computed or fetched
            if batch.num_rows > row_cap - rows:
                batch, capped_by = batch.slice(0, row_cap - rows), "rows"
            if size + batch.nbytes > byte_cap:
                batch, capped_by = batch.slice(0, _rows_within(batch, byte_cap - size)), "bytes"
            batches.append(batch)
            rows += batch.num_rows
            size += batch.nbytes
            if capped_by:
                break
        reader.close()
        if capped_by == "bytes" and rows == 0:
            raise Refused("too_large", _size(byte_cap))
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
        return sink.getvalue().to_pybytes(), capped_by
    except duckdb.InterruptException:
        raise Refused("timeout", f"{timeout_s:g}") from None
    except duckdb.Error as e:
        raise _explain(e) from None
    finally:
        timer.cancel()
        con.close()


def _vm_data() -> int:
    """The process's data segment in bytes (Linux), else 0."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit_memory(headroom: int = PROCESS_HEADROOM) -> None:
    """Cap this process's data segment at its present size plus `headroom` (a no-op without `resource`)."""
    try:
        import resource
    except ImportError:  # Windows: DuckDB's memory_limit and the result caps only
        return
    limit = (_vm_data() or 2**30) + headroom
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _serve(conn) -> None:
    """The child process: take one request, run it, send back ("ok", ipc, capped_by) or ("refused", reason, detail).

    The kernel ends the process `KILL_GRACE_S` after the timeout if the query's own interrupt has
    not (SIGALRM, default action: no Python code has to run for it).
    """
    try:
        warehouse, sql, row_cap, byte_cap, timeout_s, cwd = conn.recv()
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(math.ceil(timeout_s + KILL_GRACE_S))
        try:
            os.chdir(cwd)      # where the dashboard's process is (nothing relative is reachable anyway)
        except OSError:
            pass
        _limit_memory()
        conn.send(("started",))
        outcome: tuple = ("ok", *_execute(warehouse, sql, row_cap, byte_cap, timeout_s))
    except Refused as e:
        outcome = ("refused", e.reason, e.detail)
    except MemoryError:
        outcome = ("refused", "memory", "MemoryError")
    except BaseException as e:  # noqa: BLE001 - reported to the parent as a refusal, never a traceback
        outcome = ("refused", "error", messages.first_line(e))
    try:
        conn.send(outcome)
    except MemoryError:
        conn.send(("refused", "memory", "MemoryError"))


def _helper_main() -> None:
    """The helper process: a clean, single-threaded process that has imported this module and
    never opens DuckDB itself; it forks one child per request (the request's socket comes with it)."""
    control = socket.socket(fileno=int(sys.argv[1]))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)      # children are reaped by the kernel
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 16, 4)
        except (OSError, KeyboardInterrupt):
            break
        if not message:                                 # the dashboard's process has gone
            break
        for fd in fds:
            if os.fork() == 0:
                code = 0
                try:
                    control.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    _serve(Connection(fd))
                except BaseException:  # noqa: BLE001
                    code = 1
                finally:
                    os._exit(code)
            os.close(fd)


class _Helper:
    """The dashboard's side of the helper process, started on first use and restarted if it died."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        path = [p for p in sys.path if p and os.path.isdir(p)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from {__name__} import _helper_main; _helper_main()", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        theirs.close()
        self.control = ours

    def _alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the helper unless it is running; returns at once (the helper imports on its own)."""
        with self.lock:
            if not self._alive():
                self._start()

    def connection(self) -> Connection:
        """A connection to a new child process."""
        ours, theirs = socket.socketpair()
        try:
            with self.lock:
                for attempt in (1, 2):
                    if not self._alive():
                        self._start()
                    try:
                        socket.send_fds(self.control, [b"run"], [theirs.fileno()])
                        break
                    except OSError:
                        self.process = None
                        if attempt == 2:
                            raise
        finally:
            theirs.close()
        return Connection(ours.detach())


_helper = _Helper()
PROCESS_ISOLATION = hasattr(os, "fork") and hasattr(socket, "send_fds")


def prepare() -> None:
    """Start the helper process now, without waiting for it: it imports the libraries (about two
    seconds), and the first run would otherwise wait for that. The workbench calls this when it
    shows the box."""
    if PROCESS_ISOLATION:
        _helper.start()


def run(warehouse: str | os.PathLike, sql: str, *, row_cap: int = ROW_CAP, byte_cap: int = BYTE_CAP,
        timeout_s: float = TIMEOUT_S) -> Result:
    """Run one read-only SELECT in a memory-capped child process; at most `row_cap` rows and
    `byte_cap` bytes come back, and the query is stopped after `timeout_s` seconds."""
    path = Path(warehouse).absolute()
    if not path.exists():
        raise FileNotFoundError(f"No warehouse at {path}.")
    started = time.perf_counter()
    if PROCESS_ISOLATION:
        ipc, capped_by = _in_child(str(path), sql, row_cap, byte_cap, timeout_s)
    else:  # no fork (Windows): DuckDB's memory limit and the result caps only
        ipc, capped_by = _execute(str(path), sql, row_cap, byte_cap, timeout_s)
    try:
        frame = pl.from_arrow(pa.ipc.open_stream(ipc).read_all())
    except Exception as e:  # noqa: BLE001 - a column type the dashboard's frames cannot hold
        raise Refused("error", messages.first_line(e)) from None
    assert isinstance(frame, pl.DataFrame)
    return Result(frame, capped_by is not None, time.perf_counter() - started, capped_by)


def _in_child(warehouse: str, sql: str, row_cap: int, byte_cap: int, timeout_s: float) -> tuple[bytes, str | None]:
    try:
        conn = _helper.connection()
    except OSError as e:
        raise Refused("error", f"the query process could not start: {messages.first_line(e)}") from None
    running = None
    try:
        conn.send((warehouse, sql, row_cap, byte_cap, timeout_s, os.getcwd()))
        if not conn.poll(START_TIMEOUT_S):
            raise Refused("error", f"the query process did not start within {START_TIMEOUT_S:g} s")
        outcome = conn.recv()
        if outcome == ("started",):
            running = time.perf_counter()
            if not conn.poll(timeout_s + KILL_GRACE_S + 1):
                raise Refused("timeout", f"{timeout_s:g}")
            outcome = conn.recv()
    except (EOFError, OSError):
        # the child ended without a word: it never started, or the kernel stopped it (timeout, memory)
        if running is None:
            raise Refused("error", "the query process could not start") from None
        if time.perf_counter() - running >= timeout_s:
            raise Refused("timeout", f"{timeout_s:g}") from None
        raise Refused("memory", "the query process ended without an answer") from None
    finally:
        conn.close()
    if outcome[0] == "refused":
        raise Refused(outcome[1], outcome[2])
    return outcome[1], outcome[2]
