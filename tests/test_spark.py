"""The derived layer and the named queries on Spark (warehouse/spark.py), against DuckDB.

The fixture warehouse is written into a lake, every derived table is computed on Spark from the
same SQL files, and each table and each named query is compared with what DuckDB gives on the
warehouse itself: the same rows (in any order, unless the query orders them), numbers equal to
1e-9 relative. Spark runs in local mode here; tests/test_spark_cluster.py runs a standalone cluster."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import shutil

import polars as pl
import pytest

import queries
from warehouse import dialect
from warehouse.connection import open_reader

spark_module = pytest.importorskip("pyspark", reason="pyspark is not installed (uv sync --extra spark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java, and none is installed (Debian: openjdk-17-jre-headless)", allow_module_level=True)

from warehouse import spark  # noqa: E402  (needs pyspark)


def _plain(value):
    """A value as plain Python, for comparing what two engines returned."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dict):
        return tuple((k, _plain(v)) for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _sort_key(row):
    return tuple((v is None, f"{v:.6g}" if isinstance(v, float) else repr(v)) for v in row)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def assert_same_rows(duck: pl.DataFrame, other: pl.DataFrame, ordered: bool) -> None:
    """The same columns, and the same rows: in the same order when `ordered`, else as a multiset."""
    assert other.columns == duck.columns
    assert other.height == duck.height
    rows_duck = [tuple(_plain(v) for v in r) for r in duck.iter_rows()]
    rows_other = [tuple(_plain(v) for v in r) for r in other.iter_rows()]
    if not ordered:
        rows_duck.sort(key=_sort_key)
        rows_other.sort(key=_sort_key)
    for i, (x, y) in enumerate(zip(rows_duck, rows_other)):
        differ = [(c, p, q) for c, p, q in zip(duck.columns, x, y) if not _same(p, q)]
        assert not differ, f"row {i}: {differ[:3]}"


@pytest.fixture(scope="module")
def session(built_lake):
    s = spark.session("local[2]")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def lake(built_lake, session):
    folder, _, _ = built_lake
    spark.attach(session, folder)  # as `emss query --engine spark` finds a built lake
    return built_lake


def _derived_tables() -> list[str]:
    return [target for target, kind, _ in spark._statements() if kind == "TABLE"]


# Columns each engine computes its own way: a hash (warehouse.dialect._hash_sample), the same on
# every run of one engine; checked for their range only.
ENGINE_OWN = {"marts.travel_samples": {"sample_rank": (0, 65535)}}


def engine_neutral(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of `table` without the columns each engine computes its own way, once in range."""
    for column, (low, high) in ENGINE_OWN.get(table, {}).items():
        assert frame[column].null_count() == 0 and low <= frame[column].min() <= frame[column].max() <= high
        frame = frame.drop(column)
    return frame


@pytest.mark.parametrize("table", _derived_tables())
def test_every_derived_table_is_the_same_on_spark(lake, demo_warehouse, table):
    folder, city, written = lake
    duck = table_rows(demo_warehouse, table)
    # read back from the lake with Polars, not with Spark: what any engine finds there
    on_spark = pl.read_parquet(folder / table / f"city={city}" / "*.parquet")
    assert written[table] == duck.height
    assert_same_rows(engine_neutral(table, duck), engine_neutral(table, on_spark), ordered=False)


def test_tables_built_on_spark_read_back_into_the_warehouse_give_its_figures(lake, demo_warehouse, tmp_path):
    """emss build --engine spark: the lake's derived tables replace the warehouse's, and every
    table and a page's figures are what DuckDB had computed itself."""
    from warehouse import partitions
    from warehouse.connection import copy_warehouse, open_writer

    folder, city, written = lake
    copy = tmp_path / "emss.duckdb"
    copy_warehouse(demo_warehouse, copy)
    with open_writer(copy) as con:  # so that only what is read back can make the tables whole again
        partitions.rewrite(con, "marts.incidents", "select * from marts.incidents limit 0")
        con.execute("delete from marts.station_readiness")
    assert table_rows(copy, "marts.incidents").height == 0
    counts = spark.import_marts(folder, copy)
    assert counts == written
    for table in _derived_tables():
        assert_same_rows(engine_neutral(table, table_rows(demo_warehouse, table)),
                         engine_neutral(table, table_rows(copy, table)), ordered=False)
    for name in ("response/kpi", "stations/readiness_summary"):
        assert_same_rows(run_query(demo_warehouse, name), run_query(copy, name), ordered=True)


def test_a_warehouse_that_loaded_more_since_is_not_overwritten(lake, demo_warehouse, tmp_path):
    from warehouse.connection import copy_warehouse, open_writer

    folder, _, _ = lake
    copy = tmp_path / "emss.duckdb"
    copy_warehouse(demo_warehouse, copy)
    with open_writer(copy) as con:  # a load after the lake was written: one more batch
        con.execute("insert into meta.batches select * replace (batch_id + 1000 as batch_id) from meta.batches "
                    "order by batch_id desc limit 1")
    with pytest.raises(ValueError, match="since it was written into the lake") as refused:
        spark.import_marts(folder, copy)
    assert "数据湖" in str(refused.value)  # said in both languages, as every refusal


def test_a_build_that_did_not_finish_is_not_read_back(lake, demo_warehouse, tmp_path):
    """Only a city whose every derived table was written (the build's last step says so) is read back."""
    from warehouse.connection import copy_warehouse

    folder, city, _ = lake
    marker = folder / "_built" / f"city={city}.json"
    kept = marker.read_text(encoding="utf-8")
    copy = tmp_path / "emss.duckdb"
    copy_warehouse(demo_warehouse, copy)
    marker.unlink()  # as a build stopped halfway leaves it
    try:
        with pytest.raises(ValueError, match="build it on Spark first"):
            spark.import_marts(folder, copy)
    finally:
        marker.write_text(kept, encoding="utf-8")


def table_rows(warehouse, table: str) -> pl.DataFrame:
    con = open_reader(warehouse)
    try:
        return con.sql(f"select * from {table}").pl()
    finally:
        con.close()


def run_query(warehouse, name: str) -> pl.DataFrame:
    con = open_reader(warehouse)
    try:
        return queries.run(con, name)
    finally:
        con.close()


# the station or incident a query is about, taken from the data
SUBJECT = {
    "station": "select min(station_id) from stations",
    "incident_id": "select min(incident_id) from incidents where first_arrive_at is not null",
}
# a scope narrower than the defaults, so that lists and dates are bound on both engines
SCOPE = {
    "districts": "select list(distinct district order by district)[1:2] from stations",
    "station_types": "select list(distinct station_type order by station_type)[1:1] from stations",
    "end_date": "select as_of_date - 7 from data_as_of",
    "start_date": "select as_of_date - 60 from data_as_of",
}


def _parameters(con, query: queries.NamedQuery, filtered: bool) -> dict[str, object]:
    """Values for a query's parameters: the station or incident it is about; with `filtered`,
    also a narrower scope (SCOPE)."""
    wanted = {**SUBJECT, **(SCOPE if filtered else {})}
    return {p.name: con.execute(wanted[p.name]).fetchall()[0][0] for p in query.params if p.name in wanted}


def _runs() -> list:
    """Every named query with its defaults, and again in a narrower scope where it takes one."""
    runs = []
    for name, query in sorted(queries.catalogue().items()):
        runs.append(pytest.param(name, False, id=f"{name}-defaults"))
        if {p.name for p in query.params} & set(SCOPE):
            runs.append(pytest.param(name, True, id=f"{name}-filtered"))
    return runs


@pytest.mark.parametrize(("name", "filtered"), _runs())
def test_every_named_query_is_the_same_on_spark(lake, demo_warehouse, session, name, filtered):
    query = queries.get(name)
    con = open_reader(demo_warehouse)
    try:
        params = _parameters(con, query, filtered)
        duck = queries.run(con, name, params)
    finally:
        con.close()
    on_spark = queries.run_on_spark(session, name, params)
    assert_same_rows(duck, on_spark, ordered=False)
    # the fixture has rows for the query to agree on, for all but a few
    if not filtered and name not in {"quality/rejected_rows"}:
        assert duck.height > 0 or name.startswith("snapshots/"), f"{name} gives no rows on the fixture"


def test_a_parameter_is_bound_on_spark_never_pasted(lake, session):
    """A district code that is SQL is a value to compare against, on Spark as on DuckDB."""
    hostile = "futian') or 1=1 --"
    kpi = queries.run_on_spark(session, "response/kpi", {"districts": [hostile]})
    assert kpi["incidents"].to_list() == [0]


def test_emss_query_runs_a_named_query_on_spark(lake, demo_warehouse, tmp_path):
    """`emss query NAME --engine spark --lake DIR`, in a process of its own (its own Spark)."""
    import subprocess
    import sys

    folder, _, _ = lake
    out = tmp_path / "kpi.json"
    done = subprocess.run([sys.executable, "-m", "emss.cli", "query", "response/kpi", "--engine", "spark",
                           "--lake", str(folder), "-p", "districts=futian,luohu", "--format", "json", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    con = open_reader(demo_warehouse)
    try:
        expected = queries.run(con, "response/kpi", {"districts": ["futian", "luohu"]})
    finally:
        con.close()
    import json

    got = json.loads(out.read_text(encoding="utf-8"))
    assert got[0]["incidents"] == expected["incidents"][0] > 0
    assert got[0]["within_target"] == expected["within_target"][0]


def test_emss_build_and_query_on_spark_say_what_they_need(capsys):
    from emss.cli import main

    assert main(["query", "response/kpi", "--engine", "spark"]) == 2
    assert main(["build", "--engine", "spark"]) == 2
    assert "--lake" in capsys.readouterr().err


# -- the translation alone (no Spark needed) --------------------------------------------------

def test_a_macro_call_becomes_its_body_with_the_arguments_in_place():
    macros = dialect.Macros()
    macros.read("create or replace macro main.twice(x) as x * 2;"
                "create or replace macro main.big(n) as table select * from core.u where v > n;")
    sql = dialect.to_spark("select twice(a + 1) as b from big($limit)", macros)
    assert sql == "SELECT ((a + 1) * 2) AS b FROM (SELECT * FROM core__u WHERE v > :limit) AS big"


def test_tables_are_named_by_schema_and_ctes_keep_their_names():
    sql = dialect.to_spark("with recent as (select * from core.responses) select * from recent, incidents",
                           dialect.Macros())
    assert "core__responses" in sql and "FROM recent" in sql and "main__incidents" in sql


def test_duckdb_constructs_get_their_spark_form():
    cases = {
        "select epoch(a - b) from t": "TIMESTAMPDIFF(MICROSECOND, b, a) / 1000000.0",
        "select quantile_cont(x, 0.9) from t": "PERCENTILE(x, 0.9)",
        "select isodow(d) from t": "EXTRACT(DOW_ISO FROM d)",
        "select len(l) from t": "SIZE(l)",
        "select l[1] from t": "GET(l, 0)",
        "select list(x order by y) from t": "TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(y AS k0, x AS v))), e -> e.v)",
        "select any_value(x) from t": "ANY_VALUE(x, TRUE)",
    }
    for duck, expected in cases.items():
        assert expected in dialect.to_spark(duck, dialect.Macros()), duck
