"""The target line follows the rules the warehouse was built with, never a constant.

A copy of the fixture warehouse is rebuilt with a 4-minute target (`[target_s] default = 240`,
everything else as shipped). The rules file in the package still says 300: the pages, the
weekly report and the workbook must draw 240 all the same, because the bars they draw were
judged by the warehouse's rules, and a line from anywhere else would disagree with them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from emss import settings, snapshot
from warehouse.build import rebuild_derived
from warehouse.connection import copy_warehouse, open_reader, open_writer

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
NEW_TARGET_S = 240  # written by hand: what the edited rules file says
SHIPPED_TARGET_S = 300


@pytest.fixture(scope="module")
def rebuilt(demo_warehouse, tmp_path_factory) -> Path:
    """The fixture warehouse, copied and rebuilt with a 240-second target."""
    folder = tmp_path_factory.mktemp("policy_target")
    rules = folder / "response_rules.toml"
    shipped = settings.RESPONSE_RULES_FILE.read_text(encoding="utf-8")
    assert "[target_s]\ndefault = 300\n" in shipped
    rules.write_text(shipped.replace("[target_s]\ndefault = 300\n", "[target_s]\ndefault = 240\n"), encoding="utf-8")
    copy = folder / "emss.duckdb"
    copy_warehouse(demo_warehouse, copy)
    with open_writer(copy) as con:
        rebuild_derived(con, response_rules=rules)
    return copy


def test_the_file_still_says_300():
    # the pages and the report below get 240 from the warehouse alone
    assert settings.response_rules().default_target_s == SHIPPED_TARGET_S


def vertical_lines(spec: dict) -> set[float]:
    return {s["x0"] for s in spec["layout"].get("shapes", []) if s.get("x0") == s.get("x1")}


def horizontal_lines(spec: dict) -> set[float]:
    return {s["y0"] for s in spec["layout"].get("shapes", []) if s.get("y0") == s.get("y1")}


def open_page(warehouse: Path, monkeypatch, page: str, **query: str) -> AppTest:
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_response_page_draws_the_warehouse_target(rebuilt, monkeypatch):
    at = open_page(rebuilt, monkeypatch, "response_times")
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    assert len(specs) == 6  # histogram, two weekly trends, phases, ECDF, weekday × hour
    histogram, p90, ecdf = specs[0], specs[2], specs[4]

    def rules(spec: dict, axis: str) -> set[float]:
        return {layer["encoding"][axis]["datum"] for layer in spec["layer"]
                if layer["mark"]["type"] == "rule" and axis in layer["encoding"]}

    assert rules(histogram, "x") == {NEW_TARGET_S}
    assert rules(p90, "y") == {NEW_TARGET_S / 60}  # in minutes
    assert rules(ecdf, "x") == {NEW_TARGET_S}


def test_the_station_page_draws_the_warehouse_target(rebuilt, monkeypatch):
    con = open_reader(rebuilt)
    try:
        first, last = con.execute("select min(call_date), max(call_date) from incidents").fetchone()
        busiest = Counter(sid for (sid,) in con.execute("select station_id from responses").fetchall())
    finally:
        con.close()
    station = busiest.most_common(1)[0][0]
    at = open_page(rebuilt, monkeypatch, "station", station=station, start=first.isoformat(), end=last.isoformat())
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    assert len(specs) == 2  # the station's weekly rate and weekly 90th percentile (in minutes)
    rules = [layer for layer in specs[1]["layer"] if layer["mark"]["type"] == "rule"]
    assert [layer["encoding"]["y"]["datum"] for layer in rules] == [NEW_TARGET_S / 60]


def report_figure(html: str, element_id: str) -> dict:
    """The data and layout Plotly is handed for one figure of the report."""
    call = re.search(r'Plotly\.newPlot\(\s*"' + re.escape(element_id) + r'",\s*', html)
    assert call, f"no figure {element_id} in the report"
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(html, call.end())
    layout, _ = decoder.raw_decode(html, re.compile(r",\s*").match(html, end).end())
    return {"data": data, "layout": layout}


@pytest.fixture(scope="module")
def taken(rebuilt, tmp_path_factory) -> snapshot.Snapshot:
    return snapshot.take(rebuilt, out_dir=tmp_path_factory.mktemp("packs"), pdf=False)


def test_the_weekly_report_draws_the_warehouse_target(taken):
    html = (taken.folder / f"report_{taken.week.label}.html").read_text(encoding="utf-8")
    assert vertical_lines(report_figure(html, "fig-histogram")) == {NEW_TARGET_S}
    assert horizontal_lines(report_figure(html, "fig-trend-p90")) == {NEW_TARGET_S}
    assert "接警后240秒内" in html and "接警后300秒内" not in html  # the note under the headline table


def test_the_workbook_states_the_warehouse_target(taken):
    about = pl.read_excel(taken.folder / f"kpi_{taken.week.label}.xlsx", sheet_name="说明", has_header=False,
                          read_options={"dtypes": "string"})
    cells = {row[0]: row[1] for row in about.rows() if row[0]}
    assert float(cells["到场目标"]) == NEW_TARGET_S
    assert any("接警后240秒内" in (row[1] or "") for row in about.rows())
