"""Shared fixtures: a small demo warehouse built through the real path
(generator -> export files -> ETL -> DuckDB file), once per test session."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Reference material outside the project (real extracts, original boundaries); absent in a user's clone.
SHARED_DIR = Path(os.environ.get("EMSS_SHARED_DIR", PROJECT_DIR.parent / "shared"))

FIXTURE_SEED = 7
FIXTURE_STATIONS = 60
FIXTURE_INCIDENTS = 3000


def shared_path(*parts: str) -> Path:
    """A file under the shared reference folder, or skip the test saying why."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available at {path} (set EMSS_SHARED_DIR to the folder holding realdata/ and geo/)")
    return path


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> dict[str, list[Path]]:
    from emss import demo

    out = tmp_path_factory.mktemp("exports")
    return demo.generate_exports(out, seed=FIXTURE_SEED, n_stations=FIXTURE_STATIONS, n_incidents=FIXTURE_INCIDENTS)


@pytest.fixture(scope="session")
def demo_warehouse(demo_exports, tmp_path_factory) -> Path:
    """A warehouse holding the fixture exports, and the snapshot history (meta.snapshots) of its
    last two complete weeks, as `emss snapshot` records it. Read-only for tests: copy it to change it."""
    from emss import snapshot
    from etl.load import ingest

    warehouse = tmp_path_factory.mktemp("warehouse") / "emss.duckdb"
    reports = ingest([p for paths in demo_exports.values() for p in paths], warehouse)
    assert all(r.outcome == "loaded" for r in reports), [r.message for r in reports]
    latest = snapshot.record_week(warehouse).week
    snapshot.record_week(warehouse, latest.previous())
    return warehouse


@pytest.fixture(scope="session")
def built_lake(demo_warehouse, tmp_path_factory):
    """The fixture warehouse written into a lake and built on Spark in local mode, once per test run
    (tests/test_spark.py compares it with DuckDB; tests/test_spark_cluster.py adds a second city to a
    copy): (folder, city, rows written per table). Its Spark session is stopped here: a process holds
    one at a time, and each module opens its own."""
    from warehouse import spark

    folder = tmp_path_factory.mktemp("lake")
    city, _ = spark.export_lake(demo_warehouse, folder)
    session = spark.session("local[2]")
    try:
        written = spark.build(session, folder)
    finally:
        session.stop()
    return folder, city, written[city]


@pytest.fixture(autouse=True)
def default_city():
    """Every test starts and ends working for the default city: a test (or an AppTest of the
    dashboard, which reads its warehouse's city) may switch the process to another one."""
    from emss import profiles

    profiles.use(None)
    yield
    profiles.use(None)


@pytest.fixture(scope="session")
def guangzhou_profile(tmp_path_factory) -> Path:
    """Guangzhou's profile as `emss profile new 广州市` writes it, with population from a CSV."""
    from emss.cli import main

    folder = tmp_path_factory.mktemp("profiles") / "guangzhou"
    population = folder.parent / "人口.csv"
    # 7th census (2020), persons, rounded to thousands; the first column names districts as people write them
    population.write_text("区,常住人口\n荔湾,1238000\n越秀区,1038000\n海珠区,1819000\n天河区,2241000\n白云区,3743000\n"
                          "黄埔区,1264000\n番禺区,2658000\n花都区,1642000\n南沙区,847000\n从化区,718000\n增城区,1466000\n",
                          encoding="gb18030")
    assert main(["profile", "new", "广州市", "--out", str(folder), "--population", str(population),
                 "--name-en", "Guangzhou"]) == 0
    return folder


@pytest.fixture(scope="session")
def guangzhou_warehouse(guangzhou_profile, tmp_path_factory) -> Path:
    """`emss demo --profile <Guangzhou>` on a small demo: Guangzhou's stations, incidents and inventory."""
    from emss.cli import main

    warehouse = tmp_path_factory.mktemp("guangzhou") / "emss.duckdb"
    assert main(["demo", "--profile", str(guangzhou_profile), "--warehouse", str(warehouse), "--no-serve",
                 "--seed", str(FIXTURE_SEED), "--stations", str(FIXTURE_STATIONS), "--incidents", str(FIXTURE_INCIDENTS)]) == 0
    from warehouse.access import access_path

    access_path(warehouse).unlink()  # the demo's accounts (tests/test_access.py): here the pages are open
    return warehouse


@pytest.fixture()
def reader(demo_warehouse):
    from warehouse.connection import open_reader

    con = open_reader(demo_warehouse)
    yield con
    con.close()


@contextlib.contextmanager
def running_dashboard(warehouse: Path):
    """`emss serve` on a free loopback port, as a user starts it; yields its base URL once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "emss.cli", "serve", "--warehouse", str(warehouse), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start: " + (proc.stdout.read() if proc.stdout else ""))
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def chart_rows(element) -> list[dict]:
    """The data rows of one Vega-Lite chart of an AppTest (Streamlit sends a spec's `data.values` as Arrow)."""
    import pyarrow as pa

    return pa.ipc.open_stream(element.proto.data.data).read_all().to_pylist()


def open_dashboard(page: str | None = None, timeout: float = 60, check: bool = True, **query: str):
    """An AppTest of the dashboard's entry script on the warehouse in EMSS_WAREHOUSE, started from a
    link with these URL parameters, switched to `app_pages/<page>.py`; with `check`, no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_DIR / "dashboard" / "app.py"), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at
