"""The analyst notebooks run top to bottom on the fixture warehouse (so they cannot rot), their
summaries agree with plain counts, and they are kept in git without outputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(name: str, warehouse: Path, monkeypatch) -> dict:
    """Run a notebook in a fresh kernel on `warehouse`; returns the JSON its last cell prints."""
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(printed.strip().splitlines()[-1])


def plain(warehouse: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_response_deep_dive(demo_warehouse, monkeypatch):
    summary = execute("response_deep_dive", demo_warehouse, monkeypatch)
    start, end = dt.date.fromisoformat(summary["start_date"]), dt.date.fromisoformat(summary["end_date"])
    assert (end - start).days == 13 * 7 - 1 and end.isoweekday() == 7   # thirteen whole weeks
    rows = plain(demo_warehouse, "select district, call_at, first_arrive_at from incidents where call_date between ? and ?",
                 [start, end])
    mine = [r for r in rows if r[0] == summary["district"]]
    seconds = [(a - c).total_seconds() for _, c, a in mine if a is not None]
    assert summary["incidents"] == len(mine) > 0
    assert summary["within_target_rate"] == pytest.approx(sum(s <= 300 for s in seconds) / len(seconds))
    rates = {}  # rounded as the query rounds; ties are ordered by district code
    for district in {r[0] for r in rows}:
        got = [(a - c).total_seconds() for d, c, a in rows if d == district and a is not None]
        rates[district] = round(sum(s <= 300 for s in got) / len(got), 4) if got else None
    assert summary["districts_ranked"] == len(rates)
    mine_rate = rates[summary["district"]]
    below = [d for d, r in rates.items() if r is not None and (r, d) < (mine_rate, summary["district"])]
    assert summary["rank_from_bottom"] == 1 + len(below)


def test_buildout_review(demo_warehouse, monkeypatch):
    summary = execute("buildout_review", demo_warehouse, monkeypatch)
    as_of = dt.date.fromisoformat(summary["as_of"])
    opened = plain(demo_warehouse, "select count(*) from stations where year(opened_on) = ? and opened_on <= ?",
                   [as_of.year, as_of])[0][0]
    in_service = plain(demo_warehouse, "select count(*) from stations where opened_on <= ? "
                                       "and (closed_on is null or closed_on > ?)", [as_of, as_of])[0][0]
    assert (summary["year"], summary["opened_this_year"], summary["in_service"]) == (as_of.year, opened, in_service)
    # per type, a city-wide target wins, else the district targets add up (stations/vs_target's rule)
    targets: dict[str, dict[str, int]] = {}
    for station_type, district, count in plain(
            demo_warehouse, "select station_type, district, target_count from station_targets where year = ?", [as_of.year]):
        targets.setdefault(station_type, {})[district or ""] = count
    expected = sum(t[""] if "" in t else sum(t.values()) for t in targets.values()) if targets else None
    assert summary["target"] == expected


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_kept_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code), \
        f"{path.name} has outputs: clear them before committing"
    source = "\n".join(c.source for c in code)
    assert "queries.run(" in source and "open_reader(" in source   # the shared query library, read-only


def test_there_are_at_least_two_notebooks():
    assert len(list(NOTEBOOKS.glob("*.ipynb"))) >= 2
