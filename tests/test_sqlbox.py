"""The ad-hoc SQL box refuses everything but reading, each refusal with a clear message; and the
query workbench page runs named queries and the box, checked against plain counts."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from emss import sqlbox

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"

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
    secret = tmp_path / "secret.csv"
    secret.write_text("a,b\n1,2\n", encoding="utf-8")
    for sql in (f"SELECT * FROM read_csv('{secret}')", f"SELECT * FROM '{secret}'",
                f"SELECT * FROM read_text('{secret}')", f"SELECT * FROM glob('{tmp_path}/*')"):
        e = refusal(warehouse, sql)
        assert e.reason == "no_external_access", sql
        assert "不允许访问文件或网络" in str(e) and "file system operations are disabled" in str(e)


def test_the_network_is_refused(warehouse):
    e = refusal(warehouse, "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')")
    assert e.reason == "no_external_access" and "127.0.0.1" in str(e)


def test_the_row_cap(warehouse):
    capped = sqlbox.run(warehouse, "SELECT range AS n FROM range(25000) ORDER BY n DESC")
    assert capped.frame.height == sqlbox.ROW_CAP == 10_000 and capped.truncated
    assert capped.frame["n"][0] == 24_999   # the first rows, in the query's order
    exact = sqlbox.run(warehouse, "SELECT * FROM range(10000)")
    assert exact.frame.height == 10_000 and not exact.truncated
    small = sqlbox.run(warehouse, "SELECT * FROM range(7)", row_cap=5)
    assert small.frame.height == 5 and small.truncated


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


# ---- the second line of defence: the connection itself, without the statement check -----------

@pytest.mark.parametrize("sql, error", [
    ("SET enable_external_access = true", "configuration has been locked"),
    ("SET lock_configuration = false", "configuration has been locked"),
    ("ATTACH 'elsewhere.duckdb' AS elsewhere", "file system operations are disabled"),
    ("COPY (SELECT 1) TO 'out.csv'", "file system operations are disabled"),
    ("INSTALL httpfs", "file system operations are disabled"),
    ("LOAD httpfs", "Loading external extensions is disabled"),
    ("INSERT INTO core.stations SELECT * FROM core.stations", "read-only"),
])
def test_the_locked_connection_refuses_on_its_own(warehouse, tmp_path, monkeypatch, sql, error):
    monkeypatch.chdir(tmp_path)
    con = sqlbox.connect(warehouse)
    try:
        with pytest.raises(duckdb.Error, match=error):
            con.execute(sql)
        assert con.execute("select current_setting('enable_external_access')").fetchone()[0] is False
    finally:
        con.close()
    assert not any(tmp_path.iterdir()), "nothing may be written"


# ---- the workbench page ------------------------------------------------------------------------

@pytest.fixture
def workbench(warehouse, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/workbench.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
    at.selectbox(key="wb_query").select("response/by_district").run()
    charts = at.get("plotly_chart")
    assert len(charts) == 1


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
