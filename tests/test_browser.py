"""The dashboard in a real browser (Debian's Chromium), offline: every page
renders its figures, with no Streamlit exception, no console error and no
request leaving the machine.

Set EMSS_SCREENSHOTS=DIR to keep a screenshot of each page, and EMSS_BROWSER_WAREHOUSE=FILE to
run on another warehouse than the test fixture. The README's screenshots come from here, on the
full demo (copied without its accounts):
  EMSS_BROWSER_WAREHOUSE=data/emss.duckdb EMSS_SCREENSHOTS=docs/screenshots uv run pytest tests/test_browser.py -k "renders_offline or first_screen"
(coverage.png, definitions.png and report.png are taken by hand: a what-if, the definitions page, the PDF)
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import pytest
from conftest import running_dashboard
from warehouse.connection import copy_warehouse

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# the app's script state, as Streamlit's front end writes it on its root element: idle
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PAGES = {  # url path ("" = the default page, Overview) -> what shows its first figure
    "": '[data-testid="stMetric"]',
    "response": '[data-testid="stVegaLiteChart"] .mark-rect',  # its histogram (Vega-Lite)
    "stations": '[data-testid="stVegaLiteChart"] .mark-rect',  # its build-out bars (Vega-Lite)
    "map": '[data-testid="stDeckGlJsonChart"] canvas',
    "quality": '[data-testid="stMetric"]',
    "coverage": '[data-testid="stDeckGlJsonChart"] canvas',
    "incidents": '[data-testid="stDataFrame"]',
    "station": '[data-testid="stDeckGlJsonChart"] canvas',
    "inventory": '[data-testid="stMetric"]',
    "prevention": '[data-testid="stMetric"]',
    "snapshots": '[data-testid="stMetric"], [data-testid="stDataFrame"], [data-testid="stAlert"]',  # none taken yet: says so
    "workbench": '[data-testid="stDataFrame"]',
}
WIDTHS = (1024, 1366, 1440, 390)  # px: the narrowest and widest office screens, a common one, a phone
MISSING = re.compile(r"\b(None|NaN|nan|null|undefined)\b")
READER_TEXT = """() => { const main = document.querySelector('[data-testid="stMain"]').cloneNode(true);
    main.querySelectorAll('pre, code, textarea, style, script, [data-testid="stCode"]').forEach(e => e.remove());
    return main.innerText; }"""


def assert_no_missing_value_shown(page, where: str) -> None:
    """What a reader sees (SQL in code blocks aside) holds words and numbers, never a missing value's name."""
    body = page.evaluate(READER_TEXT)
    assert not MISSING.search(body), f"{where}: " + str(re.findall(r".{0,40}\b(?:None|NaN|nan|null|undefined)\b.{0,40}", body)[:5])


ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def browser_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """The test fixture's warehouse, or a copy of EMSS_BROWSER_WAREHOUSE without its accounts (the
    demo's would ask for a sign-in)."""
    given = os.environ.get("EMSS_BROWSER_WAREHOUSE")
    if not given:
        return Path(demo_warehouse)
    copy = tmp_path_factory.mktemp("browser") / "emss.duckdb"
    copy_warehouse(Path(given), copy)
    return copy


@contextlib.contextmanager
def serving(warehouse: Path):
    """`emss serve` on the warehouse, for Chromium; skip, saying why, when Chromium is absent."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed (apt-get install chromium); .ci/run installs it")
    with running_dashboard(warehouse) as base:
        yield base


@pytest.fixture(scope="module")
def server(browser_warehouse):
    with serving(browser_warehouse) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ])
        yield b
        b.close()


@pytest.mark.parametrize("page_path", list(PAGES))
def test_page_renders_offline(server, browser, page_path):
    context, page, first_figure_s = _open_offline(server, browser, page_path)
    body = page.locator("body").inner_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body), "the page should be in Chinese by default"
    assert_no_missing_value_shown(page, page_path or "overview")
    chart_texts = page.eval_on_selector_all('[data-testid="stVegaLiteChart"] svg text', "els => els.map(e => e.textContent)")
    english_dates = [t for t in chart_texts if ENGLISH_MONTH.search(t)]
    assert not english_dates, f"English month names in a chart on a Chinese page: {english_dates[:5]}"
    uploaders = page.eval_on_selector_all('[data-testid="stFileUploaderDropzone"] button p',
                                          "els => els.map(e => getComputedStyle(e, '::after').content)")
    assert (page_path != "coverage" or uploaders) and all("上传" in u for u in uploaders), f"Streamlit's English upload button on a Chinese page: {uploaders}"
    shots = os.environ.get("EMSS_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{page_path or 'overview'}.png"),
                        clip={"x": 0, "y": 0, "width": 1400, "height": 1000})  # the first screen, kept small
    print(f"{page_path or 'overview'}: first figure after {first_figure_s:.2f} s")
    if page_path in TILES:  # its tiles whole at every width (in English: test_tiles_are_never_cut_in_english)
        cut = tiles_cut(page, page_path, "zh")
        assert not cut, f"tiles cut on {page_path} (zh): {cut}"
    context.close()


def test_the_home_page_also_answers_at_its_own_path(server, browser):
    """"/overview" (typed, or kept from a link) opens the Overview, not Streamlit's English
    "Page not found" notice over it."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/overview")
    page.wait_for_selector(PAGES[""], timeout=60_000)
    page.wait_for_timeout(1500)
    body = page.locator("body").inner_text()
    context.close()
    assert "总览" in body and "5分钟到场率" in body
    assert "not found" not in body.lower() and "does not seem to exist" not in body


def test_the_browser_and_the_server_agree_to_deflate_every_message(server, browser):
    """The Coverage map is megabytes of JSON per rerun; `emss serve` lets the websocket deflate it
    (permessage-deflate), and Chromium takes up the offer: the handshake's answer says so."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    answers = []
    cdp.on("Network.webSocketHandshakeResponseReceived", lambda e: answers.append(
        {k.lower(): v for k, v in e["response"]["headers"].items()}))
    page.goto(f"{server}/coverage")
    page.wait_for_selector(PAGES["coverage"], timeout=60_000)
    context.close()
    assert answers, "no websocket opened"
    assert all("permessage-deflate" in a.get("sec-websocket-extensions", "") for a in answers), answers


def _open_offline(server, browser, page_path):
    """A page opened in a fresh tab and settled: no Streamlit exception, no console error, no request
    leaving the machine. Returns (context, page, seconds to its first figure)."""
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN")
    page = context.new_page()
    outside, console_errors = [], []
    page.on("request", lambda req: urlparse(req.url).hostname not in LOOPBACK
            and urlparse(req.url).scheme in ("http", "https", "ws", "wss") and outside.append(req.url))
    probes = []  # Streamlit's frontend looks for its endpoints under the page's path first; those 404s are its own
    page.on("response", lambda r: r.status >= 400 and (
        probes if urlparse(r.url).path.endswith(("/_stcore/health", "/_stcore/host-config")) else console_errors
    ).append(f"{r.status} {r.url}"))
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    started = time.perf_counter()
    page.goto(f"{server}/{page_path}")
    page.wait_for_selector(PAGES[page_path], timeout=60_000)
    first_figure_s = time.perf_counter() - started
    page.wait_for_timeout(1500)  # let the remaining charts settle
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()
    assert not outside, f"requests left the machine: {outside[:5]}"
    console_errors = [e for e in console_errors if not e.startswith("Failed to load resource")] + [
        e for e in console_errors if e.startswith("Failed to load resource")][len(probes):]
    assert not console_errors, f"browser console errors: {console_errors[:5]}"
    return context, page, first_figure_s


@pytest.fixture(scope="module")
def guangzhou_server(guangzhou_warehouse):
    with serving(guangzhou_warehouse) as base:
        yield base


@pytest.mark.parametrize("page_path", ["", "map", "coverage", "station"])
def test_another_citys_dashboard(guangzhou_server, browser, guangzhou_profile, page_path):
    """`emss profile new 广州市` then `emss demo --profile`: the pages that draw the city's districts
    and maps render Guangzhou's in the browser, and never say the default city's name (every page's
    text is checked without a browser: tests/test_profiles.py)."""
    import tomllib

    names = {d["zh"] for d in tomllib.loads((guangzhou_profile / "profile.toml").read_text(encoding="utf-8"))["districts"]}
    assert len(names) == 11
    context, page, _ = _open_offline(guangzhou_server, browser, page_path)
    body = page.locator("body").inner_text()
    assert "深圳" not in body and "Shenzhen" not in body
    if page_path == "":  # the district filter offers Guangzhou's eleven districts, and only them
        page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
        page.wait_for_selector('[role="option"]', timeout=10_000)
        offered = set()
        for _ in range(6):  # the list is drawn a screenful at a time: scroll it through
            offered |= {o.inner_text().strip() for o in page.locator('[role="option"]').all()}
            page.locator('[role="listbox"]').first.evaluate("el => { el.scrollTop += 200; }")
            page.wait_for_timeout(200)
        assert offered - {"Select all", "全选"} == names
    context.close()


PRINTED = {  # page -> what its printed A4 pages must say
    "": ["总览", "5分钟到场率", "建站进度"],
    "station": ["站点详情", "出警与响应"],
}


@pytest.mark.parametrize("page_path", list(PRINTED))
def test_page_prints_on_a4(server, browser, page_path, tmp_path):
    """Printing (as leadership does for the meeting): A4, Chinese text present, no sidebar, a few pages."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed (apt-get install poppler-utils); .ci/run installs it")
    context = browser.new_context(viewport={"width": 1100, "height": 1600}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/{page_path}")
    page.wait_for_selector(PAGES[page_path], timeout=60_000)
    page.wait_for_timeout(2000)
    page.emulate_media(media="print")
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    context.close()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for phrase in PRINTED[page_path]:
        assert phrase in text, f"printed page lacks {phrase!r}"
    assert "筛选条件" not in text, "the sidebar should not print"
    pages = text.count("\f")
    assert 1 <= pages <= 6, f"{pages} A4 pages"
    shots = os.environ.get("EMSS_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, Path(shots) / f"{page_path or 'overview'}-print.pdf")


def _metric(page, label: str) -> str:
    """The value of the metric whose label is exactly `label`."""
    for card in page.locator('[data-testid="stMetric"]').all():
        if card.locator('[data-testid="stMetricLabel"]').inner_text().strip() == label:
            return card.locator('[data-testid="stMetricValue"]').inner_text().strip()
    raise AssertionError(f"no metric {label!r} on the page")


def _facts(warehouse, district: str | None = None) -> dict:
    """The Overview's key figures by plain SQL over the analyst views (not the named queries)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        as_of = con.execute("select as_of_date from data_as_of").fetchall()[0][0]
        where = "call_date between ? - 27 and ?" + (" and district = ?" if district else "")
        args = [as_of, as_of] + ([district] if district else [])
        within, timed = con.execute(
            f"select count(*) filter (where response_s <= 300), count(response_s) from incidents where {where}", args
        ).fetchall()[0]
        in_service = con.execute(
            "select count(*) from stations where opened_on <= ? and (closed_on is null or closed_on > ?)"
            + (" and district = ?" if district else ""), [as_of, as_of] + ([district] if district else [])
        ).fetchall()[0][0]
        fires = con.execute(f"select count(*) from incidents where {where} and incident_type = 'fire'", args).fetchall()[0][0]
    finally:
        con.close()
    return {"rate": f"{within / timed * 100:.1f}%", "in_service": f"{in_service:,}", "fires": fires}


def test_a_click_on_the_coverage_map_adds_a_what_if_station(server, browser):
    """A planner clicks a grid cell on the 5-minute map: a what-if station stands at that cell's
    centre (listed under 当前假设调整), and every figure is recomputed with it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/coverage")
    page.wait_for_selector(PAGES["coverage"], timeout=60_000)
    page.wait_for_selector(IDLE, timeout=120_000)  # a click while the page still runs can be lost
    page.wait_for_timeout(2000)
    deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
    deck.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    box = deck.bounding_box()
    assert page.locator("text=地图选点1").count() == 0
    # the map's canvas, marked: the same canvas after the what-if means the browser kept the map's drawing
    # (the notice the what-if brings fills a place kept for it, so nothing after it is built anew)
    canvas = '[data-testid="stDeckGlJsonChart"] canvas'
    page.evaluate("s => { document.querySelector(s).emssKept = true }", canvas)
    added = None
    # places around the city's middle, all on land: the first whose cell answers (the deck answers once its
    # cells are drawn, which can lag the canvas on a busy machine). A cell that answers, fine or merged,
    # shows its tooltip on hover.
    tooltip = page.locator(".deck-tooltip").filter(has_text="人口")
    for dx, dy in ((0, 0), (12, 12), (-80, 25), (80, -25), (-40, -40), (40, 60)):
        x, y = box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy
        page.wait_for_selector(IDLE, timeout=120_000)
        for _ in range(15):  # hover until the cell's tooltip shows (each move makes the deck pick again)
            page.mouse.move(x - 4, y - 4)
            page.mouse.move(x, y)
            if tooltip.count() and tooltip.first.is_visible():
                break
            page.wait_for_timeout(1000)
        else:
            continue
        page.mouse.click(x, y)
        try:  # the what-if list's printed copy holds the new station's name
            added = page.wait_for_selector("text=地图选点1", state="attached", timeout=10_000)
            break
        except Exception:
            continue
    if added is not None:
        page.wait_for_selector(IDLE, timeout=120_000)
        kept = page.evaluate("s => document.querySelector(s)?.emssKept === true", canvas)
    context.close()
    assert added is not None, "a click on a grid cell added no what-if station"
    assert kept, "the what-if had the browser build the map anew"


def test_figures_filters_and_drill_down_in_the_browser(server, browser, browser_warehouse):
    """The Overview shows the warehouse's figures; a district in the URL changes them to that district's;
    a drill-down link lands on the incident list filtered the same way."""
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN")
    page = context.new_page()
    city, baoan = _facts(browser_warehouse), _facts(browser_warehouse, "baoan")

    page.goto(f"{server}/")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.wait_for_timeout(1000)
    assert _metric(page, "5分钟到场率") == city["rate"]
    assert _metric(page, "在役站点") == city["in_service"]

    page.goto(f"{server}/?district=baoan")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.wait_for_timeout(1000)
    assert _metric(page, "5分钟到场率") == baoan["rate"]
    assert _metric(page, "在役站点") == baoan["in_service"]
    assert baoan["in_service"] != city["in_service"]

    page.goto(f"{server}/incidents?district=baoan&incident_type=fire")
    page.wait_for_selector("text=符合条件的警情", timeout=60_000)
    caption = page.locator("text=符合条件的警情").first.inner_text()
    assert f"符合条件的警情 {baoan['fires']:,} 起" in caption, caption
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_a_click_on_a_histogram_bar_opens_that_bins_incidents(server, browser):
    """The Response page's charts are Vega-Lite: a click on a bar of the response-time histogram opens the
    Incidents page on that bin's incidents, as many as the bar counts (its count read off the drawn bar)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/response")
    page.wait_for_selector(PAGES["response"], timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)  # a click while the page still runs can be lost
    bars = page.locator('[data-testid="stVegaLiteChart"]').first.locator(".mark-rect path")
    bars.first.wait_for(state="attached", timeout=60_000)
    # each bar's aria-label is its description: "<range>, 警情数 <count>"; read once the chart has drawn them all
    page.wait_for_function("""() => { const c = document.querySelector('[data-testid="stVegaLiteChart"]');
        const p = c ? [...c.querySelectorAll('.mark-rect path')] : [];
        return p.length > 0 && p.every(e => /警情数 [0-9,]+/.test(e.getAttribute('aria-label') || '')); }""",
                           timeout=60_000)
    said = bars.evaluate_all("ps => ps.map(p => p.getAttribute('aria-label'))")
    counted = [int(re.search(r"警情数 ([\d,]+)", s).group(1).replace(",", "")) for s in said]
    tallest = counted.index(max(counted))
    bar = bars.nth(tallest)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.wait_for_selector("text=符合条件的警情", timeout=60_000)
    caption = page.locator("text=符合条件的警情").first.inner_text()
    assert f"符合条件的警情 {counted[tallest]:,} 起" in caption, caption
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def _board_facts(warehouse) -> dict:
    """This week's 5-minute rate, the target rate and this year's build-out by plain SQL over the analyst
    views and the rules file (not the named queries)."""
    import datetime as dt
    import tomllib

    import duckdb

    rules = tomllib.loads((Path(__file__).resolve().parents[1] / "emss" / "response_rules.toml").read_text(encoding="utf-8"))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        as_of = con.execute("select as_of_date from data_as_of").fetchall()[0][0]
        monday = as_of - dt.timedelta(days=as_of.weekday())
        within, timed = con.execute(
            "select count(*) filter (where response_s <= target_s), count(response_s) from incidents"
            " where call_date between ? and ?", [monday, as_of]).fetchall()[0]
        opened = con.execute("select count(*) from stations where year(opened_on) = ? and opened_on <= ?",
                             [as_of.year, as_of]).fetchall()[0][0]
    finally:
        con.close()
    target, min_sample = rules["target_rate"]["within_target"], rules["sample"]["min_incidents"]
    rate = round(within / timed, 4)
    gap = round(target - rate, 6)
    status = ("样本不足" if timed < min_sample else "达标" if gap <= 0 else "未达标（差距在5个百分点内）" if gap <= 0.05
              else "未达标")
    return {"monday": monday, "as_of": as_of, "rate": f"{rate * 100:.1f}%", "target": f"{target * 100:.0f}%",
            "status": status, "opened": opened, "year": as_of.year}


# Streamlit 1.67 cuts a metric value that does not fit with "…" on the markdown container *inside*
# [data-testid="stMetricValue"]: the value element itself never overflows, so its descendants are measured too.
CUT_VALUES = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .filter(v => [v, ...v.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth))
    .map(v => v.innerText)"""


def test_overview_first_screen_answers_the_monday_questions(server, browser, browser_warehouse):
    """At 1366×768, without scrolling: this week's 5-minute rate with its target and a status, the
    build-out pace in words, and at least one item of 变差最多."""
    facts = _board_facts(browser_warehouse)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.wait_for_timeout(1500)
    height = page.evaluate("() => window.innerHeight")

    def on_first_screen(locator) -> bool:
        box = locator.bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height

    tiles = page.locator('[data-testid="stMetric"]')
    rate_tile = tiles.first
    assert rate_tile.locator('[data-testid="stMetricLabel"]').inner_text().strip() == f"5分钟到场率 · 目标{facts['target']}"
    assert rate_tile.locator('[data-testid="stMetricValue"]').inner_text().strip() == facts["rate"]
    assert on_first_screen(rate_tile)
    # the four tiles in one row
    tops = {round(tiles.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == 1, f"the board's tiles should fit one row at 1366 px: tops {tops}"
    week = page.get_by_text(f"本周 {facts['monday'].month}月{facts['monday'].day}日–{facts['as_of'].month}月{facts['as_of'].day}日")
    assert on_first_screen(week.first)

    verdict = page.get_by_text("本周5分钟到场率").first
    text = verdict.inner_text()
    assert facts["rate"] in text and f"目标 {facts['target']}" in text and facts["status"] in text, text
    assert on_first_screen(verdict)
    pace = page.get_by_text(f"{facts['year']}年至今应建").first
    assert f"已建 {facts['opened']} 座" in pace.inner_text()
    assert any(w in pace.inner_text() for w in ("落后", "超前", "按进度"))
    assert on_first_screen(pace)

    assert on_first_screen(page.get_by_text("变差最多").first)
    # each worsening item is a line "name：before → after（change；n → n 起）": one must be on screen
    items = page.evaluate("""() => {
        const out = [], walker = document.createTreeWalker(document.querySelector('[data-testid="stMain"]'), NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (/%\\s*→\\s*[\\d.]+%/.test(node.textContent)) {
                const range = document.createRange(); range.selectNodeContents(node);
                const r = range.getBoundingClientRect(); out.push([node.textContent, r.top, r.bottom]);
            }
        }
        return out }""")
    assert items, "no 变差最多 item on the page"
    assert any(top >= 0 and bottom <= height for _, top, bottom in items), f"no 变差最多 item on the first screen: {items[:3]}"
    shots = os.environ.get("EMSS_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / "overview-1366x768.png"))
    context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_values_are_never_cut(server, browser, lang):
    """No metric value on the Overview ends in "…", from a phone to a wide screen, in both languages;
    from 1366 px the board's four tiles share one row. One load per language; the window is then
    resized through the widths (the tiles' layout is the browser's)."""
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/" + ("?lang=en" if lang == "en" else ""))
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stMetricValue"]').count() >= 4
    assert_no_missing_value_shown(page, f"overview ({lang})")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(800)
        assert page.evaluate(CUT_VALUES) == [], f"values cut at {width} px ({lang})"
        if width >= 1366:
            tops = {round(page.locator('[data-testid="stMetric"]').nth(i).bounding_box()["y"]) for i in range(4)}
            assert len(tops) == 1, f"the board's tiles should fit one row at {width} px ({lang}): tops {tops}"
    context.close()


# ---- signing in: a district head sees their district, a locked account stays shut, the audit says so

@pytest.fixture(scope="module")
def signed_warehouse(demo_warehouse, tmp_path_factory):
    from warehouse.access import AccessStore

    warehouse = tmp_path_factory.mktemp("signin") / "emss.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    store = AccessStore(warehouse)
    store.add_user("futian_head", "futian-password-1", "district", districts=("futian",))
    store.add_user("boss", "admin-password-1", "admin")
    store.add_user("clumsy", "clumsy-password-1", "leader")
    store.add_user("lead", "leader-password-1", "leader")
    store.add_user("ana", "analyst-password-1", "analyst")
    con = duckdb.connect(str(warehouse), read_only=True)
    station = con.execute("select station_id from stations where district = 'futian' order by station_id limit 1").fetchone()[0]
    con.close()
    store.add_user("captain", "captain-password-1", "station", station=station)
    return warehouse


@pytest.fixture(scope="module")
def signed_server(signed_warehouse):
    with serving(signed_warehouse) as base:
        yield base


def _sign_in(page, name: str, password: str) -> None:
    page.wait_for_selector('input[type="password"]', timeout=60_000)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_district_head_sees_only_their_district(signed_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{signed_server}/incidents?district=baoan")  # a link into another district
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # nothing before signing in
    _sign_in(page, "futian_head", "futian-password-1")
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    seen = {}
    for title in ("警情明细", "总览", "响应时间", "站点与目标", "站点详情", "物资与装备", "地图", "5分钟救援圈"):
        page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        page.wait_for_timeout(2500)
        page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
        body = page.locator("body").inner_text()
        assert page.locator('[data-testid="stException"]').count() == 0, title
        seen[title] = ("福田" in body, "宝安" in body)
    assert all(not baoan for _, baoan in seen.values()), seen
    assert seen["总览"][0] and seen["响应时间"][0]
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "查询工作台" not in nav and "数据质量" not in nav and "审计日志" not in nav  # no SQL box, no audit
    context.close()


@pytest.mark.parametrize("name, password, offered, withheld", [
    ("lead", "leader-password-1", {"总览", "数据质量", "周报快照"}, {"查询工作台", "审计日志"}),
    ("ana", "analyst-password-1", {"总览", "查询工作台"}, {"审计日志"}),
    ("captain", "captain-password-1", {"站点详情", "警情明细"}, {"总览", "响应时间", "地图", "查询工作台", "审计日志"}),
])
def test_each_role_is_offered_its_pages(signed_server, browser, signed_warehouse, name, password, offered, withheld):
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
    page = context.new_page()
    page.goto(signed_server)
    _sign_in(page, name, password)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.wait_for_timeout(2000)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert all(p in nav for p in offered) and not any(p in nav for p in withheld), nav
    assert page.locator('[data-testid="stException"]').count() == 0
    if name == "captain":  # a station's captain sees their station, and no other
        con = duckdb.connect(str(signed_warehouse), read_only=True)
        own, other = con.execute("""select min(station_id) filter (where district = 'futian'),
                                           min(station_id) filter (where district <> 'futian') from stations""").fetchone()
        other_name = con.execute("select station_name from stations where station_id = ?", [other]).fetchone()[0]
        con.close()
        page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
        assert own in page.locator('[data-testid="stMain"]').inner_text()
        page.goto(f"{signed_server}/station?station={other}")  # a link to another station: a new tab signs in again
        _sign_in(page, name, password)
        page.wait_for_timeout(3000)
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert other_name not in body and own in body  # at most "not found": nothing of the other station
    context.close()


def test_five_wrong_passwords_lock_and_the_audit_says_so(signed_server, browser, signed_warehouse):
    from warehouse.access import AccessStore

    def failures() -> int:
        return sum(e["user"] == "clumsy" and e["event"] == "sign_in_failed" for e in AccessStore(signed_warehouse).events())

    context = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="zh-CN")
    page = context.new_page()
    page.goto(signed_server)
    for attempt in range(1, 6):
        _sign_in(page, "clumsy", "not-my-password")
        for _ in range(300):  # the server has taken this attempt (a click during a rerun may be lost: retry)
            if failures() >= attempt:
                break
            page.wait_for_timeout(100)
            if _ % 50 == 49:
                _sign_in(page, "clumsy", "not-my-password")
        assert failures() >= attempt
    page.get_by_text("锁定").first.wait_for(timeout=30_000)
    _sign_in(page, "clumsy", "clumsy-password-1")  # the right password, too late
    page.wait_for_timeout(1500)
    assert "锁定" in page.locator('[data-testid="stAlert"]').last.inner_text()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    context.close()

    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
    page = context.new_page()
    page.goto(signed_server)
    _sign_in(page, "boss", "admin-password-1")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    more = page.locator('[data-testid="stSidebarNavViewButton"]')  # a long list shows its first items only
    if more.count():
        more.first.click()
    page.locator('[data-testid="stSidebarNav"]').get_by_text("审计日志", exact=True).click()
    page.get_by_text("审计日志").first.wait_for(timeout=60_000)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    page.wait_for_timeout(1500)
    grid = page.locator('[data-testid="stDataFrame"]').first
    text = grid.inner_text() + " " + (grid.get_attribute("aria-label") or "")
    shown = page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')).map(c => c.innerText).join(' ')""")
    assert "clumsy" in shown + text and "账号锁定" in shown + text, shown[:500]
    context.close()


# ---- printing on A4 with nothing cut: charts at the paper's width, tables whole, no half-empty page

STATION_TYPES_ZH = {"street_center": "街道中心站", "industrial_park": "工业园区站", "mall": "大型商超站",
                    "community": "社区服务站", "small": "小型站", "hospital": "医院站", "other": "其他类型站"}
A4_MM = (210, 297)
PRINT_MARGIN_MM = (10, 12)  # left/right, top/bottom: dashboard/print.css's @page
BAND_MM = 5                 # about one line of printed text
MIN_FILL = 0.5


def _printed_station_types(warehouse, page_path: str) -> set[str]:
    """The station types a page shows, by plain SQL over the analyst views, as their Chinese labels."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        as_of = con.execute("select as_of_date from data_as_of").fetchall()[0][0]
        if page_path == "":  # the build-out by station type: every type the registry knows
            codes = con.execute("select distinct station_type from stations").fetchall()
        elif page_path == "response":  # the league table: the first-arriving stations of the period's incidents
            codes = con.execute("select distinct first_station_type from incidents where call_date between ? - 27 and ?"
                                " and response_s is not null", [as_of, as_of]).fetchall()
        else:  # one station, the first of the registry by id
            codes = con.execute("select station_type from stations order by station_id limit 1").fetchall()
    finally:
        con.close()
    return {STATION_TYPES_ZH[c] for (c,) in codes if c is not None}


def _page_fill(pdf: Path) -> list[float]:
    """Per printed page, the share of the printable height that holds anything: the page is rendered in
    grey at 30 dpi and cut into 5 mm bands (about a line of text) between the top and bottom margins; a
    band holds something when any pixel in it is darker than a light grey (table rules and chart gridlines
    count as ink: they are what a reader sees on the page). Bands rather than ink pixels, because text is
    mostly white between strokes and lines, and a page of text is full."""
    from PIL import Image

    out = pdf.parent / f"{pdf.stem}-pages"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(out / "p")], check=True)
    fills = []
    for image in sorted(out.glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        im = Image.open(image)
        width, height = im.size
        px = im.load()
        top = round(height * PRINT_MARGIN_MM[1] / A4_MM[1])
        bottom = height - top
        band = max(1, round(height * BAND_MM / A4_MM[1]))
        inked = [any(px[x, y] < 200 for y in range(b, min(b + band, bottom)) for x in range(width))
                 for b in range(top, bottom, band)]
        fills.append(sum(inked) / len(inked))
    return fills


def _words_outside(pdf: Path) -> list[str]:
    """Words printed beyond the printable width (cut at the paper's edge), from pdftotext's word boxes."""
    import re

    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True).stdout
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)"[^>]*>(.*?)</page>', xhtml, re.S):
        right = float(page.group(1)) * (1 - PRINT_MARGIN_MM[0] / A4_MM[0]) + 1  # in points, 1 pt of slack
        outside += [w for x_max, w in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                                                   page.group(2)) if float(x_max) > right]
    return outside


def _settle(page, rounds: int = 3, timeout_s: float = 60) -> None:
    """Wait until the page has stopped adding elements (a page draws its sections as its script runs,
    slower on a busy machine): the count of element containers unchanged for `rounds` polls."""
    count, same, deadline = -1, 0, time.time() + timeout_s
    while same < rounds and time.time() < deadline:
        page.wait_for_timeout(700)
        now = page.locator('[data-testid="stElementContainer"]').count()
        same, count = (same + 1, now) if now == count else (0, now)


SCREEN_HEADERS = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].map(grid =>
    [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.textContent.trim()).filter(Boolean))"""


@pytest.mark.parametrize("page_path", ["", "response", "station"])
def test_page_prints_whole_on_a4(server, browser, browser_warehouse, page_path, tmp_path):
    """A printed page holds every column header of every table the page shows (the grids are canvases
    that print only what is in view) and every station type the page shows; no word lies beyond the
    paper's printable width (a chart laid out at screen width is cut there); and no page but the last
    is more than half empty (a chart or table pushed whole to the next page leaves a hole)."""
    if not shutil.which("pdftotext") or not shutil.which("pdftoppm"):
        pytest.skip("pdftotext/pdftoppm not installed (apt-get install poppler-utils); .ci/run installs it")
    # On a screen wide enough for every grid to show all its columns: the headers as the page shows them
    context = browser.new_context(viewport={"width": 3000, "height": 1600}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/{page_path}")
    page.wait_for_selector(PAGES[page_path], timeout=60_000)
    page.wait_for_selector('[data-testid="stDataFrame"] [role="columnheader"]', state="attached", timeout=60_000)
    _settle(page)
    grids = page.evaluate(SCREEN_HEADERS)
    assert grids and all(grids), f"no table headers read on screen: {grids}"
    # then printed from a wide office screen: charts drawn there at up to twice the paper's width
    page.set_viewport_size({"width": 1920, "height": 1600})
    page.wait_for_timeout(1500)
    _settle(page)
    page.emulate_media(media="print")
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    context.close()

    # Content order (-raw) keeps a wrapped table cell's lines together: compared without white space
    raw = "".join(subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True).stdout.split())
    missing = [h for headers in grids for h in headers if "".join(h.split()) not in raw]
    assert not missing, f"column headers not printed: {missing}"
    types = _printed_station_types(browser_warehouse, page_path)
    assert types, "the page shows station types"
    assert not [t for t in types if t not in raw], f"station types not printed: {sorted(t for t in types if t not in raw)}"
    outside = _words_outside(pdf)
    assert not outside, f"printed beyond the paper's width: {outside[:10]}"
    fills = _page_fill(pdf)
    if os.environ.get("EMSS_SCREENSHOTS"):
        shutil.copyfile(pdf, Path(os.environ["EMSS_SCREENSHOTS"]) / f"{page_path or 'overview'}-a4.pdf")
    print(f"{page_path or 'overview'}: {len(fills)} pages, filled {[round(f, 2) for f in fills]}, "
          f"{sum(map(len, grids))} headers in {len(grids)} tables")
    assert all(f >= MIN_FILL for f in fills[:-1]), f"a printed page more than half empty: {[round(f, 2) for f in fills]}"


# ---- the other pages' tiles: no label, value or sub-line cut with "…" at any width, in either language

TILES = {"response": 8, "stations": 5, "inventory": 4, "quality": 5, "station": 14, "prevention": 4}  # page -> its tiles (at least)
# Every element of a tile is measured: its label, its value (Streamlit 1.67 cuts those on a markdown
# container inside the label or value element, see CUT_VALUES) and the sub-line under the value.
CUT_TILES = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .filter(m => [m, ...m.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth))
    .map(m => m.innerText.replace(/\\s+/g, ' '))"""


def tiles_cut(page, page_path: str, lang: str) -> dict[int, list[str]]:
    """The page's tiles (at least TILES[page_path], none missing a value) with any label, value or
    sub-line cut, at each width the window is resized to."""
    # every tile drawn first: on a busy machine the page's later tiles come after the first ones' 2 s
    page.wait_for_function(f"""() => document.querySelectorAll('[data-testid="stMetric"]').length >= {TILES[page_path]}""",
                           timeout=60_000)
    assert_no_missing_value_shown(page, f"{page_path} ({lang})")
    cut = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(800)
        found = page.evaluate(CUT_TILES)
        if found:
            cut[width] = found
    return cut


@pytest.mark.parametrize("page_path", list(TILES))
def test_tiles_are_never_cut_in_english(server, browser, page_path):
    """The Response page's KPI rows and the Stations, Inventory, Quality, Station and Prevention pages'
    tiles show every label, value and sub-line whole, from a phone to a wide screen, in English, whose
    words run longer (in Chinese: test_page_renders_offline). One load per page; the window is then
    resized through the widths (the tiles' layout is the browser's)."""
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/{page_path}?lang=en")
    page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
    page.wait_for_timeout(2000)
    assert page.locator('[data-testid="stException"]').count() == 0
    cut = tiles_cut(page, page_path, "en")
    context.close()
    assert not cut, f"tiles cut on {page_path} (en): {cut}"
