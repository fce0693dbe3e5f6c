"""A load killed in the middle leaves the warehouse exactly as it was, and readable."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time

from warehouse.connection import copy_warehouse, open_reader


def test_killed_ingest_leaves_warehouse_unchanged(demo_warehouse, tmp_path):
    from emss import demo

    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    counts_before = open_reader(warehouse).execute("select count(*) from responses").fetchone()[0]

    # a bigger export, so the load is still running when it is killed
    files = demo.generate_exports(tmp_path / "big", seed=99, n_stations=200, n_incidents=60_000)
    proc = subprocess.Popen([sys.executable, "-m", "emss.cli", "ingest", "-w", str(warehouse),
                             *map(str, files["incidents"])], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    copy = tmp_path / f"w.duckdb.tmp-{proc.pid}"
    deadline = time.time() + 60
    while not copy.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # into the middle of writing the copy
    assert proc.poll() is None, "the load finished before it could be killed: make the export bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    con = open_reader(warehouse)
    assert con.execute("select count(*) from responses").fetchone()[0] == counts_before
    con.close()

    # the next load clears what the killed one left and completes
    from etl.load import ingest
    reports = ingest(files["stations"], warehouse)
    assert reports[0].outcome == "loaded"
    assert not list(tmp_path.glob("w.duckdb.tmp-*"))
