"""Real public extracts from two foreign fire services, loaded through mapping files
with no code change, checked against computations done another way (plain Python
over the CSV). The files live outside the project; the tests skip when absent."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
from pathlib import Path

import pytest

from conftest import shared_path
from etl.load import ingest
from warehouse.connection import open_reader

MAPPINGS = Path(__file__).resolve().parent.parent / "etl" / "mappings"


def percentile_cont(values, q):
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def test_san_francisco_one_row_per_unit(tmp_path):
    source = shared_path("realdata", "sf_fire_calls_2017_extract.csv")
    warehouse = tmp_path / "sf.duckdb"
    [report] = ingest([source], warehouse, mapping=MAPPINGS / "sf_fire_calls.toml")
    assert report.outcome == "loaded"

    # another way: the CSV read by hand, units grouped by incident, first arrival = earliest On Scene
    fmt = "%m/%d/%Y %I:%M:%S %p"
    parse = lambda s: dt.datetime.strptime(s, fmt) if s else None
    calls, first = {}, {}
    with open(source, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        inc = r["Incident Number"]
        received, on_scene = parse(r["Received DtTm"]), parse(r["On Scene DtTm"])
        calls[inc] = min(calls.get(inc, received), received)
        if on_scene:
            first[inc] = min(first.get(inc, on_scene), on_scene)
    totals = [(first[i] - calls[i]).total_seconds() for i in first]

    con = open_reader(warehouse)
    incidents, arrived, p50, p90 = con.execute("""
        select count(*), count(first_arrive_at), quantile_cont(response_s, 0.5), quantile_cont(response_s, 0.9)
        from incidents""").fetchone()
    assert report.rows_read == len(rows) == 865
    assert incidents == len(calls) == 173
    assert arrived == len(first)
    assert p50 == pytest.approx(statistics.median(totals))
    assert p90 == pytest.approx(percentile_cont(totals, 0.9))
    assert con.execute("select count(*) from responses").fetchone()[0] == len(rows)
    # positions parsed out of the "(lat, lon)" text
    lat, lon = con.execute("select lat, lon from incidents where incident_id = '17000284'").fetchone()
    assert (round(lat, 4), round(lon, 4)) == (37.7806, -122.4473)
    assert con.execute("select count(*) from incidents where incident_type = 'fire'").fetchone()[0] == 173


def test_london_incidents_joined_with_mobilisations(tmp_path):
    incidents_csv = shared_path("realdata", "lfb_incident_sample.csv")
    mobilisations_csv = shared_path("realdata", "lfb_mobilisation_sample.csv")
    # the mapping names the mobilisation file as sitting next to the incident file
    for f in (incidents_csv, mobilisations_csv):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    warehouse = tmp_path / "lfb.duckdb"
    [report] = ingest([tmp_path / incidents_csv.name], warehouse, mapping=MAPPINGS / "lfb_incidents.toml")
    assert report.outcome == "loaded"

    with open(incidents_csv, newline="", encoding="utf-8") as f:
        incidents = {r["IncidentNumber"]: r for r in csv.DictReader(f)}
    with open(mobilisations_csv, newline="", encoding="utf-8") as f:
        mobilisations = list(csv.DictReader(f))
    mobilised = {m["IncidentNumber"] for m in mobilisations}
    never_mobilised = set(incidents) - mobilised

    con = open_reader(warehouse)
    assert con.execute("select count(*) from responses").fetchone()[0] == len(mobilisations)
    assert {r[0] for r in con.execute("select incident_id from incidents").fetchall()} == mobilised & set(incidents)
    # an incident with no pump mobilised is kept as a reject, with its reason: nothing lost
    rejected = con.execute("select raw->>'$.incident_id', rule from rejects").fetchall()
    assert {r[0] for r in rejected} == never_mobilised and {r[1] for r in rejected} == {"missing_station_id"}
    # LFB's own first-pump attendance (from mobilisation) against ours (from the call): ours adds call handling
    parse = lambda s: dt.datetime.strptime(s, "%d/%m/%Y %H:%M:%S")
    for inc in mobilised & set(incidents):
        row = incidents[inc]
        call = dt.datetime.strptime(f"{row['DateOfCall']} {row['TimeOfCall']}", "%d %b %Y %H:%M:%S")
        arrivals = [parse(m["DateAndTimeArrived"]) for m in mobilisations if m["IncidentNumber"] == inc and m["DateAndTimeArrived"]]
        got = con.execute("select response_s from incidents where incident_id = ?", [inc]).fetchone()[0]
        assert got == int((min(arrivals) - call).total_seconds()), inc


def test_same_file_other_mapping_is_a_new_load(tmp_path):
    """The load key is the file and the mapping read together: a fixed mapping may be reloaded."""
    source = shared_path("realdata", "sf_fire_calls_2017_extract.csv")
    warehouse = tmp_path / "sf.duckdb"
    ingest([source], warehouse, mapping=MAPPINGS / "sf_fire_calls.toml")
    assert ingest([source], warehouse, mapping=MAPPINGS / "sf_fire_calls.toml")[0].outcome == "unchanged"
    edited = tmp_path / "sf.toml"
    edited.write_text((MAPPINGS / "sf_fire_calls.toml").read_text(encoding="utf-8").replace('"Outside Fire" = "fire"', '"Outside Fire" = "forest_fire"'), encoding="utf-8")
    assert ingest([source], warehouse, mapping=edited)[0].outcome == "loaded"
    con = open_reader(warehouse)
    assert con.execute("select count(*) from incidents").fetchone()[0] == 173  # revised, not doubled
