"""Every file of tests/corpus/ loaded into its own warehouse, with the outcome cases.toml expects,
and in every case the proof that nothing was lost or doubled."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from emss import geo
from etl.load import RAW_TABLE, CORE_TABLE, ingest
from warehouse.connection import open_reader

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(name, tmp_path):
    case = CASES[name]
    warehouse = tmp_path / "w.duckdb"
    [report] = ingest([CORPUS / case["file"]], warehouse, kind=case.get("kind_arg"))

    if "refused" in case:
        assert report.outcome == "refused"
        assert case["refused"] in report.message
        assert not warehouse.exists(), "a refused file must write nothing"
        return

    assert report.outcome == "loaded", report.message
    kind = case.get("kind", "incidents")
    assert report.kind == kind
    assert report.rows_loaded == case["loaded"]
    assert report.rows_rejected == case.get("rejected", 0)
    if "encoding" in case:
        assert report.encoding == case["encoding"]
    for rule, count in case.get("rules", {}).items():
        assert report.by_rule.get(rule) == count, (rule, report.by_rule)

    con = open_reader(warehouse)
    # nothing lost, nothing doubled
    raw = con.execute(f"select count(*) from {RAW_TABLE[kind]}").fetchone()[0]
    core = con.execute(f"select count(*) from {CORE_TABLE[kind]}").fetchone()[0]
    rejected_rows = con.execute("select count(distinct source_row) from rejects").fetchone()[0]
    assert raw == report.rows_read == report.rows_loaded + report.rows_rejected
    assert core == report.rows_loaded
    assert rejected_rows == report.rows_rejected
    if "header_row" in case:
        assert con.execute("select header_row from batches").fetchone()[0] == case["header_row"]
    for incident_id, seconds in case.get("response_s", {}).items():
        assert con.execute("select response_s from incidents where incident_id = ?", [incident_id]).fetchone()[0] == seconds
    if "text" in case:
        spec = dict(case["text"])
        incident_id = spec.pop("incident_id")
        for column, value in spec.items():
            assert con.execute(f"select {column} from core.responses where incident_id = ?", [incident_id]).fetchone()[0] == value
    for incident_id, (lon, lat) in case.get("position", {}).items():
        got = con.execute("select lon, lat from incidents where incident_id = ?", [incident_id]).fetchone()
        assert got == (lon, lat)
    con.close()


def test_bd09_points_land_on_the_wgs84_point(tmp_path):
    """BD-09 input converted to WGS-84: converting the stored point forward lands within a couple of
    metres of the input (Baidu's published inverse is approximate to about a metre)."""
    ingest([CORPUS / "bd09_coords.csv"], tmp_path / "w.duckdb")
    con = open_reader(tmp_path / "w.duckdb")
    lon, lat = con.execute("select lon, lat from incidents where incident_id = 'JQ1'").fetchone()
    blon, blat = geo.wgs84_to_bd09(lon, lat)
    assert geo.haversine_m(blon, blat, 114.06, 22.54) < 2.0
    assert 500 < geo.haversine_m(lon, lat, 114.06, 22.54) < 1500
