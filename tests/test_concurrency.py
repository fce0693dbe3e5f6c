"""A load must neither be blocked by a reader (the dashboard) nor break it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from etl.load import ingest
from warehouse.connection import copy_warehouse, open_reader


def test_ingest_while_a_reader_is_open(demo_warehouse, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    reader = open_reader(warehouse)
    before = reader.execute("select count(*) from stations").fetchone()[0]

    extra = tmp_path / "新站点.csv"
    extra.write_text("站点编号,站点类型,所属区,建成日期\nYJ9999,小型站,福田区,2026-11-20\n", encoding="utf-8")
    reports = ingest([extra], warehouse)
    assert reports[0].outcome == "loaded"

    # the open reader still answers, from the state it opened
    assert reader.execute("select count(*) from stations").fetchone()[0] == before
    reader.close()
    # a new reader sees the load
    fresh = open_reader(warehouse)
    assert fresh.execute("select count(*) from stations").fetchone()[0] == before + 1
    fresh.close()


def test_ingest_while_another_process_reads(demo_warehouse, tmp_path):
    """A reader in another process holds the file open throughout the load."""
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    script = textwrap.dedent(f"""
        import sys, time
        from warehouse.connection import open_reader
        con = open_reader({str(warehouse)!r})
        print("open", flush=True)
        n = 0
        deadline = time.time() + 60
        while time.time() < deadline and sys.stdin.readline().strip() != "stop":
            n += con.execute("select count(*) from incidents").fetchone()[0] > 0
        print(n, flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    extra = tmp_path / "新站点.csv"
    extra.write_text("站点编号,站点类型,所属区,建成日期\nYJ9998,小型站,福田区,2026-11-20\n", encoding="utf-8")
    for _ in range(3):
        proc.stdin.write("go\n")
    reports = ingest([extra], warehouse)
    proc.stdin.write("stop\n")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert reports[0].outcome == "loaded"
    assert int(out.strip()) == 3
