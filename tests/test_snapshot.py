"""The weekly snapshot on the fixture warehouse: files against the manifest, a KPI that agrees
everywhere it appears (computed here from plain rows), byte-identical reruns, the report offline
in Chromium, the history's revisions, the snapshots page, and `emss query --format parquet`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from conftest import chart_rows

from dashboard import i18n
from emss import snapshot
from emss.snapshot.week import Week, last_complete_week, last_complete_week_by_clock, parse_week
from warehouse import partitions
from warehouse.connection import copy_warehouse

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = shutil.which("chromium")
TABLE_STEMS = {"response_kpi", "response_by_district", "overview_week_compare", "response_weekly_trend",
               "response_histogram", "stations_vs_target", "stations_by_district", "stations_readiness_summary",
               "prevention_patrols", "prevention_rectification", "prevention_overdue"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plain_rows(warehouse: Path, sql: str, params=None) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(sql, params or [])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


def expected_week(as_of: dt.date) -> Week:
    """The last complete Monday-to-Sunday week, found by walking back to a Sunday."""
    day = as_of
    while day.weekday() != 6:
        day -= dt.timedelta(days=1)
    year, number, _ = day.isocalendar()
    return Week(year, number)


def response_rate(rows: list[dict], start: dt.date, end: dt.date) -> tuple[int, int, int, float]:
    """Incidents, arrivals, arrivals within 300 s of the call, and the share."""
    picked = [r for r in rows if start <= r["call_at"].date() <= end]
    seconds = [(r["first_arrive_at"] - r["call_at"]).total_seconds() for r in picked if r["first_arrive_at"]]
    within = sum(s <= 300 for s in seconds)
    return len(picked), len(seconds), within, within / len(seconds)


# ---- fixtures: one snapshot of the fixture's last complete week, taken twice ------------------

@pytest.fixture(scope="module")
def warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """A copy of the fixture warehouse: the snapshot writes its history into it."""
    path = tmp_path_factory.mktemp("snapshot_wh") / "emss.duckdb"
    copy_warehouse(demo_warehouse, path)
    return path


@pytest.fixture(scope="module")
def as_of(warehouse) -> dt.date:
    return plain_rows(warehouse, "select as_of_date from data_as_of")[0]["as_of_date"]


@pytest.fixture(scope="module")
def taken(warehouse, tmp_path_factory) -> snapshot.Snapshot:
    return snapshot.take(warehouse, out_dir=tmp_path_factory.mktemp("snapshots_a"))


@pytest.fixture(scope="module")
def retaken(taken, warehouse, tmp_path_factory) -> snapshot.Snapshot:
    return snapshot.take(warehouse, out_dir=tmp_path_factory.mktemp("snapshots_b"))


@pytest.fixture(scope="module")
def incidents(warehouse) -> list[dict]:
    return plain_rows(warehouse, "select call_at, first_arrive_at, district from incidents")


# ---- weeks -------------------------------------------------------------------------------------

def test_week_rules():
    assert last_complete_week(dt.date(2026, 11, 22)).label == "2026-W47"    # a Sunday completes its week
    assert last_complete_week(dt.date(2026, 11, 21)).label == "2026-W46"    # a Saturday does not
    assert last_complete_week(dt.date(2026, 11, 23)).label == "2026-W47"
    w53 = last_complete_week(dt.date(2027, 1, 3))                           # ISO year 2026 has 53 weeks
    assert (w53.label, w53.start, w53.end) == ("2026-W53", dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert w53.previous().label == "2026-W52"
    assert parse_week("2026w47") == Week(2026, 47)
    with pytest.raises(ValueError, match="ISO week"):
        parse_week("2026-11-22")
    with pytest.raises(ValueError, match="no ISO week 53"):
        parse_week("2025-W53")
    # the wall-clock rule: Wednesday 2026-11-25 08:00 in Shanghai is still Tuesday in UTC; the last complete week is W47
    now = dt.datetime(2026, 11, 25, 0, 30, tzinfo=dt.timezone.utc)
    assert last_complete_week_by_clock(now).label == "2026-W47"


def test_default_week_is_the_last_complete_week_of_the_data(taken, as_of):
    assert taken.week == expected_week(as_of)
    assert taken.manifest["week"] == taken.week.label
    assert taken.manifest["data_as_of"] == as_of.isoformat()


def test_a_week_not_complete_in_the_data_is_refused(warehouse, as_of, tmp_path):
    after = Week.of(as_of + dt.timedelta(days=7))
    with pytest.raises(ValueError, match="not complete"):
        snapshot.take(warehouse, after, tmp_path, pdf=False)
    assert not any(tmp_path.iterdir())


# ---- the folder and its manifest -----------------------------------------------------------------

def test_every_file_exists_and_matches_the_manifest(taken):
    folder = taken.folder
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(taken.manifest["files"]) == on_disk
    for name, entry in taken.manifest["files"].items():
        assert sha256(folder / name) == entry["sha256"], name
        assert (folder / name).stat().st_size == entry["bytes"], name
    week = taken.week.label
    expected = {f"tables/{s}.{ext}" for s in TABLE_STEMS for ext in ("parquet", "csv")}
    expected |= {f"kpi_{week}.xlsx", f"report_{week}.html"}
    if CHROMIUM:
        expected.add(f"report_{week}.pdf")
    assert expected == on_disk
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == taken.manifest


def test_manifest_records_the_cut_and_the_batches(taken, warehouse):
    batches = plain_rows(warehouse, "select batch_id, source_file, sha256, finished_at from meta.batches"
                                    " where outcome = 'loaded' order by batch_id")
    m = taken.manifest
    assert [(b["batch_id"], b["source_file"], b["sha256"]) for b in m["batches"]] == \
           [(b["batch_id"], b["source_file"], b["sha256"]) for b in batches]
    assert m["cut_at"] == max(b["finished_at"] for b in batches).isoformat()   # the data's time, not the clock
    lines = "".join(f"{b['batch_id']}:{b['sha256']}\n" for b in batches)
    assert m["data_version"] == hashlib.sha256(lines.encode()).hexdigest()
    assert m["week_start"] == taken.week.start.isoformat() and m["week_end"] == taken.week.end.isoformat()
    assert m["tables"]["response_kpi"]["params"][taken.week.label] == {
        "start_date": taken.week.start.isoformat(), "end_date": taken.week.end.isoformat()}
    assert m["software"]["emss"] and m["software"]["duckdb"] == duckdb.__version__


def test_a_second_run_of_the_same_week_is_byte_identical(taken, retaken):
    assert retaken.week == taken.week and retaken.revision == taken.revision and not retaken.new_revision
    first = {p.relative_to(taken.folder): p.read_bytes() for p in taken.folder.rglob("*") if p.is_file()}
    second = {p.relative_to(retaken.folder): p.read_bytes() for p in retaken.folder.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    differing = [str(name) for name in first if first[name] != second[name]]
    assert not differing, f"files differ between two runs of the same week: {differing}"


def test_the_pack_zip_holds_the_folder_and_is_stable(taken):
    pack = snapshot.pack_zip(taken.folder)
    assert pack == snapshot.pack_zip(taken.folder)
    with zipfile.ZipFile(io.BytesIO(pack)) as z:
        names = set(z.namelist())
        assert names == {f"{taken.week.label}/{p.relative_to(taken.folder).as_posix()}"
                         for p in taken.folder.rglob("*") if p.is_file()}
        manifest = json.loads(z.read(f"{taken.week.label}/manifest.json"))
    assert manifest == taken.manifest


# ---- one KPI, everywhere it appears ----------------------------------------------------------------

def test_the_5_minute_rate_agrees_across_parquet_csv_excel_html_and_dashboard(taken, incidents, warehouse,
                                                                             monkeypatch):
    week = taken.week
    n, arrived, within, rate = response_rate(incidents, week.start, week.end)
    _, _, _, last_rate = response_rate(incidents, week.previous().start, week.previous().end)
    assert arrived > 0

    parquet = pl.read_parquet(taken.folder / "tables" / "response_kpi.parquet")
    this = parquet.filter(pl.col("week") == week.label).row(0, named=True)
    assert (this["incidents"], this["arrived"], this["within_target"]) == (n, arrived, within)
    assert this["within_target_rate"] == pytest.approx(rate, abs=1e-9)
    csv = pl.read_csv(taken.folder / "tables" / "response_kpi.csv")
    assert csv.filter(pl.col("week") == week.label)["within_target_rate"][0] == pytest.approx(rate, abs=1e-9)

    # durations and counts share these columns: read them all as numbers (durations come back empty)
    summary = pl.read_excel(taken.folder / f"kpi_{week.label}.xlsx", sheet_name=i18n.text("snap_sheet_summary", "zh"),
                            read_options={"dtypes": {"本周": "float", "上周": "float", "变化": "float"}})
    row = summary.filter(pl.col("指标") == i18n.text("kpi_rate", "zh")).row(0, named=True)
    assert row["本周"] == pytest.approx(rate, abs=1e-9)
    assert row["上周"] == pytest.approx(last_rate, abs=1e-9)
    assert row["变化"] == pytest.approx((rate - last_rate) * 100, abs=1e-6)   # percentage points
    incidents_row = summary.filter(pl.col("指标") == i18n.text("col_incidents", "zh")).row(0, named=True)
    assert incidents_row["本周"] == n

    html = (taken.folder / f"report_{week.label}.html").read_text(encoding="utf-8")
    shown = re.search(r'data-kpi="within_target_rate" data-week="this">([^<]+)<', html).group(1)
    assert shown == f"{rate * 100:.1f}%"
    # the loads behind the pack, by the users' word for each export, never its code
    cells = set(re.findall(r"<td[^>]*>([^<]*)</td>", html))
    kinds = {r["kind"] for r in plain_rows(warehouse, "select distinct kind from meta.batches")}
    assert kinds and not kinds & cells
    assert {i18n.text(f"kind_{k}", "zh") for k in kinds} <= cells

    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["start"] = week.start.isoformat()
    at.query_params["end"] = week.end.isoformat()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    metric = [m.value for m in at.metric if m.label == i18n.text("kpi_rate", "zh")]
    assert metric == [f"{rate * 100:.1f}%"]


def test_the_workbook_is_in_chinese_with_number_formats(taken):
    import fastexcel

    path = taken.folder / f"kpi_{taken.week.label}.xlsx"
    sheets = fastexcel.read_excel(str(path)).sheet_names
    assert sheets[:3] == ["概览", "各区到场率", "建站与目标"] and "说明" in sheets
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert 'formatCode="0.0%"' in styles and 'formatCode="[m]:ss"' in styles
    # the creation date is the data's cut, so a rerun writes the same bytes
    cut = dt.datetime.fromisoformat(taken.manifest["cut_at"])
    assert cut.strftime("%Y-%m-%dT%H:%M:%S") in core


# ---- the report offline, and its PDF ---------------------------------------------------------------

@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed (apt-get install chromium); .ci/run installs it")
def test_the_report_opens_offline_in_chromium_with_no_outside_request(taken):
    from playwright.sync_api import sync_playwright

    html_file = taken.folder / f"report_{taken.week.label}.html"
    outside, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=snapshot.pdf.CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def route(r):
                if r.request.url.startswith("file:"):
                    r.continue_()
                else:  # the network is cut: anything else is recorded and refused
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html_file.as_uri(), wait_until="load")
            page.wait_for_function("Array.from(document.querySelectorAll('.js-plotly-plot'))"
                                   ".filter(e => e.querySelector('.main-svg')).length >= 5", timeout=20_000)
            drawn = page.locator(".js-plotly-plot").count()
            title = page.locator("h1").inner_text()
            page.wait_for_timeout(300)
        finally:
            browser.close()
    assert outside == [], f"the report asked the network for {outside}"
    assert errors == []
    assert drawn == 5 and title == i18n.text("snap_report_title", "zh")
    assert html_file.read_text(encoding="utf-8").count("Plotly.newPlot") == 5
    assert taken.manifest["pdf"]["written"]


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed (apt-get install chromium); .ci/run installs it")
def test_the_pdf_is_a4_with_a_chinese_font_and_the_cut_as_its_date(taken):
    pdf = (taken.folder / f"report_{taken.week.label}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    sizes = {tuple(round(float(v)) for v in m) for m in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)}
    assert sizes == {(595, 842)}   # A4 in points
    assert re.search(rb"/BaseFont /[A-Z]{6}\+WenQuanYi", pdf), "no CJK font embedded: Chinese would be boxes"
    cut = dt.datetime.fromisoformat(taken.manifest["cut_at"])
    stamp = cut.strftime("%Y%m%d%H%M%S").encode()
    assert re.findall(rb"/CreationDate \(D:(\d{14})", pdf) == [stamp]
    assert re.findall(rb"/ModDate \(D:(\d{14})", pdf) == [stamp]


def test_without_chromium_everything_else_is_written_and_the_manifest_says_why(warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot.pdf, "chromium_path", lambda: None)
    snap = snapshot.take(warehouse, out_dir=tmp_path)
    assert not snap.pdf.written and "Chromium" in snap.pdf.reason
    assert snap.manifest["pdf"] == {"written": False, "skipped_because": snap.pdf.reason}
    assert not list(snap.folder.glob("*.pdf"))
    assert (snap.folder / f"report_{snap.week.label}.html").is_file()
    assert (snap.folder / f"kpi_{snap.week.label}.xlsx").is_file()


# ---- the history: revisions kept -----------------------------------------------------------------

def test_a_revised_week_becomes_a_new_revision_and_the_old_one_stays(demo_warehouse, tmp_path):
    from warehouse.build import rebuild
    from warehouse.connection import open_reader, open_writer

    import queries

    path = tmp_path / "emss.duckdb"
    copy_warehouse(demo_warehouse, path)
    as_of = plain_rows(path, "select as_of_date from data_as_of")[0]["as_of_date"]
    week = expected_week(as_of)
    first = plain_rows(path, "select kpi, dimension, code, value from meta.snapshots where week = ? and revision = 1"
                             " order by all", [week.label])
    assert first, "the fixture records its last complete week (tests/conftest.py)"

    again = snapshot.record_week(path)
    assert (again.week, again.revision, again.new_revision) == (week, 1, False)
    before = path.stat().st_mtime_ns
    snapshot.record_week(path)
    assert path.stat().st_mtime_ns == before, "an unchanged week must not rewrite the warehouse"

    # revise the week's data: five of its incidents withdrawn from the export
    gone = plain_rows(path, "select incident_id from incidents where call_date between ? and ? order by incident_id"
                            " limit 5", [week.start, week.end])
    with open_writer(path) as con:
        partitions.rewrite(con, "core.responses", "select * from core.responses where not list_contains(?, incident_id)",
                           [[r["incident_id"] for r in gone]])
    rebuild(path)

    revised = snapshot.take(path, out_dir=tmp_path / "out", pdf=False)
    assert (revised.revision, revised.new_revision) == (2, True)
    assert revised.manifest["revision"] == 2
    kept = plain_rows(path, "select kpi, dimension, code, value from meta.snapshots where week = ? and revision = 1"
                            " order by all", [week.label])
    assert kept == first
    incidents = {r["revision"]: r["value"] for r in plain_rows(
        path, "select revision, value from meta.snapshots where week = ? and kpi = 'incidents' and dimension = 'city'",
        [week.label])}
    assert incidents[2] == incidents[1] - 5

    con = open_reader(path)
    try:
        weeks = queries.run(con, "snapshots/weeks").filter(pl.col("week") == week.label)
        compare = queries.run(con, "snapshots/compare", {"week_a": week.label, "revision_a": 2,
                                                         "week_b": week.label, "revision_b": 1})
        history = queries.run(con, "snapshots/kpi_history", {"kpi": "incidents"})
    finally:
        con.close()
    assert sorted(weeks["revision"].to_list()) == [1, 2]
    assert weeks.filter(pl.col("is_latest"))["revision"].to_list() == [2]
    change = compare.filter((pl.col("kpi") == "incidents") & (pl.col("dimension") == "city"))["change"][0]
    assert change == -5
    row = history.filter(pl.col("week") == week.label).row(0, named=True)
    assert (row["first_value"], row["latest_value"], row["revisions"], row["is_revised"]) == \
           (incidents[1], incidents[2], 2, True)


def test_the_history_holds_the_reported_figures(demo_warehouse, incidents):
    rows = plain_rows(demo_warehouse, "select week, value from meta.snapshots"
                                      " where kpi = 'within_target_rate' and dimension = 'city' and revision = 1")
    assert len(rows) == 2   # the fixture records its last two complete weeks
    for r in rows:
        week = parse_week(r["week"])
        assert r["value"] == pytest.approx(response_rate(incidents, week.start, week.end)[3], abs=1e-9)


# ---- the snapshots page ---------------------------------------------------------------------------

def test_snapshots_page_lists_compares_and_offers_the_pack(taken, warehouse, incidents, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("EMSS_SNAPSHOTS", str(taken.folder.parent))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/snapshots.py").run()
    assert not at.exception, [e.value for e in at.exception]

    stored = plain_rows(warehouse, "select distinct week, revision from meta.snapshots order by week desc, revision desc")
    listed = at.dataframe[0].value
    assert list(zip(listed["周"], listed["修订版"])) == [(r["week"], r["revision"]) for r in stored]

    week_a, week_b = taken.week, taken.week.previous()
    compare = at.dataframe[1].value
    row = compare[(compare["指标"] == i18n.text("col_incidents", "zh")) & (compare["范围"] == "全市")].iloc[0]
    n_a = response_rate(incidents, week_a.start, week_a.end)[0]
    n_b = response_rate(incidents, week_b.start, week_b.end)[0]
    assert row[f"{week_a.label} (r1)"] == f"{n_a:,}"
    assert row[f"{week_b.label} (r1)"] == f"{n_b:,}"
    assert row["变化"] == i18n.fmt_delta(n_a - n_b)

    buttons = [b.proto.label for b in at.get("download_button")]
    assert i18n.text("snapshots_download", "zh", week=week_a.label) in buttons
    # the previous week was recorded but never written to a folder here: said so, no button
    assert any(week_b.label in c.value for c in at.caption if "emss snapshot --week" in c.value)



def _compared_by_default(warehouse: Path, monkeypatch) -> tuple[tuple[str, int], tuple[str, int], list[str]]:
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/snapshots.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at.selectbox(key="snapshots_a").value, at.selectbox(key="snapshots_b").value, list(at.dataframe[1].value.columns)


def test_snapshots_page_compares_a_week_with_the_one_before_by_default(demo_warehouse, tmp_path, monkeypatch):
    """Never a week with itself: the newest week against the week before; while only one week is stored,
    its latest revision against the one before."""
    weeks = [r["week"] for r in plain_rows(demo_warehouse, "select distinct week from meta.snapshots order by week desc")]
    a, b, columns = _compared_by_default(demo_warehouse, monkeypatch)
    assert (a, b) == ((weeks[0], 1), (weeks[1], 1))
    assert columns[2:4] == [f"{weeks[0]} (r1)", f"{weeks[1]} (r1)"]

    one_week = tmp_path / "emss.duckdb"  # the newest week only, revised once: its rows again as revision 2
    shutil.copyfile(demo_warehouse, one_week)
    con = duckdb.connect(str(one_week))
    try:
        con.execute("delete from meta.snapshots where week <> ?", [weeks[0]])
        con.execute("insert into meta.snapshots select * replace (2 as revision, value + 1 as value)"
                    " from meta.snapshots where week = ?", [weeks[0]])
    finally:
        con.close()
    a, b, columns = _compared_by_default(one_week, monkeypatch)
    assert (a, b) == ((weeks[0], 2), (weeks[0], 1))
    assert columns[2:4] == [f"{weeks[0]} (r2)", f"{weeks[0]} (r1)"]

def test_snapshots_page_draws_the_rate_as_first_reported_and_as_last_revised(demo_warehouse, incidents, tmp_path,
                                                                             monkeypatch):
    """One Vega-Lite chart, no Plotly: per stored week, the 5-minute rate as first reported and as last
    revised; a week revised after it was reported shows both values."""
    weeks = [r["week"] for r in plain_rows(demo_warehouse, "select distinct week from meta.snapshots order by week")]
    revised = tmp_path / "emss.duckdb"  # the older week's rate revised by a point
    shutil.copyfile(demo_warehouse, revised)
    con = duckdb.connect(str(revised))
    try:
        con.execute("insert into meta.snapshots select * replace (2 as revision, value - 0.01 as value)"
                    " from meta.snapshots where week = ?", [weeks[0]])
    finally:
        con.close()
    monkeypatch.setenv("EMSS_WAREHOUSE", str(revised))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/snapshots.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("plotly_chart")
    (rows,) = [chart_rows(c) for c in at.get("vega_lite_chart")]
    drawn = {(r["week"], r["series"]): r["rate"] for r in rows}
    first, latest = i18n.text("snapshots_first_reported", "zh"), i18n.text("snapshots_latest_revision", "zh")
    for week in weeks:
        w = parse_week(week)
        rate = response_rate(incidents, w.start, w.end)[3]
        assert drawn[(week, first)] == pytest.approx(rate, abs=1e-9)
        assert drawn[(week, latest)] == pytest.approx(rate - (0.01 if week == weeks[0] else 0), abs=1e-9)
    assert {r["shown"] for r in rows if r["week"] == weeks[-1]} == {i18n.fmt_pct(drawn[(weeks[-1], first)])}


# ---- the CLI --------------------------------------------------------------------------------------

def emss(*args):
    return subprocess.run([sys.executable, "-m", "emss.cli", *args], capture_output=True, text=True)


def test_cli_snapshot_and_its_refusal(warehouse, as_of, tmp_path):
    week = expected_week(as_of)
    out = emss("snapshot", "-w", str(warehouse), "--week", week.label, "--out", str(tmp_path), "--no-pdf")
    assert out.returncode == 0, out.stderr
    assert week.label in out.stdout and "--no-pdf" in out.stdout   # says why there is no PDF
    assert (tmp_path / week.label / "manifest.json").is_file()
    later = Week.of(as_of + dt.timedelta(days=7)).label
    out = emss("snapshot", "-w", str(warehouse), "--week", later, "--out", str(tmp_path), "--no-pdf")
    assert out.returncode == 2 and "not complete" in out.stderr and "Traceback" not in out.stderr


def test_query_writes_parquet_for_schedulers(demo_warehouse, reader, tmp_path):
    import queries

    target = tmp_path / "by_district.parquet"
    out = emss("query", "response/by_district", "-p", "start_date=2026-01-01", "--format", "parquet",
               "--out", str(target), "-w", str(demo_warehouse))
    assert out.returncode == 0, out.stderr
    expected = queries.run(reader, "response/by_district", {"start_date": "2026-01-01"})
    assert pl.read_parquet(target).equals(expected)
    out = emss("query", "response/kpi", "--format", "parquet", "-w", str(demo_warehouse))
    assert out.returncode == 2 and "--out" in out.stderr
