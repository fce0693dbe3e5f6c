"""The warehouse's layers, grains, keys and views, checked on the fixture warehouse."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest

CONTRACTS = tomllib.loads((Path(__file__).resolve().parent.parent / "warehouse" / "contracts.toml").read_text())

VIEW_COLUMNS = {
    "stations": ["station_id", "station_name", "station_type", "district", "street", "lat", "lon",
                 "opened_on", "closed_on", "staff_count", "vehicle_count", "is_forest"],
    "incidents": ["incident_id", "incident_type", "channel", "district", "lat", "lon", "call_at",
                  "first_dispatch_at", "first_depart_at", "first_arrive_at", "cleared_at", "response_s",
                  "is_within_target", "first_station_id", "station_count"],
    "responses": ["incident_id", "station_id", "dispatch_at", "depart_at", "arrive_at", "clear_at",
                  "turnout_s", "travel_s"],
    "inventory": ["station_id", "item", "category", "quantity", "required_quantity", "expires_on",
                  "status", "counted_on"],
    "station_targets": ["year", "station_type", "district", "target_count"],
}


@pytest.mark.parametrize("table", sorted(CONTRACTS))
def test_grain_key_is_unique_and_not_null(reader, table):
    contract = CONTRACTS[table]
    key = ", ".join(contract["key"])
    rows, distinct_keys = reader.execute(
        f"select count(*), count(distinct ({key})) from {table}"
    ).fetchone()
    assert rows > 0, f"{table} is empty on the fixture"
    assert rows == distinct_keys, f"{table}: grain is '{contract['grain']}' but the key ({key}) repeats"
    for column in contract["not_null"]:
        nulls = reader.execute(f"select count(*) from {table} where {column} is null").fetchone()[0]
        assert nulls == 0, f"{table}.{column} has {nulls} nulls"


def test_every_table_has_a_contract(reader):
    tables = {
        f"{s}.{t}" for s, t in reader.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'wh' and not temporary"
        ).fetchall() if s in ("meta", "core", "marts")
    }
    # tables that may be empty (parts_retired: no file replaced yet), or are settings
    undocumented = tables - set(CONTRACTS) - {"meta.rejects", "meta.flags", "meta.as_of", "meta.standard", "meta.standard_kit",
                                              "meta.parts_retired"}
    assert not undocumented, f"tables without a grain in warehouse/contracts.toml: {undocumented}"


@pytest.mark.parametrize("view", sorted(VIEW_COLUMNS))
def test_analyst_views_have_their_columns(reader, view):
    columns = [r[0] for r in reader.execute(f"describe {view}").fetchall()]
    missing = [c for c in VIEW_COLUMNS[view] if c not in columns]
    assert not missing, f"view {view} lacks {missing}"


def test_coordinates_are_doubles(reader):
    """DECIMAL coordinates reach pydeck as strings and the points vanish: keep them DOUBLE."""
    types = dict(reader.execute("select column_name, data_type from duckdb_columns() where table_name = 'stations' and schema_name = 'main'").fetchall())
    assert types["lat"] == "DOUBLE" and types["lon"] == "DOUBLE"


def test_reader_is_read_only(reader):
    with pytest.raises(duckdb.Error):
        reader.execute("delete from core.stations")


def test_incidents_are_derived_from_responses_by_minimum_arrival(reader):
    """An incident's first arrival is the earliest over all its stations, by a route other than the SQL's."""
    responses = reader.execute(
        "select incident_id, call_at, arrive_at from responses order by incident_id"
    ).fetchall()
    first = {}
    calls = {}
    for incident_id, call_at, arrive_at in responses:
        calls[incident_id] = min(calls.get(incident_id, call_at), call_at)
        if arrive_at is not None:
            first[incident_id] = min(first.get(incident_id, arrive_at), arrive_at)
    got = dict(reader.execute("select incident_id, response_s from incidents").fetchall())
    assert set(got) == set(calls)
    for incident_id, call_at in calls.items():
        expected = int((first[incident_id] - call_at).total_seconds()) if incident_id in first else None
        assert got[incident_id] == expected, incident_id
    multi = reader.execute("select count(*) from incidents where station_count > 1").fetchone()[0]
    assert multi > 0, "the fixture should hold multi-station incidents"
