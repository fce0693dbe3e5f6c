"""The ad-hoc SQL box refuses everything but reading, each refusal with a clear message; and the
query workbench page runs named queries and the box, checked against plain counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard import plain as plain_text
from emss import messages, sqlbox
from warehouse import partitions

PROJECT = Path(__file__).resolve().parents[1]
APP = PROJECT / "dashboard" / "app.py"

# statement -> (the word the refusal names); every one of these is refused before it reaches DuckDB
NOT_SELECT = {
    "attach": ("ATTACH 'other.duckdb' AS other", "ATTACH"),
    "copy": ("COPY (SELECT * FROM stations) TO 'stations.csv'", "COPY"),
    "install": ("INSTALL httpfs", "INSTALL"),
    "load": ("LOAD httpfs", "LOAD"),
    "set": ("SET enable_external_access = true", "SET"),
    "reset": ("RESET lock_configuration", "RESET"),
    "pragma": ("PRAGMA enable_profiling", "PRAGMA"),
    "export": ("EXPORT DATABASE 'dump'", "EXPORT"),
    "insert": ("INSERT INTO core.stations SELECT * FROM core.stations", "INSERT"),
    "update": ("UPDATE core.stations SET staff_count = 0", "UPDATE"),
    "delete": ("DELETE FROM core.stations", "DELETE"),
    "create": ("CREATE TABLE memory.scratch AS SELECT 1", "CREATE"),
    "drop": ("DROP TABLE core.stations", "DROP"),
    "call": ("CALL pragma_version()", "CALL"),
    "use": ("USE memory", "USE"),
    "detach": ("DETACH wh", "DETACH"),
    "checkpoint": ("CHECKPOINT", "CHECKPOINT"),
    "commented": ("-- looks harmless\nCOPY stations TO 'x.csv'", "COPY"),
}


@pytest.fixture(scope="module")
def warehouse(demo_warehouse) -> Path:
    return demo_warehouse


def refusal(warehouse: Path, sql: str, **kw) -> sqlbox.Refused:
    with pytest.raises(sqlbox.Refused) as info:
        sqlbox.run(warehouse, sql, **kw)
    return info.value


@pytest.mark.parametrize("case", sorted(NOT_SELECT))
def test_anything_but_select_is_refused(warehouse, case):
    sql, word = NOT_SELECT[case]
    e = refusal(warehouse, sql)
    assert e.reason == "not_select"
    assert word in str(e) and "SELECT" in str(e) and "只允许只读查询" in str(e)


def test_two_statements_are_refused(warehouse):
    e = refusal(warehouse, "SELECT 1; DROP TABLE core.stations")
    assert e.reason == "multiple" and "2" in str(e)


def test_an_empty_box_is_refused(warehouse):
    assert refusal(warehouse, "  ;  ").reason == "empty"


def test_a_syntax_error_says_so(warehouse):
    e = refusal(warehouse, "SELEC count(*) FROM incidents")
    assert e.reason == "syntax" and "SELEC" in str(e)


def test_reading_a_file_is_refused(warehouse, tmp_path):
    """By the statement check (a table function or a name that is no analyst view); the locked
    connection refuses the same on its own (below)."""
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n", encoding="utf-8")
    for sql, reason, word in ((f"SELECT * FROM read_csv('{secret}')", "function", "read_csv"),
                              (f"SELECT * FROM '{secret}'", "not_a_view", "secret.csv"),
                              (f"SELECT * FROM read_text('{secret}')", "function", "read_text"),
                              (f"SELECT * FROM glob('{tmp_path}/*')", "function", "glob")):
        e = refusal(warehouse, sql)
        assert (e.reason, word in e.detail) == (reason, True), sql


def test_the_network_is_refused(warehouse):
    e = refusal(warehouse, "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')")
    assert e.reason == "function" and "read_parquet" in str(e) and "不允许使用函数" in str(e)


def test_the_row_cap(warehouse):
    capped = sqlbox.run(warehouse, "SELECT range AS n FROM range(25000) ORDER BY n DESC")
    assert capped.frame.height == sqlbox.ROW_CAP == 10_000 and capped.truncated and capped.capped_by == "rows"
    assert capped.frame["n"][0] == 24_999   # the first rows, in the query's order
    exact = sqlbox.run(warehouse, "SELECT * FROM range(10000)")
    assert exact.frame.height == 10_000 and not exact.truncated and exact.capped_by is None
    small = sqlbox.run(warehouse, "SELECT * FROM range(7)", row_cap=5)
    assert small.frame.height == 5 and small.truncated and small.capped_by == "rows"


def test_a_slow_query_is_stopped(warehouse):
    started = time.perf_counter()
    # ten billion rows: about half a minute on two cores if nothing stopped it
    e = refusal(warehouse, "SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b", timeout_s=0.5)
    assert e.reason == "timeout" and "0.5" in str(e) and "已中止" in str(e)
    assert time.perf_counter() - started < 10


def test_a_select_over_the_views_answers_like_plain_duckdb(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = dict(con.execute("select district, count(*) from incidents group by district").fetchall())
    finally:
        con.close()
    result = sqlbox.run(warehouse, "select district, count(*) as n from incidents group by district;")
    assert dict(zip(result.frame["district"], result.frame["n"])) == expected
    assert not result.truncated


def test_the_warehouse_file_is_untouched(warehouse):
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    for sql, _ in NOT_SELECT.values():
        with pytest.raises(sqlbox.Refused):
            sqlbox.run(warehouse, sql)
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before


# ---- hostile statements that DuckDB itself reports as SELECT ---------------------------------------

# name -> (statement, reason, a word the refusal names); "{out}" is a file in the test's tmp_path
HOSTILE = {
    "copy_in_cte": ("WITH x AS (COPY (SELECT * FROM stations) TO '{out}') SELECT 1", "not_select", "COPY"),
    "copy_in_cte_relative": ("WITH x AS (COPY (SELECT * FROM incidents) TO 'incidents.csv') SELECT * FROM x",
                             "not_select", "COPY"),
    "copy_in_cte_temp_dir": ("WITH x AS (COPY (SELECT * FROM incidents) TO '.tmp/f.csv') SELECT 1",
                             "not_select", "COPY"),
    "delete_in_cte": ("WITH x AS (DELETE FROM core.stations RETURNING *) SELECT * FROM x", "not_select", "DELETE"),
    "update_in_cte": ("WITH x AS (UPDATE core.stations SET staff_count = 0 RETURNING *) SELECT count(*) FROM x",
                      "not_select", "UPDATE"),
    "insert_in_cte": ("WITH x AS (INSERT INTO core.stations SELECT * FROM core.stations RETURNING *) "
                      "SELECT count(*) FROM x", "not_select", "INSERT"),
    "update_extensions": ("UPDATE EXTENSIONS", "not_select", "UPDATE EXTENSIONS"),
    "raw": ("SELECT * FROM raw.incident_rows", "not_a_view", "raw.incident_rows"),
    "meta_rejects": ("SELECT raw FROM wh.meta.rejects", "not_a_view", "wh.meta.rejects"),
    "meta_rejects_quoted": ('SELECT * FROM "wh"."meta"."rejects"', "not_a_view", "wh.meta.rejects"),
    "marts_upper_case": ("SELECT * FROM MARTS.INCIDENTS", "not_a_view", "MARTS.INCIDENTS"),
    "information_schema": ("SELECT * FROM information_schema.tables", "not_a_view", "information_schema.tables"),
    "pg_catalog": ("SELECT * FROM pg_catalog.pg_tables", "not_a_view", "pg_catalog.pg_tables"),
    "duckdb_tables_function": ("SELECT * FROM duckdb_tables()", "function", "duckdb_tables()"),
    "duckdb_tables_view": ("SELECT * FROM duckdb_tables", "not_a_view", "duckdb_tables"),
    "query": ("SELECT * FROM query('select 1')", "function", "query()"),
    "query_table": ("SELECT * FROM query_table('raw.incident_rows')", "function", "query_table()"),
    "nested_core": ("SELECT * FROM stations WHERE station_id IN "
                    "(SELECT station_id FROM (SELECT station_id FROM core.responses))", "not_a_view", "core.responses"),
    "rejects": ("SELECT * FROM rejects", "not_a_view", "rejects"),
    "batches": ("SELECT * FROM main.batches", "not_a_view", "main.batches"),
    "rejects_in_scalar_subquery": ("SELECT (SELECT raw FROM rejects LIMIT 1) AS r", "not_a_view", "rejects"),
    "rejects_in_lambda": ("SELECT list_transform([1], x -> (SELECT raw FROM meta.rejects LIMIT 1))",
                          "not_a_view", "meta.rejects"),
    "cte_out_of_its_scope": ("SELECT * FROM (WITH rejects AS (SELECT 1) SELECT 1), rejects", "not_a_view", "rejects"),
    "cte_reading_itself": ("WITH rejects AS (SELECT * FROM rejects) SELECT raw FROM rejects", "not_a_view", "rejects"),
    "recursive_cte_base_case": ("WITH RECURSIVE rejects AS (SELECT * FROM rejects UNION ALL SELECT * FROM rejects) "
                                "SELECT raw FROM rejects", "not_a_view", "rejects"),
    "cte_read_before_defined": ("WITH a AS (SELECT * FROM batches), batches AS (SELECT 1) SELECT * FROM a",
                                "not_a_view", "batches"),
    "describe_raw": ("DESCRIBE raw.incident_rows", "not_a_view", "raw.incident_rows"),
    "show_tables": ("SHOW ALL TABLES", "unsupported", "SHOW"),
    "time_travel": ("SELECT * FROM stations AT (VERSION => 1)", "unsupported", "AT"),
    "getvariable": ("SELECT getvariable('x')", "function", "getvariable"),
    "current_setting": ("SELECT current_setting('temp_directory')", "function", "current_setting"),
    "macro_running_a_query": ("SELECT pg_get_viewdef(1)", "function", "pg_get_viewdef"),
    "pragma_function": ("SELECT * FROM pragma_database_size()", "function", "pragma_database_size()"),
    "sleep": ("SELECT sleep_ms(60000)", "function", "sleep_ms"),
    "undocumented_table_macro": ("SELECT * FROM type_targets(2026, [])", "function", "type_targets()"),
    "two_statements_after_cte": ("WITH x AS (SELECT 1) SELECT * FROM x; SELECT * FROM raw.incident_rows",
                                 "multiple", "2"),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def duckdb_temp_files() -> set[str]:
    """What DuckDB could have left in the system temp directory (names of its temp files and folders)."""
    root = Path(tempfile.gettempdir())
    return {p.name for p in root.iterdir() if p.name.startswith(("duckdb", ".tmp"))}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_statements_are_refused_and_nothing_runs(warehouse, tmp_path, monkeypatch, case):
    sql, reason, word = HOSTILE[case]
    out = tmp_path / "out.csv"
    work = tmp_path / "cwd"
    (work / ".tmp").mkdir(parents=True)     # DuckDB's default temp directory, there to be written to
    monkeypatch.chdir(work)
    before, temp_before = sha256(warehouse), duckdb_temp_files()
    warehouse_dir = sorted(p.name for p in warehouse.parent.iterdir())

    e = refusal(warehouse, sql.format(out=out))

    assert (e.reason, word in e.detail) == (reason, True), (e.reason, e.detail)
    assert "\n" not in str(e) and "/" in str(e)       # one line, in Chinese / English
    assert not out.exists()
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == ["cwd", "cwd/.tmp"], \
        "nothing may be written"
    assert sha256(warehouse) == before
    assert sorted(p.name for p in warehouse.parent.iterdir()) == warehouse_dir    # no .wal, no temp file
    assert duckdb_temp_files() <= temp_before


def test_hostile_statements_are_refused_by_the_check_alone(warehouse):
    """The same refusals come from the statement check, before DuckDB is asked to run anything."""
    con = sqlbox.connect(warehouse)
    try:
        for case, (sql, reason, _) in HOSTILE.items():
            with pytest.raises(sqlbox.Refused) as info:
                sqlbox.check(con, sql.format(out="out.csv"))
            assert info.value.reason == reason, case
    finally:
        con.close()


def test_every_reason_has_a_message_in_both_languages():
    """Each reason's words exist once, in the catalog; the exception's own text is both languages."""
    for reason in sqlbox.REASONS:
        texts = messages.STRINGS[f"sqlbox_{reason}"]
        assert set(texts) == {"zh", "en"}, reason
        message = str(sqlbox.Refused(reason, "x"))
        assert message == f"{messages.text(f'sqlbox_{reason}', 'zh', detail='x')} / " \
                          f"{messages.text(f'sqlbox_{reason}', 'en', detail='x')}", reason


# ---- what the box does run, against plain DuckDB on the same file --------------------------------

@pytest.mark.parametrize("box_sql, plain_sql", [
    # a recursive CTE
    ("with recursive t(n) as (select 1 union all select n + 1 from t where n < 10) "
     "select n, (select count(*) from stations where staff_count >= n) as stations from t order by n",
     "select n, (select count(*) from stations where staff_count >= n) from range(1, 11) r(n) order by n"),
    # a UNION of two views
    ("select district from stations union select district from incidents order by district",
     "select distinct district from (select district from stations union all select district from incidents) "
     "order by district"),
    # a CTE shadowing a view name: it reads the CTE, not the view
    ("with incidents as (select * from incidents where district = 'baoan') select count(*) as n from incidents",
     "select count(*) from incidents where district = 'baoan'"),
    # a CTE named like a withheld view: allowed, and it is the CTE that is read
    ("with rejects as (select station_id from stations) select count(*) as n from rejects",
     "select count(*) from stations"),
    # CTEs reading one another, a lateral join, a window, a documented table macro and a scalar macro
    ("with a as (select station_id, district from stations), b as (select district, count(*) as n from a group by all) "
     "select b.district, b.n, l.incidents, rank() over (order by b.n desc, b.district) as r from b, "
     "lateral (select count(*) as incidents from incidents i where i.district = b.district) l order by r",
     "select s.district, count(*), (select count(*) from incidents i where i.district = s.district), "
     "rank() over (order by count(*) desc, s.district) from stations s group by s.district order by 4"),
    ("select count(*) as n, period_end(null) as end_date from incidents_in(null, null, [], [])",
     "select count(*), (select as_of_date from data_as_of) from incidents where call_date between "
     "(select as_of_date from data_as_of) - 27 and (select as_of_date from data_as_of)"),
    # a range of months: their incidents, the same as the view's for those months
    ("select call_month, count(*) as n from incidents_of_months(strftime(period_end(null) - 40, '%Y-%m'), "
     "strftime(period_end(null), '%Y-%m')) group by all order by all",
     "select call_month, count(*) from incidents where strftime(call_date, '%Y-%m') "
     "between strftime((select as_of_date from data_as_of) - 40, '%Y-%m') "
     "and strftime((select as_of_date from data_as_of), '%Y-%m') group by all order by all"),
    # the responses of a period, and of a range of months, the same as the view's
    ("select station_id, count(*) as n from responses_in(null, null) group by all order by all",
     "select station_id, count(*) from responses where call_date between "
     "(select as_of_date from data_as_of) - 27 and (select as_of_date from data_as_of) group by all order by all"),
    ("select count(*) as n from responses_of_months(strftime(period_end(null) - 40, '%Y-%m'), null)",
     "select count(*) from responses where strftime(call_date, '%Y-%m') "
     ">= strftime((select as_of_date from data_as_of) - 40, '%Y-%m')"),
    # each station's median turnout over a period, the same as the view's responses give
    ("select station_id, turnout_p50_s, turnout_n from station_turnouts(period_end(null) - 90, period_end(null)) "
     "order by all",
     "select station_id, quantile_cont(turnout_s, 0.5), count(*) from responses where turnout_s >= 0 and call_date "
     "between (select as_of_date from data_as_of) - 90 and (select as_of_date from data_as_of) group by all order by all"),
    # the period a period is compared with: as many days, just before it (ten days from 1 May: from 21 April)
    ("select previous_period_start(date '2025-05-01', date '2025-05-10') as a, "
     "previous_period_start(null, null) = period_start(null, null) - 28 as b",
     "select date '2025-04-21', true"),
    ("select * from range(3) r, unnest(['a', 'b']) u(x) order by all",
     "select * from range(3) r, (values ('a'), ('b')) u(x) order by all"),
])
def test_allowed_queries_answer_like_plain_duckdb(warehouse, box_sql, plain_sql):
    result = sqlbox.run(warehouse, box_sql)
    assert not result.truncated and result.capped_by is None
    assert [tuple(r) for r in result.frame.rows()] == plain(warehouse, plain_sql)


def test_the_named_queries_pass_the_check_unless_they_read_beyond_the_analyst_views(warehouse):
    """The allowlist is no narrower than the product's own SQL: a named query is refused only for a
    table or macro outside what the box offers."""
    import queries

    # the travel-time samples' table of a range of months and the year of turnouts each load stores are the
    # coverage queries' own inputs, not analyst views
    outside = {"rejects", "batches", "type_targets()", "marts.travel_samples_months()", "marts.station_turnout_year"}
    con = sqlbox.connect(warehouse)
    try:
        refused = {}
        for name, query in queries.catalogue().items():
            try:
                sqlbox.check(con, query.sql)
            except sqlbox.Refused as e:
                refused[name] = (e.reason, e.detail)
    finally:
        con.close()
    assert len(refused) < len(queries.catalogue()) / 2
    for name, (reason, detail) in refused.items():
        # the province views are the province queries' own surface (a lake of cities, on Spark), not the box's
        assert reason in ("not_a_view", "function") and (detail in outside or detail.startswith(("meta.", "province."))), name


# ---- the result's size and the process's memory -------------------------------------------------

def test_the_byte_cap(warehouse):
    """100 kB a row, 10,000 rows: a gigabyte if nothing stopped it; the first rows up to BYTE_CAP come back."""
    result = sqlbox.run(warehouse, "SELECT range AS n, repeat('x', 100000) AS s FROM range(10000)")
    assert result.truncated and result.capped_by == "bytes"
    assert 0 < result.frame.height < sqlbox.ROW_CAP
    assert result.frame["s"].str.len_bytes().unique().to_list() == [100_000]
    assert result.frame["n"].to_list() == list(range(result.frame.height))    # the first rows, in order
    assert result.frame.estimated_size() <= sqlbox.BYTE_CAP
    assert (result.frame.height + 1) * 100_000 > sqlbox.BYTE_CAP * 0.99        # as many as fit
    small = sqlbox.run(warehouse, "SELECT repeat('x', 1000) AS s FROM range(50)", byte_cap=10_000)
    assert small.capped_by == "bytes" and small.frame.height == 9


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in kB and RLIMIT_DATA are Linux's")
def test_a_huge_value_stops_in_the_child_and_spares_the_caller(warehouse, tmp_path):
    """`repeat('x', 200000000)` is built outside DuckDB's memory limit (0.8 GB in-process). It
    stops in the box's child process within its cap; the calling process does not grow."""
    caller = """
import json, resource, sys
from emss import sqlbox
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
outcomes = []
for sql in sys.argv[2:]:
    try:
        r = sqlbox.run(sys.argv[1], sql)
        outcomes.append(["ok", r.capped_by])
    except sqlbox.Refused as e:
        outcomes.append(["refused", e.reason])
print(json.dumps([base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, outcomes]))
"""
    child = """
import json, resource, sys
from emss import sqlbox
sqlbox._limit_memory()       # what the box's child does first
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    sqlbox._execute(sys.argv[1], sys.argv[2], sqlbox.ROW_CAP, sqlbox.BYTE_CAP, 60)
    outcome = "ok"
except sqlbox.Refused as e:
    outcome = e.reason
print(json.dumps([base, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, outcome]))
"""
    huge = ["select repeat('x', 200000000) as s", "select length(repeat('x', 3000000000)) as n"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}

    def python(code: str, *args: str) -> list:
        done = subprocess.run([sys.executable, "-c", code, str(warehouse), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    base, peak, outcomes = python(caller, *huge)
    assert [o[0] for o in outcomes] == ["refused", "refused"]
    assert {o[1] for o in outcomes} <= {"memory", "too_large"}
    assert peak - base < 64 * 1024, f"the caller grew by {(peak - base) // 1024} MB"
    for sql in huge:
        base, peak, outcome = python(child, sql)
        assert outcome in ("memory", "too_large"), outcome
        grew = (peak - base) // 1024
        assert grew * 2**20 < sqlbox.PROCESS_HEADROOM + 2**28, f"{sql}: the child grew by {grew} MB"
    assert not any(tmp_path.rglob("*"))


# ---- the second line of defence: the connection itself, without the statement check -----------

@pytest.mark.parametrize("sql, error", [
    ("SET enable_external_access = true", "configuration has been locked"),
    ("SET lock_configuration = false", "configuration has been locked"),
    ("SET temp_directory = '.tmp'", "configuration has been locked"),
    ("ATTACH 'elsewhere.duckdb' AS elsewhere", "file system operations are disabled"),
    ("COPY (SELECT 1) TO 'out.csv'", "file system operations are disabled"),
    # DuckDB lets COPY write into its temp directory even without external access: there is none
    ("COPY (SELECT 1) TO '.tmp/out.csv'", "file system operations are disabled"),
    ("WITH x AS (COPY (SELECT 1) TO '.tmp/out.csv') SELECT 1", "file system operations are disabled"),
    ("SELECT * FROM read_csv('elsewhere.csv')", "file system operations are disabled"),
    ("INSTALL httpfs", "file system operations are disabled"),
    ("LOAD httpfs", "Loading external extensions is disabled"),
    ("INSERT INTO core.stations SELECT * FROM core.stations", "read-only"),
])
def test_the_locked_connection_refuses_on_its_own(warehouse, tmp_path, monkeypatch, sql, error):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".tmp").mkdir()      # DuckDB's default temp directory for an in-memory database
    con = sqlbox.connect(warehouse)
    try:
        with pytest.raises(duckdb.Error, match=error):
            con.execute(sql)
        assert con.execute("select current_setting('enable_external_access')").fetchone()[0] is False
    finally:
        con.close()
    assert [p.name for p in tmp_path.rglob("*")] == [".tmp"], "nothing may be written"


def test_the_connection_does_not_spill(warehouse, tmp_path, monkeypatch):
    """No temporary directory: a sort over the memory limit fails instead of writing temp files."""
    monkeypatch.chdir(tmp_path)
    con = sqlbox.connect(warehouse)
    try:
        settings = dict(con.execute("select name, value from duckdb_settings() where name in "
                                    "('temp_directory', 'max_temp_directory_size', 'allowed_directories', "
                                    "'threads', 'python_enable_replacements')").fetchall())
        parts = f"[{partitions.root_of(warehouse)}{os.sep}]"   # the big tables' Parquet files, nothing else
        assert settings == {"temp_directory": "", "max_temp_directory_size": "0 bytes", "allowed_directories": parts,
                            "threads": str(sqlbox.THREADS), "python_enable_replacements": "false"}
        with pytest.raises(duckdb.OutOfMemoryException, match="no temporary directory"):
            con.execute("select max(rn) from (select row_number() over (order by s) as rn from "
                        "(select md5(range::varchar) || repeat('y', 200) as s from range(6000000)))").fetchall()
    finally:
        con.close()
    assert not any(tmp_path.rglob("*")), "a spill must not write anything"


# ---- the workbench page ------------------------------------------------------------------------

@pytest.fixture
def workbench(warehouse, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/workbench.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.skipif(not sqlbox.PROCESS_ISOLATION, reason="no fork here: the box runs in-process, with no helper to start")
def test_the_workbench_starts_the_query_process_before_the_first_run(warehouse, monkeypatch):
    """Opening the workbench starts the box's helper process (its imports take seconds), and the first
    run then goes through that process instead of starting one."""
    fresh = sqlbox._Helper()
    monkeypatch.setattr(sqlbox, "_helper", fresh)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert fresh.process is None, "the Overview starts no query process"
    at.switch_page("app_pages/workbench.py").run()
    assert fresh.process is not None and fresh.process.poll() is None, "opening the workbench starts it"
    started = fresh.process.pid
    try:
        assert sqlbox.run(warehouse, "select 41 + 1 as n").frame.to_dicts() == [{"n": 42}]
        assert fresh.process.pid == started, "the first run used the process the page started"
    finally:
        fresh.process.kill()
        fresh.process.wait()


def plain(warehouse: Path, sql: str, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_workbench_runs_a_named_query_with_its_parameter_widgets(workbench, warehouse):
    import queries

    at = workbench
    at.selectbox(key="wb_query").select("response/kpi").run()
    at.multiselect(key="wb_response/kpi_districts").select("baoan").run()
    at.date_input(key="wb_response/kpi_start_date").set_value(dt.date(2026, 1, 1)).run()
    assert not at.exception, [e.value for e in at.exception]
    as_of = plain(warehouse, "select as_of_date from data_as_of")[0][0]
    n = plain(warehouse, "select count(*) from incidents where district = 'baoan' and call_date between ? and ?",
              [dt.date(2026, 1, 1), as_of])[0][0]
    shown = at.dataframe[0].value
    assert int(shown["incidents"][0]) == n
    assert any(c.value.strip() == queries.get("response/kpi").sql.strip() for c in at.code)
    assert any("emss query response/kpi -p start_date=2026-01-01 -p districts=baoan" in c.value for c in at.code)
    labels = [b.proto.label for b in at.get("download_button")]
    assert {i18n.text("download_csv", "zh"), i18n.text("download_excel", "zh"),
            i18n.text("download_parquet", "zh")} <= set(labels)


def test_every_named_query_runs_in_the_workbench(workbench):
    """With its parameters left empty (the query's defaults), including queries with nested columns."""
    import queries

    at = workbench
    for name in queries.catalogue():
        at.selectbox(key="wb_query").select(name).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert not at.error, (name, [e.value for e in at.error])
        assert len(at.get("download_button")) == 3, name   # CSV, Excel, Parquet


def test_workbench_suggests_a_chart(workbench):
    at = workbench
    """The result's rate per district, drawn by Vega-Lite (no Plotly on this page: its table comes first)."""
    from conftest import chart_rows

    at.selectbox(key="wb_query").select("response/by_district").run()
    assert not at.get("plotly_chart")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    shown = at.dataframe[0].value
    expected = {messages.label("district", d, "zh"): r
                for d, r in zip(shown["district"], shown["within_target_rate"]) if r == r}
    drawn = {r["x"]: r["y"] for r in chart_rows(charts[0]) if r["y"] is not None}
    assert drawn == pytest.approx(expected) and len(drawn) >= 5


def test_workbench_sql_box_refuses_and_answers(workbench, warehouse):
    at = workbench
    at.text_area(key="wb_sql").input("COPY incidents TO 'x.csv'").run()
    at.button(key="wb_sql_run").click().run()
    assert [e.value for e in at.error] == [i18n.text("sqlbox_not_select", "zh", detail="COPY")]

    at.text_area(key="wb_sql").input("select count(*) as n from incidents").run()
    at.button(key="wb_sql_run").click().run()
    assert not at.error
    assert int(at.dataframe[-1].value["n"][0]) == plain(warehouse, "select count(*) from incidents")[0][0]

    at.text_area(key="wb_sql").input("select * from range(20000)").run()
    at.button(key="wb_sql_run").click().run()
    assert [w.value for w in at.warning] == [i18n.text("workbench_adhoc_truncated", "zh", cap="10,000")]
    assert len(at.dataframe[-1].value) == 10_000


def ad_hoc(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="wb_sql").input(sql).run()
    at.button(key="wb_sql_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sql_downloads(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button") if b.proto.id and "wb_sql_download" in b.proto.id]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbench_shows_a_refusal_in_one_line_in_the_users_language(workbench, lang):
    at = workbench
    at.session_state[i18n.LANG_KEY] = lang
    for sql, reason, detail in (
            ("WITH x AS (DELETE FROM core.stations RETURNING *) SELECT * FROM x", "not_select",
             "DELETE (inside the query)"),
            ("select * from rejects", "not_a_view", "rejects"),
            ("select getvariable('x')", "function", "getvariable"),
            ("UPDATE EXTENSIONS", "not_select", "UPDATE EXTENSIONS")):
        ad_hoc(at, sql)
        # the detail is DuckDB's text, which may quote data: shown as text, markdown escaped
        assert [e.value for e in at.error] == [i18n.text(f"sqlbox_{reason}", lang, detail=plain_text.md(detail))], sql
        assert "\n" not in at.error[0].value and "Traceback" not in at.error[0].value
        assert not sql_downloads(at)


def test_workbench_says_which_cap_cut_the_result_and_builds_no_oversized_download(workbench, monkeypatch):
    at = ad_hoc(workbench, "select repeat('x', 100000) as s from range(10000)")
    n = at.dataframe[-1].value.shape[0]
    assert [w.value for w in at.warning] == [
        i18n.text("sqlbox_truncated_bytes", "zh", cap=f"{sqlbox.BYTE_CAP / 2**20:g} MB", n=f"{n:,}")]
    assert 0 < n < sqlbox.ROW_CAP
    assert len(sql_downloads(at)) == 2      # within the cap: CSV and Excel, built when clicked

    monkeypatch.setattr(sqlbox, "BYTE_CAP", 100_000)   # the page's own guard, whatever run() returned
    at = ad_hoc(at, "select repeat('x', 1000) as s from range(500)")
    assert not sql_downloads(at)
    assert i18n.text("sqlbox_no_download", "zh", cap=f"{100_000 / 2**20:g} MB") in [c.value for c in at.caption]


def test_documented_views_are_every_analyst_view(reader):
    """The SQL box names the views it offers; a new analyst view must be added there (and to the README)."""
    from emss.sqlbox import DOCUMENTED_VIEWS

    views = {r[0] for r in reader.execute(
        "select view_name from duckdb_views() where database_name = 'wh' and schema_name = 'main' and not internal"
    ).fetchall()}
    assert views == set(DOCUMENTED_VIEWS)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [v for v in views if f"`{v}`" not in readme]
    assert not missing, f"views not documented in README.md: {missing}"
