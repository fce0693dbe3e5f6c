"""The Data quality figures: batches, reasons and rejected rows, against the load reports and a hand count."""

from __future__ import annotations

from pathlib import Path

from conftest import chart_rows
from streamlit.testing.v1 import AppTest

import queries
from dashboard import i18n
from emss import messages
from etl import rules
from etl.load import ingest

CORPUS = Path(__file__).resolve().parent / "corpus"
APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def small_warehouse(tmp_path):
    files = ["utf8.csv", "order_violation.csv", "duplicate_rows.csv", "missing_arrival.csv", "empty.csv",
             "unknown_category.csv"]
    # each file in its own name space: the corpus reuses incident numbers across files
    reports = []
    for name in files:
        reports += ingest([CORPUS / name], tmp_path / "w.duckdb")
    return tmp_path / "w.duckdb", reports


def test_every_rule_has_labels_in_both_languages():
    for kind_rules in rules.RULES.values():
        for rule in kind_rules:
            assert rule.name in i18n.RULE_LABELS, f"rule {rule.name} has no label: emss/messages.toml [rule_{rule.name}]"


def test_batches_and_grades(tmp_path):
    from warehouse.connection import open_reader

    warehouse, reports = small_warehouse(tmp_path)
    con = open_reader(warehouse)
    batches = {r["source_file"]: r for r in queries.run(con, "quality/batches").to_dicts()}
    # empty.csv was refused after a warehouse existed: recorded, with its reason
    assert batches["empty.csv"]["outcome"] == "refused" and "为空" in batches["empty.csv"]["message"]
    for r in reports:
        if r.outcome != "loaded":
            continue
        b = batches[r.source_file]
        assert (b["rows_read"], b["rows_loaded"], b["rows_rejected"], b["rows_flagged"]) == \
               (r.rows_read, r.rows_loaded, r.rows_rejected, r.rows_flagged)
        share = (r.rows_rejected + r.rows_flagged) / r.rows_read
        assert b["grade"] == ("good" if share <= 0.10 else "attention" if share <= 0.33 else "poor")
    assert batches["utf8.csv"]["grade"] == "good"            # 0 of 2
    assert batches["order_violation.csv"]["grade"] == "poor"  # 1 of 2 rejected
    counts = {(r["source_file"], r["action"], r["rule"]): r["rows"] for r in queries.run(con, "quality/rule_counts").to_dicts()}
    assert counts == {("order_violation.csv", "reject", "order"): 1, ("duplicate_rows.csv", "reject", "duplicate_in_file"): 1,
                      ("missing_arrival.csv", "flag", "no_arrival"): 1, ("unknown_category.csv", "flag", "unknown_category"): 1}
    rows = queries.run(con, "quality/rejected_rows", {"rule": "duplicate_in_file"})
    assert rows["source_row"].to_list() == [4]


def test_quality_page_shows_the_counts(tmp_path, monkeypatch):
    warehouse, reports = small_warehouse(tmp_path)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/quality.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    loaded = [r for r in reports if r.outcome == "loaded"]
    assert metrics[i18n.text("quality_rows_read", "zh")] == f"{sum(r.rows_read for r in loaded):,}"
    assert metrics[i18n.text("quality_rows_rejected", "zh")].startswith(f"{sum(r.rows_rejected for r in loaded):,} (")
    assert metrics[i18n.text("quality_refused", "zh")] == "1"
    rejected = [d.value for d in at.dataframe if i18n.text("col_source_row", "zh") in d.value.columns]
    assert len(rejected) == 1 and len(rejected[0]) == 1  # the first file and rule chosen: one rejected row
    # the chart of reasons by month (Vega-Lite, no Plotly on this page) stacks every rejected row once,
    # under its rule's words
    assert not at.get("plotly_chart")
    bars = chart_rows(at.get("vega_lite_chart")[0])
    assert sum(b["rows"] for b in bars) == sum(r.rows_rejected for r in loaded)
    words = {messages.rule_label(rule.name, "zh") for kind_rules in rules.RULES.values() for rule in kind_rules}
    assert bars and {b["rule"] for b in bars} <= words
