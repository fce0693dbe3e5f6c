"""The benchmark script runs end to end at a tiny size and writes its table (how fast is not tested here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_runs_small(tmp_path):
    out = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--incidents", "3000", "--repeat", "1",
                           "--workdir", str(tmp_path / "work"), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "## 3,000 incidents" in text
    for measure in ("ingest of the incident exports", "peak memory", "incremental weekly export", "page `overview`",
                    "page `coverage` opened after a weekly load"):
        assert measure in text, measure
    ready = re.search(r"views computed ahead after that load \((\d+)\)", text)
    assert ready and int(ready.group(1)) > 0  # the watcher saw the load and computed the views shown
    assert "page `coverage` opened after a server start, the default views computed ahead" in text
    assert re.search(r"default views computed after a start, ready after the first session \| \d+\.\d s", text)
    assert "bare DuckDB" in text and "Machine:" in text


def test_the_loads_benchmark_loads_both_exports_into_copies(demo_warehouse, demo_exports, tmp_path):
    """The weekly and the correction export, each loaded into a fresh copy: the table says how many
    rows each loaded, and the warehouse measured is left as it was."""
    import polars as pl

    from benchmarks.loads import make_corrections
    from warehouse.connection import open_reader

    source = demo_exports["incidents"][-1]
    corrections = make_corrections(source, tmp_path / "corrections.csv", rows=50)
    picked = pl.read_csv(corrections.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    whole = pl.read_csv(source.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    months = sorted({t[:7] for t in whole["接警时间"].to_list() if t})
    assert picked.height == 50 and set(picked["接警时间"].str.slice(0, 7)) <= set(months[-3:-1])
    assert set(picked["处置完毕时间"].str.slice(-2)) == {"59"}

    def counts():
        con = open_reader(demo_warehouse)
        try:
            return con.execute("select count(*), max(batch_id) from meta.batches").fetchall()[0]
        finally:
            con.close()

    before = counts()
    out = tmp_path / "RESULTS.md"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "loads.py"), "--warehouse", str(demo_warehouse),
                           "--export", str(source), "--repeat", "1", "--weekly-rows", "2000", "--corrections", "50",
                           "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1] for line in out.read_text(encoding="utf-8").splitlines()
            if line.startswith(("| weekly", "| corrections"))}
    # a record the demo wrote out of order on purpose stays refused
    assert 0 < int(rows["corrections"]) <= 50 and 0 < int(rows["weekly"].replace(",", "")) <= 2000
    assert counts() == before


def test_the_pages_benchmark_times_every_page_and_keeps_earlier_runs(demo_warehouse, tmp_path):
    """Each page of the dashboard gets a row with its warm and cold milliseconds; a second run adds
    its table under the same section, below the first."""
    from benchmarks.run import page_queries

    out = tmp_path / "RESULTS.md"
    out.write_text("# Benchmark results\n\n## Another section\n\nkept\n", encoding="utf-8")
    for _ in range(2):
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "pages.py"), "--warehouse", str(demo_warehouse),
                               "--repeat", "1", "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert text.count("## Page queries, checkout against checkout") == 1 and "## Another section\n\nkept" in text
    section = text.split("## Page queries, checkout against checkout")[1]
    assert section.count(f"### {demo_warehouse.name}, ") == 2
    rows = re.findall(r"^\| (\w+) \| (\d+) \| ([\d,]+), ([\d,]+) \|$", section, re.MULTILINE)
    assert sorted({r[0] for r in rows}) == sorted(page_queries()) and len(rows) == 2 * len(page_queries())
    assert all(int(n) > 0 for _, n, _, _ in rows)
