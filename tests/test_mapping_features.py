"""Mapping forms for real exports: Parquet input, constants, generated ids, derived timestamps,
minute precision, and an --explain that explains a file a load would refuse. Tiny files, every
expected value worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest

from etl import rules
from etl.explain import explain
from etl.load import ingest
from etl.mapping import MappingError, load_mapping
from warehouse.connection import open_reader

PROJECT_DIR = Path(__file__).resolve().parent.parent
HEADER = ["警情编号", "警情类型", "所属区", "经度", "纬度", "接警时间", "派警时间", "到场时间", "出警站点编号", "联系电话"]
ROWS = [
    ["JQ1", "电梯困人", "福田区", "114.06", "22.54", "2025-05-21 01:00:00", "2025-05-21 01:01:00", "2025-05-21 01:05:00",
     "YJ0001", "13912345678"],
    ["JQ2", "火灾扑救", "宝安区", "113.91", "22.57", "2025-05-21 02:00:00", "2025-05-21 02:00:30", "2025-05-21 02:09:00",
     "YJ0002", "13887654321"],
    ["JQ3", "电梯困人", "福田区", "114.07", "22.55", "2025-05-21 03:00:00", "2025-05-21 03:02:00", "",
     "YJ0001", "13700001111"],
]


def write_csv(path: Path, header: list[str], body: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def write_mapping(path: Path, body: str) -> Path:
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = open_reader(warehouse)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def emss(*args, cwd: Path):
    return subprocess.run([sys.executable, "-m", "emss.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=None)


RESPONSES = ("select incident_id, station_id, incident_type, district, lon, lat, call_at, dispatch_at, arrive_at, "
             "response_s, is_flagged from core.responses order by incident_id")


# --- Parquet ----------------------------------------------------------------------------------------------

def test_parquet_loads_the_same_rows_as_the_csv(tmp_path):
    csv_file = write_csv(tmp_path / "calls.csv", HEADER, ROWS)
    # the same export as Parquet, with its numbers and times typed as a database would write them
    frame = pl.DataFrame({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)}).with_columns(
        pl.col("经度").cast(pl.Float64), pl.col("纬度").cast(pl.Float64),
        pl.col("接警时间").str.to_datetime("%Y-%m-%d %H:%M:%S"),
        pl.col("到场时间").replace("", None).str.to_datetime("%Y-%m-%d %H:%M:%S"))
    parquet_file = tmp_path / "calls.parquet"
    frame.write_parquet(parquet_file)
    [from_csv] = ingest([csv_file], tmp_path / "csv.duckdb")
    [from_parquet] = ingest([parquet_file], tmp_path / "parquet.duckdb")
    assert (from_parquet.outcome, from_parquet.rows_read, from_parquet.rows_loaded) == ("loaded", 3, 3)
    assert from_parquet.personal_columns == ["联系电话"]
    assert query(tmp_path / "parquet.duckdb", RESPONSES) == query(tmp_path / "csv.duckdb", RESPONSES)
    got = query(tmp_path / "parquet.duckdb", "select incident_id, response_s, source_row from core.responses order by 1")
    assert got == [("JQ1", 300, 1), ("JQ2", 540, 2), ("JQ3", None, 3)]  # row order from 1: no header row
    assert query(tmp_path / "csv.duckdb", "select min(source_row) from core.responses") == [(2,)]
    data = (tmp_path / "parquet.duckdb").read_bytes()
    assert all(r[-1].encode() not in data for r in ROWS)  # callers' numbers never read


def test_a_parquet_column_named_rowid_or_sql_runs_nothing_and_keeps_row_order(tmp_path):
    canary = tmp_path / "pwned.csv"
    evil = f"x\"); COPY (SELECT 1) TO '{canary}'; --"
    frame = pl.DataFrame({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)}).with_columns(
        pl.Series("rowid", ["c", "b", "a"]), pl.Series(evil, ["1", "2", "3"]))
    frame.write_parquet(tmp_path / "odd.parquet")
    [report] = ingest([tmp_path / "odd.parquet"], tmp_path / "w.duckdb")
    assert report.outcome == "loaded" and not canary.exists()
    got = query(tmp_path / "w.duckdb", "select source_row, incident_id, json_extract_string(extra, '$.rowid') "
                                       "from raw.incident_rows order by 1")
    assert got == [(1, "JQ1", "c"), (2, "JQ2", "b"), (3, "JQ3", "a")]


def test_a_file_that_is_not_parquet_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all" * 10)
    [report] = ingest([bad], tmp_path / "w.duckdb")
    assert report.outcome == "refused" and "Parquet" in report.message and "\n" not in report.message


# --- constants and generated ids ------------------------------------------------------------------------

NO_ID_OR_STATION = ["事件类型", "接警时间", "到场时间"]
NO_ID_ROWS = [["电梯困人", "2025-05-21 01:00:00", "2025-05-21 01:05:00"],
              ["火灾扑救", "2025-05-21 02:00:00", "2025-05-21 02:06:00"]]


def test_a_constant_station(tmp_path):
    export = write_csv(tmp_path / "e.csv", ["警情编号", *NO_ID_OR_STATION], [["A1", *NO_ID_ROWS[0]], ["A2", *NO_ID_ROWS[1]]])
    mapping = write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        [columns]
        station_id = { value = "TFS" }
    """)
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=mapping)
    assert (report.outcome, report.rows_loaded) == ("loaded", 2)
    assert query(tmp_path / "w.duckdb", "select incident_id, station_id from core.responses order by 1") == [
        ("A1", "TFS"), ("A2", "TFS")]


def test_a_constant_that_looks_like_sql_is_stored_as_written(tmp_path):
    canary = tmp_path / "pwned.csv"
    evil = f"T'); COPY (SELECT 1) TO '{canary}'; --"
    export = write_csv(tmp_path / "e.csv", ["警情编号", *NO_ID_OR_STATION], [["A1", *NO_ID_ROWS[0]]])
    mapping = write_mapping(tmp_path / "m.toml", f"""
        kind = "incidents"
        [columns]
        station_id = {{ value = "{evil}" }}
    """)
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=mapping)
    assert report.outcome == "loaded" and not canary.exists()
    assert query(tmp_path / "w.duckdb", "select station_id from core.responses") == [(evil,)]


def _generated(tmp_path: Path) -> Path:
    return write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        [columns]
        incident_id = { generate = "row" }
        station_id = { value = "TFS" }
    """)


def test_generated_ids_are_stable_for_a_file_and_differ_between_files(tmp_path):
    first = write_csv(tmp_path / "first.csv", NO_ID_OR_STATION, NO_ID_ROWS)
    prefix = hashlib.sha256(first.read_bytes()).hexdigest()[:12]
    mapping = _generated(tmp_path)
    warehouse = tmp_path / "w.duckdb"
    [report] = ingest([first], warehouse, mapping=mapping)
    assert (report.outcome, report.rows_loaded) == ("loaded", 2)
    ids = "select incident_id, response_s from core.responses order by call_at"
    assert query(warehouse, ids) == [(f"{prefix}-2", 300), (f"{prefix}-3", 360)]  # header on row 1
    # the same file again: nothing to do
    assert ingest([first], warehouse, mapping=mapping)[0].outcome == "unchanged"
    # the same file with an edited mapping: a new load that revises the same incidents
    edited = write_mapping(tmp_path / "edited.toml", mapping.read_text(encoding="utf-8") + "# edited\n")
    [again] = ingest([first], warehouse, mapping=edited)
    assert again.outcome == "loaded"
    assert query(warehouse, ids) == [(f"{prefix}-2", 300), (f"{prefix}-3", 360)]
    assert query(warehouse, "select count(distinct batch_id) from core.responses") == [(1,)]  # the second batch's
    # another file (same rows, one more): other ids, added beside the first file's
    second = write_csv(tmp_path / "second.csv", NO_ID_OR_STATION, [*NO_ID_ROWS, NO_ID_ROWS[0]])
    other = hashlib.sha256(second.read_bytes()).hexdigest()[:12]
    assert other != prefix
    ingest([second], warehouse, mapping=mapping)
    got = {r[0] for r in query(warehouse, "select incident_id from core.responses")}
    assert got == {f"{prefix}-2", f"{prefix}-3", f"{other}-2", f"{other}-3", f"{other}-4"}


# --- derived timestamps ---------------------------------------------------------------------------------

def test_arrival_from_call_time_plus_seconds(tmp_path):
    export = write_csv(tmp_path / "e.csv", ["Incident", "Call Time", "RESPONSE_SECONDS", "Unit"], [
        ["N1", "05/21/2025 10:00:00 AM", "425", "E1"],     # 10:07:05, response 425 s
        ["N2", "05/21/2025 11:59:00 PM", "90", "E1"],      # across midnight: 00:00:30 the next day
        ["N3", "05/21/2025 09:00:00 AM", "", "E1"],        # no duration: no arrival (kept, flagged)
        ["N4", "05/21/2025 09:30:00 AM", "soon", "E1"],    # not a number: unreadable arrival, rejected
        ["N5", "05/21/2025 09:45:00 AM", "-60", "E1"],     # before the call: out of order, rejected
    ])
    mapping = write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        timestamp_format = "%m/%d/%Y %I:%M:%S %p"
        [columns]
        incident_id = "Incident"
        station_id = "Unit"
        call_at = "Call Time"
        arrive_at = { from = "call_at", plus_seconds = "RESPONSE_SECONDS" }
    """)
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=mapping)
    assert (report.rows_loaded, report.rows_rejected) == (3, 2)
    assert report.by_rule["bad_arrive_at"] == 1 and report.by_rule["order"] == 1
    got = query(tmp_path / "w.duckdb", "select incident_id, arrive_at, response_s from core.responses order by 1")
    assert got == [("N1", dt.datetime(2025, 5, 21, 10, 7, 5), 425),
                   ("N2", dt.datetime(2025, 5, 22, 0, 0, 30), 90),
                   ("N3", None, None)]
    rejects = dict(query(tmp_path / "w.duckdb", "select rule, message from meta.rejects where rule = 'bad_arrive_at'"))
    assert "soon" in rejects["bad_arrive_at"]


def test_a_derived_time_in_another_zone_is_the_start_instant_plus_the_duration(tmp_path):
    export = write_csv(tmp_path / "e.csv", ["Incident", "Call Time", "Mins", "Unit"], [
        ["N1", "2025-01-15 10:00:00", "1.5", "E1"],          # EST (UTC-5): 15:00 UTC, 23:00 in Shanghai
        ["N2", "2024-11-03 01:55:00", "10", "E1"],           # 01:55 EDT (its first occurrence); the clocks
                                                              # go back at 02:00, so 10 min later is 01:05 EST
        ["N3", "2025-05-21T10:00:00+01:00", "2", "E1"],      # an offset of its own: 09:00 UTC, 17:00 Shanghai
    ])
    mapping = write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        timezone = "America/New_York"
        [columns]
        incident_id = "Incident"
        station_id = "Unit"
        call_at = "Call Time"
        dispatch_at = { from = "call_at", plus_minutes = "Mins" }
    """)
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=mapping)
    assert report.rows_loaded == 3
    got = query(tmp_path / "w.duckdb", "select incident_id, call_at, dispatch_at, call_processing_s "
                                       "from core.responses order by 1")
    assert got == [("N1", dt.datetime(2025, 1, 15, 23, 0), dt.datetime(2025, 1, 15, 23, 1, 30), 90),
                   ("N2", dt.datetime(2024, 11, 3, 13, 55), dt.datetime(2024, 11, 3, 14, 5), 600),
                   ("N3", dt.datetime(2025, 5, 21, 17, 0), dt.datetime(2025, 5, 21, 17, 2), 120)]
    raw = query(tmp_path / "w.duckdb", "select dispatch_at from raw.incident_rows order by source_row")
    assert raw == [("2025-01-15 10:01:30-05:00",), ("2024-11-03 01:05:00-05:00",), ("2025-05-21 05:02:00-04:00",)]


# --- timestamp precision --------------------------------------------------------------------------------

PRECISION_ROWS = [
    # received 10:01:40, dispatched 10:01:00: 40 s "before" - within one minute's cutting
    ["P1", "2025-05-21 10:01:40", "2025-05-21 10:01:00", "2025-05-21 10:05:00", "YJ0001"],
    # dispatched a full minute before the call: a real inversion
    ["P2", "2025-05-21 10:02:00", "2025-05-21 10:01:00", "2025-05-21 10:05:00", "YJ0001"],
    # in order
    ["P3", "2025-05-21 10:00:00", "2025-05-21 10:01:00", "2025-05-21 10:05:00", "YJ0001"],
]


@pytest.mark.parametrize("precision, loaded", [(None, {"P3"}), ("second", {"P3"}), ("minute", {"P1", "P3"})])
def test_minute_precision_tolerates_sub_minute_inversions_only(tmp_path, precision, loaded):
    export = write_csv(tmp_path / "e.csv", ["警情编号", "接警时间", "派警时间", "到场时间", "出警站点编号"], PRECISION_ROWS)
    setting = f'timestamp_precision = "{precision}"' if precision else ""
    mapping = write_mapping(tmp_path / "m.toml", f'kind = "incidents"\n{setting}\n')
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=mapping)
    assert {r[0] for r in query(tmp_path / "w.duckdb", "select incident_id from core.responses")} == loaded
    assert report.by_rule["order"] == 3 - len(loaded)
    # a tolerated inversion is a zero-length phase, never a negative one (P1: 40 s "before" the call)
    phases = query(tmp_path / "w.duckdb", "select incident_id, call_processing_s from core.responses order by 1")
    assert phases == ([("P1", 0)] if "P1" in loaded else []) + [("P3", 60)]
    if "P1" in loaded:
        assert query(tmp_path / "w.duckdb", "select response_s from incidents where incident_id = 'P1'") == [(200,)]


def test_the_order_tolerance_is_a_bound_number():
    con = duckdb.connect()
    rules.set_order_tolerance(con, 60)
    assert con.execute(f"select getvariable('{rules.ORDER_TOLERANCE}')").fetchall() == [(60,)]
    for bad in ("60", 1.5, -1, True, "60; DROP TABLE x"):
        with pytest.raises(ValueError):
            rules.set_order_tolerance(con, bad)
    order = next(r for r in rules.RULES["incidents"] if r.name == "order")
    assert "getvariable('order_tolerance_s')" in order.predicate


# --- --explain on a file a load would refuse ------------------------------------------------------------

def test_explain_explains_a_file_lacking_a_required_column(tmp_path):
    export = write_csv(tmp_path / "no_station.csv", HEADER[:-2], [r[:-2] for r in ROWS])  # no station column
    before = sorted(p.name for p in tmp_path.rglob("*"))
    out = emss("ingest", "--explain", str(export), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written
    text = out.stdout
    assert "incidents" in text                                     # the closest kind, said to be a guess
    assert "'接警时间' → call_at: ['2025-05-21 01:00:00'" in text    # the columns it has, explained
    assert "'到场时间' → arrive_at" in text
    assert "missing required fields: station_id" in text
    assert "a load would refuse this file" in text
    refused = emss("ingest", str(export), "-w", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert refused.returncode == 2 and "station_id" in refused.stderr  # and a load does refuse it


def test_explain_names_a_mapped_column_the_file_lacks(tmp_path):
    export = write_csv(tmp_path / "e.csv", HEADER, ROWS)
    mapping = write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        [columns]
        call_at = "接警时间"
        station_id = "出警站点编号"
        address = "Street Address"
    """)
    text = explain(export, mapping=load_mapping(mapping))
    assert "'Street Address' for address, not in the file" in text and "a load would refuse this file" in text
    assert "'接警时间' (mapping) → call_at" in text


def test_explain_warns_about_the_arrival_time(tmp_path):
    no_arrival = write_csv(tmp_path / "a.csv", [h for h in HEADER if h != "到场时间"],
                           [[v for h, v in zip(HEADER, r) if h != "到场时间"] for r in ROWS])
    assert "no arrival time" in explain(no_arrival)
    unreadable = write_csv(tmp_path / "b.csv", HEADER, [r[:7] + ["10点05分"] + r[8:] for r in ROWS])
    text = explain(unreadable)
    assert "unreadable in 3 of the first 3 rows" in text and "'10点05分'" in text
    blank = write_csv(tmp_path / "c.csv", HEADER, [r[:7] + [""] + r[8:] for r in ROWS])
    assert "blank in all of the first 3 rows" in explain(blank)
    fine = write_csv(tmp_path / "d.csv", HEADER, ROWS)  # one blank arrival of three: not worth a warning
    assert "warning" not in explain(fine)


def test_explain_reads_parquet_and_the_new_forms(tmp_path):
    pl.DataFrame({"Call Time": ["2025-05-21 10:00:00"], "SECS": ["425"], "联系电话": ["13912345678"]}).write_parquet(
        tmp_path / "p.parquet")
    mapping = load_mapping(write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        [columns]
        incident_id = { generate = "row" }
        station_id = { value = "TFS" }
        call_at = "Call Time"
        arrive_at = { from = "call_at", plus_seconds = "SECS" }
    """))
    text = explain(tmp_path / "p.parquet", mapping=mapping)
    prefix = hashlib.sha256((tmp_path / "p.parquet").read_bytes()).hexdigest()[:12]
    assert "format: Parquet" in text and "data rows: 1" in text
    assert f"incident_id: ['{prefix}-1']" in text and "station_id: ['TFS']" in text
    assert "arrive_at: ['2025-05-21 10:07:05+08:00'] → ['2025-05-21 10:07:05']" in text
    assert "13912345678" not in text and "warning" not in text


# --- each new form, of the wrong type, refused --------------------------------------------------------------

@pytest.mark.parametrize("body", [
    """[columns]\nstation_id = { value = 5 }""",
    """[columns]\nstation_id = { value = "" }""",
    """[columns]\nstation_id = { value = "TFS", column = "站点" }""",
    """[columns]\nstation_id = { value = "TFS", sql = "1; DROP TABLE x" }""",
    """[columns]\nstation_id = { sql = "1; DROP TABLE x" }""",
    """[columns]\nincident_id = { generate = "uuid" }""",
    """[columns]\nincident_id = { generate = true }""",
    """[columns]\nstation_id = { generate = "row" }""",
    """[columns]\narrive_at = { from = "call_at" }""",
    """[columns]\narrive_at = { from = "call_at", plus_seconds = 425 }""",
    """[columns]\narrive_at = { from = "call_at", plus_seconds = "S", plus_minutes = "M" }""",
    """[columns]\narrive_at = { from = "call_at", plus_hours = "H" }""",
    """[columns]\narrive_at = { from = "incident_id", plus_seconds = "S" }""",
    """[columns]\narrive_at = { from = "arrive_at", plus_seconds = "S" }""",
    """[columns]\narrive_at = { from = ["call_at"], plus_seconds = "S" }""",
    """[columns]\nstation_id = { from = "call_at", plus_seconds = "S" }""",
    """[columns]\ndispatch_at = { from = "call_at", plus_seconds = "S" }\narrive_at = { from = "dispatch_at", plus_seconds = "T" }""",
    """timestamp_precision = "hour" """,
    """timestamp_precision = 60""",
    """timestamp_precision = "minute'); COPY (SELECT 1) TO 'x.csv'; --" """,
])
def test_a_new_form_of_the_wrong_type_is_refused(tmp_path, body):
    path = write_mapping(tmp_path / "m.toml", 'kind = "incidents"\n' + body + "\n")
    with pytest.raises(MappingError) as refusal:
        load_mapping(path)
    assert "\n" not in str(refusal.value)
    export = write_csv(tmp_path / "e.csv", HEADER, ROWS)
    out = emss("ingest", str(export), "--mapping", str(path), "-w", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    errors = [line for line in out.stderr.splitlines() if line.startswith("错误 / error")]
    assert out.returncode == 2 and "Traceback" not in out.stderr and len(errors) == 1
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "x.csv").exists()


def test_the_new_forms_are_accepted(tmp_path):
    mapping = load_mapping(write_mapping(tmp_path / "m.toml", """
        kind = "incidents"
        timestamp_precision = "minute"
        [columns]
        incident_id = { generate = "row" }
        station_id = { value = "TFS" }
        arrive_at = { from = "call_at", plus_seconds = "INCIDENT_RESPONSE_SECONDS_QY" }
        clear_at = { from = "dispatch_at", plus_minutes = "On scene minutes" }
    """))
    assert mapping.order_tolerance_s == 60
    assert mapping.source_columns() == ["INCIDENT_RESPONSE_SECONDS_QY", "On scene minutes"]
