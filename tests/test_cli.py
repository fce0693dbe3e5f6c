"""The emss command as a user runs it, and the README keeping up with it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb

from emss.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def emss(*args, env=None):
    return subprocess.run([sys.executable, "-m", "emss.cli", *args], capture_output=True, text=True, env=env)


def test_every_subcommand_is_in_the_readme():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"emss {name}" in README, f"`emss {name}` is not documented in README.md"


def test_query_list_names_every_query(demo_warehouse):
    import queries

    out = emss("query", "--list", "--warehouse", str(demo_warehouse))
    assert out.returncode == 0, out.stderr
    listed = {line.split()[0] for line in out.stdout.splitlines() if line.strip() and not line.startswith(" ")}
    assert listed == set(queries.catalogue())


def test_query_json_matches_the_library(demo_warehouse, reader):
    import queries

    out = emss("query", "response/kpi", "-p", "districts=baoan", "--format", "json", "-w", str(demo_warehouse))
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)[0]
    expected = queries.run(reader, "response/kpi", {"districts": ["baoan"]}).row(0, named=True)
    assert got["incidents"] == expected["incidents"] and got["within_target"] == expected["within_target"]


def test_warehouse_from_environment(demo_warehouse):
    import os

    env = dict(os.environ, EMSS_WAREHOUSE=str(demo_warehouse))
    out = emss("query", "meta/data_range", "--format", "csv", env=env)
    assert out.returncode == 0, out.stderr
    assert re.search(r"\d{4}-\d{2}-\d{2}", out.stdout)


def test_missing_warehouse_is_a_one_line_error(tmp_path):
    out = emss("query", "response/kpi", "-w", str(tmp_path / "none.duckdb"))
    assert out.returncode == 2
    assert "emss demo" in out.stderr and "Traceback" not in out.stderr


def test_ingest_refusal_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    out = emss("ingest", str(bad), "-w", str(tmp_path / "w.duckdb"))
    assert out.returncode == 2
    assert "bad.csv" in out.stderr and "Traceback" not in out.stderr


def test_strict_refuses_a_file_with_too_many_rejects(tmp_path):
    corpus = Path(__file__).resolve().parent / "corpus"
    warehouse = tmp_path / "w.duckdb"
    out = emss("ingest", "--strict", "0.2", str(corpus / "order_violation.csv"), "-w", str(warehouse))  # 1 of 2 rejected
    assert out.returncode == 3 and "50.0%" in out.stderr
    assert not warehouse.exists()
    out = emss("ingest", "--strict", "0.6", str(corpus / "order_violation.csv"), "-w", str(warehouse))
    assert out.returncode == 0


def test_a_load_rejecting_most_of_a_file_fails_loudly(tmp_path):
    """3 of 4 rows lack their alarm time: the good row loads and stays, but the command fails (4)."""
    header = "警情编号,接警时间,到场时间,出警站点编号\n"
    rows = ["JQ1,2025-05-21 01:00:00,2025-05-21 01:04:00,YJ0001", "JQ2,,2025-05-21 01:04:00,YJ0001",
            "JQ3,,2025-05-21 01:04:00,YJ0001", "JQ4,,2025-05-21 01:04:00,YJ0001"]
    export = tmp_path / "mostly_bad.csv"
    export.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    out = emss("ingest", str(export), "-w", str(warehouse))
    errors = [line for line in out.stderr.splitlines() if line.startswith("错误 / error")]
    assert out.returncode == 4 and len(errors) == 1 and "75.0%" in errors[0] and "mostly_bad.csv" in errors[0]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select incident_id from core.responses").fetchall() == [("JQ1",)]
    con.close()
    # the threshold is the user's: over it, loaded and fine
    out = emss("ingest", "--fail-over", "0.8", str(export), "-w", str(tmp_path / "w2.duckdb"))
    assert out.returncode == 0, out.stderr


def test_query_reports_unknown_codes_instead_of_answering_nothing(demo_warehouse):
    out = emss("query", "response/kpi", "-p", "districts=baoan,bronx", "-w", str(demo_warehouse))
    assert out.returncode == 2 and "bronx" in out.stderr and "baoan" in out.stderr  # known values listed
    assert "Traceback" not in out.stderr and out.stdout == ""
    out = emss("query", "response/kpi", "-p", "districts=baoan", "-p", "station_types=mall", "-w", str(demo_warehouse))
    assert out.returncode == 0, out.stderr


def test_query_list_shows_what_a_missing_parameter_means(demo_warehouse):
    out = emss("query", "--list", "-w", str(demo_warehouse))
    assert "-p end_date=…  (date) 最后一个接警日期（默认：数据截至日期） / last call date (default: the data's as-of date)" in out.stdout


def test_explain_writes_nothing_and_names_each_column(tmp_path):
    corpus = Path(__file__).resolve().parent / "corpus"
    out = emss("ingest", "--explain", str(corpus / "two_line_header.xlsx"), "-w", str(tmp_path / "w.duckdb"))
    assert out.returncode == 0, out.stderr
    assert "'警情编号' → incident_id" in out.stdout and "2025-05-21 01:00:00" in out.stdout
    assert not (tmp_path / "w.duckdb").exists()


def test_json_report(tmp_path):
    corpus = Path(__file__).resolve().parent / "corpus"
    out = emss("ingest", "--json", str(corpus / "duplicate_rows.csv"), "-w", str(tmp_path / "w.duckdb"))
    report = json.loads(out.stdout)[0]
    assert (report["rows_loaded"], report["rows_rejected"], report["by_rule"]) == (2, 1, {"duplicate_in_file": 1})
    assert report["examples"][0]["row"] == 4


def test_demo_refuses_to_overwrite_a_real_warehouse(tmp_path):
    corpus = Path(__file__).resolve().parent / "corpus"
    real = tmp_path / "real.duckdb"
    assert emss("ingest", str(corpus / "utf8.csv"), "-w", str(real)).returncode == 0
    before = real.read_bytes()
    out = emss("demo", "--no-serve", "--stations", "30", "--incidents", "500", "-w", str(real))
    assert out.returncode == 2 and "--warehouse" in out.stderr
    assert real.read_bytes() == before
    # a demo warehouse is rebuilt freely
    demo_wh = tmp_path / "demo.duckdb"
    for _ in range(2):
        out = emss("demo", "--no-serve", "--stations", "30", "--incidents", "500", "-w", str(demo_wh))
        assert out.returncode == 0, out.stderr
