"""Hostile data and links: what the warehouse or a URL holds is shown as text, never as markup.

Station names, districts, streets, host venues, addresses, incident numbers, incident types,
item names and categories, and an export's file name carry markdown, Streamlit-markdown and
HTML payloads that would fetch an image or show a link if rendered. The warehouse is built
the real way (export files -> etl.load.ingest). AppTest checks every element that Streamlit
renders as markdown, every HTML element (the tables' printed copies), every Plotly figure and
every pydeck tooltip on the pages that show those values; one real-browser test checks that
nothing is ever fetched from the payloads' address and that no link or image pointing there
reaches the page.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

import polars as pl
import pytest
from conftest import chart_rows, running_dashboard, open_dashboard
from streamlit.testing.v1 import AppTest

from dashboard import i18n, plain
from emss import figures

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"

TRAP = "127.0.0.1:9"  # nothing listens on the discard port: a request there is a payload that worked
IMG = f"![x](http://{TRAP}/x.png)"
LINK = f"[点我](http://{TRAP}/)"
HTML_IMG = f"<img src=http://{TRAP}/y.png>"
HTML_A = f'<a href="http://{TRAP}">x</a>'
RED = ":red[假警报]"
TEX = "$x^2$"
BOLD = "**粗体**"
PAYLOADS = (IMG, LINK, HTML_IMG, HTML_A, RED, TEX, BOLD)
# something of every payload that survives escaping: a text holding one of these holds a payload
SIGNS = ("127.0.0.1", "假警报", "粗体", "x^2")

# the stations: YJ9001 has a type and a district the vocabulary lacks, YJ9004 a district; both kept as written
STATIONS = [
    # id, name, type, district, street, host venue, lon, lat
    ("YJ9001", "站" + IMG, HTML_A, LINK, HTML_IMG, TEX, 114.0550, 22.5420),
    ("YJ9002", LINK + BOLD, "社区服务站", "福田区", RED, HTML_A, 114.0600, 22.5450),
    ("YJ9003", HTML_IMG, "小型站", "福田区", "福保街道", BOLD, 114.0650, 22.5400),
    ("YJ9004", HTML_A + RED + TEX, "街道中心站", RED, IMG, LINK, 114.0500, 22.5380),
]
END = dt.date(2025, 6, 20)  # the incidents fall in the three weeks before
HOSTILE_INCIDENTS = {  # incident number -> (station, address)
    "JQ" + IMG: ("YJ9001", LINK),
    "JQ" + LINK: ("YJ9002", HTML_IMG),
    "JQ" + HTML_IMG: ("YJ9003", IMG),
    "JQ" + HTML_A: ("YJ9004", RED),
    "JQ" + RED: ("YJ9001", TEX),
    "JQ" + TEX: ("YJ9002", HTML_A),
    "JQ" + BOLD: ("YJ9003", BOLD),
}
INCIDENT_FILE = "出警记录_:red[假警报]_**粗体**.csv"  # a file name shows on the quality page


def _write_exports(folder: Path) -> list[Path]:
    registry = pl.DataFrame([{
        "站点编号": sid, "站点名称": name, "站点类型": kind, "所属区": district, "街道": street, "依托场所": venue,
        "经度": lon, "纬度": lat, "坐标系": "WGS-84", "建成日期": "2024-03-01", "撤销日期": None,
        "值班模式": "24小时", "队员人数": 8, "队长": 1, "副队长": 1, "通信员": 1, "安全员": 1,
        "应急处置车辆数": 1, "是否林区站": "否",
    } for sid, name, kind, district, street, venue, lon, lat in STATIONS], strict=False)
    rows = []

    def incident(number: str, station: str, address: str, kind: str, district: str, at: dt.datetime,
                 response_s: int) -> None:
        sid, name, *_rest, lon, lat = next(s for s in STATIONS if s[0] == station)
        rows.append({
            "警情编号": number, "警情类型": kind, "接警渠道": "群众电话", "所属区": district, "街道": "福保街道",
            "事发地址": address, "经度": lon + 0.004, "纬度": lat + 0.003, "坐标系": "WGS-84",
            "接警时间": at, "派警时间": at + dt.timedelta(seconds=40), "出动时间": at + dt.timedelta(seconds=100),
            "到场时间": at + dt.timedelta(seconds=response_s), "处置完毕时间": at + dt.timedelta(seconds=2400),
            "出警站点编号": sid, "出警站点": name, "出动人数": 3, "出动车辆数": 1,
        })

    start = dt.datetime.combine(END - dt.timedelta(days=20), dt.time(9))
    # enough incidents in a hostile district and of a hostile type to be judged (not a small sample),
    # and slower than the rest: the Response page names them as where the target is missed most
    for i in range(36):
        incident(f"JQ2025{i:04d}", STATIONS[i % 4][0], f"福保街道{i}号", RED, LINK, start + dt.timedelta(hours=11 * i),
                 420 + 7 * i)
    for i in range(36, 72):
        incident(f"JQ2025{i:04d}", STATIONS[i % 4][0], f"福保街道{i}号", "电梯困人", "福田区",
                 start + dt.timedelta(hours=11 * (i - 36) + 5), 180 + 2 * (i - 36))
    for n, (number, (station, address)) in enumerate(HOSTILE_INCIDENTS.items()):
        incident(number, station, address, RED, LINK, start + dt.timedelta(days=n + 1, hours=3), 250)
    rows.append({**rows[0], "警情编号": "JQ" + BOLD + "无时间", "接警时间": None})  # a rejected row
    incidents = pl.DataFrame(rows, strict=False)
    inventory = pl.DataFrame([{
        "站点编号": "YJ9001", "物资名称": IMG, "物资类别": BOLD, "库存数量": 1, "标准配置数": 2, "单位": HTML_A,
        "有效期至": None, "状态": "完好", "盘点日期": (END - dt.timedelta(days=5)).isoformat(),
    }])
    paths = [folder / "站点台账.csv", folder / INCIDENT_FILE, folder / "物资盘点.csv"]
    registry.write_csv(paths[0])
    incidents.write_csv(paths[1], datetime_format="%Y-%m-%d %H:%M:%S")
    inventory.write_csv(paths[2])
    return paths


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory) -> Path:
    from etl.load import ingest

    folder = tmp_path_factory.mktemp("hostile_exports")
    warehouse = tmp_path_factory.mktemp("hostile_warehouse") / "emss.duckdb"
    reports = ingest(_write_exports(folder), warehouse)
    assert all(r.outcome == "loaded" for r in reports), [r.message for r in reports]
    return warehouse


# ---- what the pages hand to the browser -------------------------------------------------

PLAIN_ELEMENTS = {"code", "text", "json", "exception"}  # Streamlit shows these bodies as text
HTML_ELEMENTS = {"html"}  # bodies the browser reads as HTML (checked by assert_html_literal)
# the only tags a printed copy's HTML may hold (dashboard/printing.py): its own, without attributes from the data
PRINT_TAGS = re.compile(r'</?(table|thead|tbody|tr|th|td)>|<table class="emss-print">|<p class="emss-print-note">|</p>')


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _nodes(at: AppTest, kind: str):
    return [n for n in _walk(at._tree) if getattr(n, "type", None) == kind]


def markdown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element, text) for every text Streamlit renders as markdown: the bodies of titles,
    headers, captions, markdown and alerts; metric labels, values and deltas; widget labels,
    help and radio options; expander and tab labels. Options of selectboxes and multiselects,
    tables, and text inputs' values are shown as text by the frontend and are left out."""
    out = []
    for node in _walk(at._tree):
        kind, proto = getattr(node, "type", None), getattr(node, "proto", None)
        if proto is None or kind in PLAIN_ELEMENTS | HTML_ELEMENTS:
            continue
        for field in ("body", "label", "help", "delta"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                out.append((f"{kind}.{field}", value))
        if kind == "radio":
            out += [(f"{kind}.option", o) for o in proto.options]
        for block in ("expandable", "tab", "popover"):
            try:
                if proto.HasField(block):
                    out.append((f"{block}.label", getattr(proto, block).label))
            except ValueError:
                pass
    return out


def plotly_strings(at: AppTest) -> list[str]:
    def strings(x):
        if isinstance(x, str):
            yield x
        elif isinstance(x, dict):
            for v in x.values():
                yield from strings(v)
        elif isinstance(x, list):
            for v in x:
                yield from strings(v)

    return [s for node in _nodes(at, "plotly_chart") for s in strings(json.loads(node.proto.spec))]


def vega_rows(at: AppTest) -> list[dict]:
    """The data rows of every Vega-Lite chart on the page."""
    return [r for node in _nodes(at, "vega_lite_chart") for r in chart_rows(node)]


def assert_vega_plain(at: AppTest) -> None:
    """Vega draws every text as written, so the data goes in as it is; but a payload may sit only in the
    data rows, never in a chart's spec (where a string can be a field path or an expression)."""
    for node in _nodes(at, "vega_lite_chart"):
        assert not has_payload(node.proto.spec), node.proto.spec


def has_payload(text: str) -> bool:
    """Whether `text` holds something of a payload, escaped (backslashes, word joiners) or not."""
    bare = text.replace("\\", "").replace("\u2060", "")
    return any(sign in bare for sign in SIGNS)


def assert_markdown_literal(at: AppTest, extra: tuple[str, ...] = ()) -> list[str]:
    """Every markdown text holding a payload (or one of `extra`) holds it escaped only; returns those texts."""
    held = []
    for where, text in markdown_texts(at):
        if not has_payload(text):
            continue
        held.append(text)
        # no markup left: a link or image, raw HTML, a colour directive, LaTeX, emphasis, an autolink
        assert not re.search(r"(?<!\\)\]\(", text), (where, text)
        assert not re.search(r"(?<!\\)<\s*(a|img)\b", text, re.I), (where, text)
        for raw in (":red[", "$x^2$", "**粗体**", "http://", "http:"):
            assert raw not in text, (where, raw, text)
        # and what is left once the escaped payloads are taken out holds no payload at all
        rest = text
        for payload in sorted(PAYLOADS + extra, key=len, reverse=True):
            rest = rest.replace(plain.md(payload), "")
        assert not has_payload(rest), (where, text)
    return held


def assert_plotly_literal(at: AppTest) -> list[str]:
    """Every Plotly text holding a payload has no tag in it (`<` and `>` come as entities)."""
    held = [s for s in plotly_strings(at) if has_payload(s)]
    for s in held:
        assert "<" not in s and ">" not in s, s
    return held


def html_bodies(at: AppTest) -> list[str]:
    """The bodies of the page's HTML elements that hold a payload (the print stylesheet and script do not)."""
    return [n.proto.body for n in _nodes(at, "html") if has_payload(n.proto.body)]


def assert_html_literal(at: AppTest) -> list[str]:
    """Every HTML body holding a payload holds it escaped only: once the printed copy's own tags are taken
    out, no `<` or `>` is left. Returns those bodies."""
    held = html_bodies(at)
    for body in held:
        rest = PRINT_TAGS.sub("", body)
        assert "<" not in rest and ">" not in rest, body
    return held


def assert_tooltips_are_text(at: AppTest) -> int:
    decks = _nodes(at, "deck_gl_json_chart")
    for node in decks:
        tooltip = json.loads(node.proto.tooltip)
        assert "html" not in tooltip and "{tip_title}" in tooltip["text"], tooltip
    return len(decks)


def check_page(at: AppTest, extra: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """No exception; tooltips as text; payloads escaped in markdown and in Plotly. Returns the
    markdown texts and the Plotly strings that hold a payload."""
    assert not at.exception, [e.value for e in at.exception]
    assert_tooltips_are_text(at)
    assert_html_literal(at)
    assert_vega_plain(at)
    return assert_markdown_literal(at, extra), assert_plotly_literal(at)


def deck_records(at: AppTest) -> list[dict]:
    """The records of every pydeck layer on the page (what the tooltips draw from)."""
    out = []
    for node in _nodes(at, "deck_gl_json_chart"):
        for layer in json.loads(node.proto.json)["layers"]:
            data = layer.get("data")
            out += data if isinstance(data, list) else [f["properties"] for f in (data or {}).get("features", [])]
    return out


@pytest.fixture
def app(hostile_warehouse, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(hostile_warehouse))

    def make(page: str | None = None, **query: str) -> AppTest:
        return open_dashboard(page, timeout=90, check=False, **query)

    return make


# ---- the helpers themselves ---------------------------------------------------------------

def test_md_escapes_every_markdown_construct():
    for payload in PAYLOADS:
        out = plain.md(payload)
        assert out.replace("\\", "").replace("\u2060", "") == payload
        assert not re.search(r"(?<!\\)[\[\]()<>*$:!`_~|#]", out), out
    assert plain.md(None) == ""
    assert plain.md("a\n# b\r\n\t- c") == "a \\# b \\- c"  # no new block from a line break
    assert plain.md("see http://x.org, www.x.org or a@x.org").count("\u2060") == 3  # no autolinks
    assert plain.md(":material/home: :smile:") == "\\:\u2060material\\/home\\: \\:\u2060smile\\:\u2060"
    assert plain.md("罗湖区") == "罗湖区"


def test_the_vega_chart_takes_names_as_data_only():
    """The Overview's build-out chart (Vega-Lite, which draws text as written): a type kept as written
    goes into the data rows unchanged, and nowhere into the spec, where a string could be a field path."""
    vs_target = pl.DataFrame({"year": [2026, 2026], "station_type": [HTML_A, LINK],
                              "opened_this_year": [3, 1], "target_count": [2, None]})
    spec = figures.target_bars_vega(vs_target, "zh")
    rows = spec.pop("data")["values"]
    assert {r["type"] for r in rows} == {HTML_A, LINK}
    assert not has_payload(json.dumps(spec, ensure_ascii=False)), spec
    assert [r["over"] for r in rows if r["type"] == HTML_A and r["over"]] == ["超额完成 +1"]


def test_plotly_text_has_no_tags():
    assert figures.literal(HTML_A) == "&lt;a href=\"http://127.0.0.1:9\"&gt;x&lt;/a&gt;"
    assert figures.literal("a & b\nc") == "a &amp; b c"
    assert figures.literal(None) == ""


# ---- the pages --------------------------------------------------------------------------

def _station(sid: str) -> dict:
    keys = ("station_id", "name", "type", "district", "street", "host_venue", "lon", "lat")
    return dict(zip(keys, next(s for s in STATIONS if s[0] == sid)))


@pytest.mark.parametrize("sid", ["YJ9001", "YJ9004"])
def test_station_page_shows_the_registry_as_text(app, sid):
    s = _station(sid)
    at = app("station", station=sid)
    held, _ = check_page(at)
    # the title and the line under it: name, type and district kept as written, street, host venue
    assert [h.value for h in at.subheader if h.value.startswith(plain.md(s["name"]) + "（")], held
    caption = next(c.value for c in at.caption if plain.md(s["street"]) in c.value)
    for part in (s["district"], s["host_venue"]) + ((s["type"],) if sid == "YJ9001" else ()):
        assert plain.md(part) in caption, (part, caption)
    # where text is text already, the name is as written: the station picker and the map's data
    assert f"{sid} {s['name']}" in at.selectbox(key="station_pick").options
    assert s["name"] in [r.get("tip_title") for r in deck_records(at)]


def test_printed_tables_show_the_registry_as_text(app):
    """The static copy a table prints (dashboard/printing.py: one HTML element per table) holds every value
    escaped, and read back, each cell is the value as written."""
    s = _station("YJ9001")
    at = app("station", station="YJ9001")
    bodies = assert_html_literal(at)
    assert bodies, "the station's tables have printed copies"
    cells = {html.unescape(c) for body in bodies for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", body)}
    for part in ("name", "type", "district", "street", "host_venue"):
        assert s[part] in cells, (part, s[part])


@pytest.mark.parametrize("asked", [LINK, IMG, HTML_IMG, f"[请重新登录](http://{TRAP}/login)"])
def test_an_unknown_station_in_the_url_is_said_as_text(app, asked):
    at = app("station", station=asked)
    check_page(at, extra=(asked,))
    assert i18n.text("station_unknown", "zh", station=plain.md(asked)) in [w.value for w in at.warning]


@pytest.mark.parametrize("number", ["JQ" + IMG, "JQ" + HTML_A, "JQ" + RED])
def test_an_incident_timeline_shows_its_number_and_address_as_text(app, number):
    station, address = HOSTILE_INCIDENTS[number]
    at = app("incidents", incident=number)
    check_page(at)
    assert i18n.text("section_timeline", "zh", incident=plain.md(number)) in [h.value for h in at.subheader]
    caption = next(c.value for c in at.caption if plain.md(address) in c.value)
    assert plain.md(LINK) in caption and plain.md(RED) in caption  # district and type kept as written
    # the timeline chart (Vega-Lite, which draws text as written): the station's name as data only
    # (check_page: never in a spec), and the incident's number nowhere in it (its heading names it)
    names = {r["station"] for r in vega_rows(at) if r.get("layer") == "phase"}
    assert any(n.endswith(". " + _station(station)["name"]) for n in names), names
    assert not any(number in json.dumps(r, ensure_ascii=False) for r in vega_rows(at))
    # the map: the incident number and address as written, drawn by a text tooltip
    tips = deck_records(at)
    assert {"tip_title": number, "tip_line2": address} in [{k: r.get(k) for k in ("tip_title", "tip_line2")} for r in tips]


@pytest.mark.parametrize("asked", [LINK, HTML_A, f"[请重新登录](http://{TRAP}/login)"])
def test_an_unknown_incident_in_the_url_is_said_as_text(app, asked):
    at = app("incidents", incident=asked, station=HTML_IMG)  # a station filter that matches nothing, too
    held, _ = check_page(at, extra=(asked,))
    assert i18n.text("section_timeline", "zh", incident=plain.md(asked)) in [h.value for h in at.subheader]
    assert i18n.text("timeline_not_found", "zh", incident=plain.md(asked)) in [w.value for w in at.warning]


def test_response_page_names_the_worst_groups_as_text(app):
    at = app("response_times")
    held, _ = check_page(at)
    # the worst district and incident type are the hostile ones, named in the findings
    assert any(plain.md(LINK) in t for t in held) and any(plain.md(RED) in t for t in held), held
    groups = {r["group"].removesuffix(" *") for r in vega_rows(at) if r.get("group")}
    assert LINK in groups, groups  # a phase bar's label, drawn by Vega-Lite as written


@pytest.mark.parametrize("page", [None, "stations", "map", "inventory", "prevention", "quality", "coverage"])
def test_other_pages_show_the_data_as_text(app, page):
    at = app(page)
    _, figures = check_page(at)
    if page == "stations":  # build-out by type, stations by district, readiness by district and type (Vega-Lite)
        names = {r.get(k) for r in vega_rows(at) for k in ("type", "district", "name")}
        assert HTML_A in names and LINK in names, names
    if page == "inventory":  # an item category kept as written, drawn by Vega-Lite as written
        assert BOLD in {r["category"] for r in vega_rows(at)}
    if page == "map":
        assert {s[1] for s in STATIONS} <= {r.get("tip_title") for r in deck_records(at)}
    if page == "quality":  # the export's file name, offered as written (a selectbox shows text)
        assert INCIDENT_FILE in at.selectbox(key="quality_file").options


# ---- in a real browser -----------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FIND_TRAPS = """() => {
  const found = [];
  for (const a of document.querySelectorAll('a')) {
    const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';  // plotly's links are SVG
    if (href.includes('127.0.0.1:9')) found.push('link ' + href);
  }
  for (const i of document.querySelectorAll('img, image')) {
    const src = i.getAttribute('src') || i.getAttribute('href') || i.getAttribute('xlink:href') || '';
    if (src.includes('127.0.0.1:9')) found.push('image ' + src);
  }
  for (const e of document.querySelectorAll('.katex, .stMarkdownColoredText, .stMarkdownColoredBackground'))
    found.push('markup ' + e.textContent);
  return found;
}"""


@pytest.fixture(scope="module")
def hostile_server(hostile_warehouse):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed (apt-get install chromium); .ci/run installs it")
    with running_dashboard(hostile_warehouse) as base:
        yield base


def test_no_payload_reaches_the_browser(hostile_server):
    """The station page of a hostile station (and its map tooltip), crafted `?station=` and `?incident=`
    links, a hostile incident's timeline and the Response page: no request ever goes to the payloads'
    address, and no link, image or markup pointing there is in the page."""
    from playwright.sync_api import sync_playwright

    deck, alert = '[data-testid="stDeckGlJsonChart"] canvas', '[data-testid="stAlert"]'
    vega = '[data-testid="stVegaLiteChart"] .mark-rect'
    timeline = '[data-testid="stVegaLiteChart"] .mark-rule'  # the call's line, on every timeline
    visits = [  # path, what shows the page is drawn, what it must say as written
        ("station?station=YJ9001", deck, "站" + IMG + "（YJ9001）"),
        ("station?station=" + quote(f"[请重新登录](http://{TRAP}/login)"), alert, f"找不到站点 [请重新登录](http://{TRAP}/login)。"),
        ("incidents?incident=" + quote("JQ" + IMG), timeline, f"警情 JQ{IMG} 的时间线"),
        ("incidents?incident=" + quote(HTML_IMG), alert, f"警情 {HTML_IMG} 的时间线"),
        ("response", vega, LINK),
    ]
    trapped: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ])
        context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="zh-CN")
        page = context.new_page()
        page.on("request", lambda req: urlparse(req.url).netloc == TRAP and trapped.append(req.url))
        for path, ready, shown in visits:
            page.goto(f"{hostile_server}/{path}")
            page.wait_for_selector(ready, timeout=60_000)
            page.wait_for_timeout(1500)  # let the other elements settle
            assert page.locator('[data-testid="stException"]').count() == 0, path
            assert page.evaluate(FIND_TRAPS) == [], path
            assert not trapped, (path, trapped)
            text = page.locator("body").inner_text().replace("\u2060", "")
            assert shown in text, (path, shown)  # as written, with nothing of it taken as markup
            if path.startswith("station?station=YJ9001"):
                # the tables' printed copies (hidden on screen) hold the name as written, too
                printed = page.locator("table.emss-print").all_text_contents()
                assert any("站" + IMG in t for t in printed), printed
                # the station's own dot sits in the map's middle
                canvas = page.locator(deck).first
                canvas.scroll_into_view_if_needed()
                box = canvas.bounding_box()
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_selector(".deck-tooltip", state="visible", timeout=10_000)
                tip = page.locator(".deck-tooltip").first
                assert "站" + IMG in tip.inner_text(), tip.inner_text()
                assert tip.locator("*").count() <= tip.locator("br").count()  # text and line breaks only
                assert not trapped, trapped
        context.close()
        browser.close()
    assert not trapped, trapped
