"""The benchmark script runs end to end at a tiny size and writes its table (how fast is not tested here)."""

from __future__ import annotations

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
    for measure in ("ingest of the incident exports", "peak memory", "incremental weekly export", "page `overview`"):
        assert measure in text, measure
    assert "bare DuckDB" in text and "Machine:" in text
