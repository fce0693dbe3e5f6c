"""The analysts' ad-hoc SQL box: one SELECT over the warehouse's documented views, and nothing else.

Each run gets a fresh in-memory DuckDB with the warehouse attached READ_ONLY.
`enable_external_access = false` cannot be set before the attach (it blocks
the attach itself), so it is set right after, followed by
`lock_configuration = true`. Checked on DuckDB 2.0.1, this then refuses:
reading or writing any file or URL (read_csv, read_parquet, read_text, glob,
'file.csv' replacement scans, COPY, EXPORT DATABASE, ATTACH, INSTALL) and
LOAD ("Loading external extensions is disabled"); SET, RESET and PRAGMA
("the configuration has been locked"). The attach refuses writes to the
warehouse. On top of that, the text must be exactly one statement of type
SELECT (DuckDB's own parser says which: `extract_statements`), which also
keeps CREATE, INSERT, CALL, USE, CHECKPOINT and the like out of the
in-memory database. A timer thread interrupts a query that runs too long,
and at most `row_cap` rows are fetched.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from warehouse.connection import OFFLINE_CONFIG

ROW_CAP = 10_000
TIMEOUT_S = 10.0
MEMORY_LIMIT = "1GB"
# What the box is for: the stable analyst surface (warehouse/derived/50_views.sql).
DOCUMENTED_VIEWS = ("stations", "incidents", "responses", "inventory", "inventory_latest", "station_targets",
                    "station_readiness", "station_readiness_monthly", "response_rules", "response_rejects",
                    "batches", "rejects", "labels", "data_as_of")

# Reason codes: the dashboard shows them in the user's language (dashboard/i18n.py `sqlbox_<reason>`).
_MESSAGES = {
    "empty": "请输入一条 SELECT 语句 / write one SELECT statement",
    "syntax": "SQL 语法错误 / SQL syntax error: {detail}",
    "multiple": "一次只能执行一条语句 / one statement at a time (got {detail})",
    "not_select": "只允许只读查询（SELECT） / only read-only queries (SELECT) are allowed: {detail} refused",
    "no_external_access": "不允许访问文件或网络 / no file or network access: {detail}",
    "locked": "不允许修改数据库设置 / settings cannot be changed: {detail}",
    "read_only": "数据仓库只读 / the warehouse is read-only: {detail}",
    "timeout": "查询超过 {detail} 秒，已中止 / the query ran over {detail} s and was stopped",
    "error": "查询出错 / the query failed: {detail}",
}


class Refused(Exception):
    """A statement the box will not run, with a reason code and a message in Chinese and English."""

    def __init__(self, reason: str, detail: object = ""):
        self.reason = reason
        self.detail = str(detail)
        super().__init__(_MESSAGES[reason].format(detail=self.detail))


@dataclass(frozen=True)
class Result:
    frame: pl.DataFrame
    truncated: bool      # more rows than the cap: only the first `row_cap` are in `frame`
    seconds: float


def connect(warehouse: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """A locked-down connection: warehouse attached read-only, no file or network access, settings frozen."""
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"No warehouse at {path}.")
    con = duckdb.connect(config=OFFLINE_CONFIG)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(path)])
        con.execute("USE wh")
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        # after the attach: set before, it would refuse the attach too
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def check(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one SELECT statement in `sql` (without a trailing semicolon), or Refused saying why not."""
    if not sql.strip().strip(";").strip():
        raise Refused("empty")
    try:
        statements = con.extract_statements(sql)
    except duckdb.ParserException as e:
        raise Refused("syntax", _first_line(e)) from None
    if len(statements) != 1:
        raise Refused("multiple", len(statements))
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        # name it as written (INSTALL, PRAGMA) as well as by DuckDB's kind (LOAD, SET)
        words = re.findall(r"[A-Za-z_]+", re.sub(r"--[^\n]*|/\*.*?\*/", " ", statement.query, flags=re.S))
        keyword = words[0].upper() if words else ""

        kind = statement.type.name
        raise Refused("not_select", kind if keyword == kind else f"{keyword} ({kind})")
    return statement.query.strip().rstrip(";")


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _explain(e: duckdb.Error) -> Refused:
    """A DuckDB refusal in the box's words."""
    message = _first_line(e)
    if isinstance(e, duckdb.PermissionException):
        return Refused("no_external_access", message)
    if "configuration has been locked" in message:
        return Refused("locked", message)
    if "read-only mode" in message:
        return Refused("read_only", message)
    return Refused("error", message)


def run(warehouse: str | os.PathLike, sql: str, *, row_cap: int = ROW_CAP, timeout_s: float = TIMEOUT_S) -> Result:
    """Run one read-only SELECT; at most `row_cap` rows, stopped after `timeout_s` seconds."""
    con = connect(warehouse)
    timer = threading.Timer(timeout_s, con.interrupt)
    started = time.perf_counter()
    try:
        statement = check(con, sql)
        timer.start()
        reader = con.sql(statement).to_arrow_reader(min(row_cap + 1, 2048))
        schema = reader.schema
        batches, rows = [], 0
        for batch in reader:  # stop reading once past the cap: the rest is never computed or fetched
            batches.append(batch)
            rows += batch.num_rows
            if rows > row_cap:
                break
        reader.close()
        table = pa.Table.from_batches(batches, schema=schema)
    except duckdb.InterruptException:
        raise Refused("timeout", f"{timeout_s:g}") from None
    except duckdb.Error as e:
        raise _explain(e) from None
    finally:
        timer.cancel()
        con.close()
    frame = pl.from_arrow(table.slice(0, row_cap))
    assert isinstance(frame, pl.DataFrame)
    return Result(frame, rows > row_cap, time.perf_counter() - started)
