"""A province on a real Spark standalone cluster: a master and two workers on loopback, started
here from pyspark's own launcher, build a city (Guangzhou's demo) into a lake that already holds
another (the Shenzhen fixture, built in local mode: conftest's `built_lake`), and the
province query shows both, each as DuckDB computes it on the city's own warehouse."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest

import queries
from warehouse.connection import open_reader

pytest.importorskip("pyspark", reason="pyspark is not installed (uv sync --extra spark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java, and none is installed (Debian: openjdk-17-jre-headless)", allow_module_level=True)

import pyspark  # noqa: E402

from test_spark import _derived_tables, assert_same_rows, engine_neutral, table_rows  # noqa: E402
from warehouse import spark  # noqa: E402

WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """spark://127.0.0.1:<port> with WORKERS workers of one core each, registered with the master."""
    home = Path(pyspark.__file__).parent
    launcher = str(home / "bin" / "spark-class")
    logs = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(logs), "SPARK_NO_DAEMONIZE": "1"}
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    started = []
    master_log = logs / "master.log"
    try:
        with master_log.open("w") as out:
            started.append(subprocess.Popen(
                [launcher, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
                 "--webui-port", str(_free_port())], env=env, stdout=out, stderr=subprocess.STDOUT))
        for i in range(WORKERS):
            with (logs / f"worker{i}.log").open("w") as out:
                started.append(subprocess.Popen(
                    [launcher, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "1",
                     "--memory", "1g", "--webui-port", str(_free_port()), "--work-dir", str(logs / f"work{i}")],
                    env=env, stdout=out, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 90
        while master_log.read_text(errors="replace").count("Registering worker") < WORKERS:
            assert time.monotonic() < deadline, "the workers did not register:\n" + master_log.read_text(errors="replace")
            assert all(p.poll() is None for p in started), "a cluster process ended:\n" + master_log.read_text(errors="replace")
            time.sleep(0.5)
        yield url
    finally:
        for p in started:
            p.terminate()
        for p in started:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


@pytest.fixture(scope="module")
def province(cluster, built_lake, demo_warehouse, guangzhou_warehouse, tmp_path_factory):
    """A lake of two cities: Shenzhen's as built in local mode, and Guangzhou's, built on the cluster;
    the session used, and the seconds Guangzhou's build took."""
    built, shenzhen, _ = built_lake
    lake = tmp_path_factory.mktemp("province") / "lake"
    shutil.copytree(built, lake)
    guangzhou, _ = spark.export_lake(guangzhou_warehouse, lake)
    session = spark.session(cluster, shuffle_partitions=WORKERS)  # small cities: a partition per worker core
    started = time.perf_counter()
    written = spark.build(session, lake, city=guangzhou)
    seconds = time.perf_counter() - started
    yield lake, {shenzhen: demo_warehouse, guangzhou: guangzhou_warehouse}, written, session, seconds
    session.stop()


def test_the_cluster_has_its_workers(province):
    _, _, _, session, _ = province
    assert session.sparkContext.master.startswith("spark://127.0.0.1:")
    executors = session.sparkContext._jsc.sc().getExecutorMemoryStatus().size() - 1  # less the driver
    assert executors == WORKERS


def test_a_city_is_built_on_the_cluster_as_duckdb_builds_it(province):
    lake, warehouses, written, _, seconds = province
    assert list(written) == ["guangzhou"]  # the lake's other city is left as it was built
    for table in _derived_tables():
        on_cluster = pl.read_parquet(lake / table / "city=guangzhou" / "*.parquet")
        assert written["guangzhou"][table] == on_cluster.height
        assert_same_rows(engine_neutral(table, table_rows(warehouses["guangzhou"], table)),
                         engine_neutral(table, on_cluster), ordered=False)
    print(f"a city's build on a {WORKERS}-worker standalone cluster: {seconds:.1f} s")


def test_the_province_query_shows_both_cities_as_each_warehouse_does(province):
    lake, warehouses, _, session, _ = province
    spark.attach(session, lake, "guangzhou")
    on_cluster = queries.run_on_spark(session, "province/cities")
    each = []
    for warehouse in warehouses.values():
        con = open_reader(warehouse)
        try:
            each.append(queries.run(con, "province/cities"))
        finally:
            con.close()
    by_duckdb = pl.concat(each).sort("city")
    assert on_cluster["city"].to_list() == ["guangzhou", "shenzhen"]
    assert on_cluster["name_zh"].to_list() == ["广州市", "深圳市"]
    assert_same_rows(by_duckdb, on_cluster, ordered=True)
    # and a city's own query on the same session reads that city only
    kpi = queries.run_on_spark(session, "response/kpi")
    assert_same_rows(table_kpi(warehouses["guangzhou"]), kpi, ordered=True)


def table_kpi(warehouse) -> pl.DataFrame:
    con = open_reader(warehouse)
    try:
        return queries.run(con, "response/kpi")
    finally:
        con.close()
