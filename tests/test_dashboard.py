"""Smoke tests of the dashboard's pages on a small demo warehouse, checked against plain-Python figures.

The warehouse is built the real way (demo exports -> etl ingest, see conftest). The expected
figures come from plain duckdb reads of the views' raw columns and are computed
here in Python, not through the named queries, so a wrong query shows up as a
mismatch with the page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from conftest import chart_rows, open_dashboard
from streamlit.testing.v1 import AppTest

from dashboard import filters, i18n
from emss import categories, profiles
from warehouse import partitions
from warehouse.connection import copy_warehouse

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
# the rules as the file says them (the fixture warehouse is built from this file)
RULES = tomllib.loads((ROOT / "emss" / "response_rules.toml").read_text(encoding="utf-8"))
PAGES = {
    "overview": "app_pages/overview.py",
    "response": "app_pages/response_times.py",
    "stations": "app_pages/stations.py",
    "map": "app_pages/map.py",
}


# ---- the warehouse and what it holds, read without the named queries --------------

@dataclass
class Facts:
    as_of: dt.date
    incidents: list[dict]   # call_at, first_arrive_at, district, first_station_type, h3_r8
    stations: list[dict]    # station_id, station_type, district, opened_on, closed_on, lat, lon
    targets: list[dict]     # year, station_type, district, target_count


@pytest.fixture(scope="session")
def warehouse(demo_warehouse) -> Path:
    """The shared fixture warehouse (tests/conftest.py: demo exports, seed 7, 60 stations,
    3,000 incidents, loaded by etl.load.ingest). Read-only: copy it to change it."""
    return demo_warehouse


@pytest.fixture(scope="session")
def facts(warehouse) -> Facts:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        def rows(sql):
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

        as_of = rows("select as_of_date from data_as_of")[0]["as_of_date"]
        incidents = rows("select call_at, first_arrive_at, district, first_station_type, h3_r8 from incidents")
        stations = rows("select station_id, station_type, district, opened_on, closed_on, lat, lon from stations")
        targets = rows("select year, station_type, district, target_count from station_targets")
    finally:
        con.close()
    return Facts(as_of, incidents, stations, targets)


@pytest.fixture
def app(warehouse, monkeypatch):
    """A fresh AppTest of the entry script on the test warehouse; pass URL parameters to start from a link."""
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))

    def make(page: str = "overview", **query: str) -> AppTest:
        return open_dashboard(None if page == "overview" else Path(PAGES[page]).stem, **query)

    return make


# ---- plain-Python expectations -----------------------------------------------------

def default_period(facts: Facts) -> tuple[dt.date, dt.date]:
    return facts.as_of - dt.timedelta(days=27), facts.as_of


def picked(facts, start, end, districts=(), types=()):
    return [r for r in facts.incidents
            if start <= r["call_at"].date() <= end
            and (not districts or r["district"] in districts)
            and (not types or r["first_station_type"] in types)]


def quantile(values, q):
    """Linear interpolation between order statistics, as DuckDB's quantile_cont."""
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def response_figures(rows):
    seconds = [round((r["first_arrive_at"] - r["call_at"]).total_seconds())
               for r in rows if r["first_arrive_at"] is not None]
    within = sum(s <= 300 for s in seconds)
    return {
        "incidents": len(rows),
        "arrived": len(seconds),
        "within": within,
        "rate": f"{within / len(seconds) * 100:.1f}%",
        "p50": quantile(seconds, 0.5),
        "p90": quantile(seconds, 0.9),
        "seconds": seconds,
    }


def in_service(facts, on, districts=(), types=()):
    return [s for s in facts.stations
            if s["opened_on"] <= on and (s["closed_on"] is None or s["closed_on"] > on)
            and (not districts or s["district"] in districts)
            and (not types or s["station_type"] in types)]


def metric(at: AppTest, key: str, lang: str = "zh", **fmt) -> str:
    label = i18n.text(key, lang, **fmt)
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def plain(value: str) -> str:
    """A metric value without its status colour (`:red[80.0%]` -> `80.0%`)."""
    m = re.fullmatch(r":(\w+)\[(.*)\]", value)
    return m.group(2) if m else value


def plotly_specs(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def vega_rows(at: AppTest) -> list[list[dict]]:
    """Each Vega-Lite chart's data rows."""
    return [chart_rows(el) for el in at.get("vega_lite_chart")]


# ---- i18n and filters as plain modules --------------------------------------------

def test_every_key_the_dashboard_uses_is_defined():
    used = set()
    for path in (ROOT / "dashboard").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\b(?:t|text|header)\(\s*[\"'](\w+)[\"']", source))
        used |= set(re.findall(r"\(\s*(?:True|False),\s*\"(\w+)\"", source))  # histogram series names
    assert used, "found no i18n keys: has the call style changed?"
    missing = sorted(used - set(i18n.STRINGS))
    assert not missing, f"keys used but not defined in i18n.STRINGS: {missing}"


def test_number_formats():
    assert i18n.fmt_pct(0.8734) == "87.3%"
    assert i18n.fmt_pct(None) == i18n.DASH
    assert i18n.fmt_duration(252, "zh") == "4分12秒"
    assert i18n.fmt_duration(252, "en") == "4 min 12 s"
    assert i18n.fmt_duration(45.4, "zh") == "45秒"
    assert i18n.fmt_duration(3720, "en") == "1 h 2 min"
    assert i18n.fmt_duration(None, "en") == i18n.DASH
    kit = {"check": "mandatory_kit", "item": "灭火装置", "item_en": "fire extinguishers", "actual": 8.0, "required": "10"}
    assert i18n.shortfall(kit, "en") == "mandatory kit short: fire extinguishers (8 usable of 10)"
    assert i18n.shortfall(kit, "zh") == "必配装备不足：灭火装置（可用8，应配10）"
    role = {"check": "role", "item": "副队长", "item_en": "vice-captain", "actual": None, "required": None}
    assert i18n.shortfall(role, "en") == "missing role: vice-captain"


def test_filters_round_trip_through_the_url():
    rng = filters.DataRange(first_call_date=dt.date(2024, 1, 1), as_of=dt.date(2026, 11, 22),
                            default_start=dt.date(2026, 10, 26), districts=("baoan", "futian", "BRONX"))
    f = filters.Filters(dt.date(2026, 3, 1), dt.date(2026, 3, 31), ("baoan", "futian"), ("mall",), "en")
    q = filters.to_query(f)
    assert q == {"start": "2026-03-01", "end": "2026-03-31", "district": "baoan,futian", "type": "mall", "lang": "en"}
    assert filters.from_query(q, rng) == f
    # missing or wrong values fall back to the defaults; unknown codes are dropped, and kept to be said
    g = filters.from_query({"start": "yesterday", "district": "baoan,atlantis", "type": "tank", "lang": "fr"}, rng)
    assert g == filters.Filters(dt.date(2026, 10, 26), dt.date(2026, 11, 22), ("baoan",), (), "zh",
                                ignored=(("district", "atlantis"), ("type", "tank")))
    # a value the data holds but the profile does not list is a choice like any other
    assert filters.from_query({"district": "BRONX"}, rng).districts == ("BRONX",)


def test_period_notice_only_when_the_default_period_is_a_thin_tail():
    weekly = filters.DataRange(first_call_date=dt.date(2024, 11, 25), as_of=dt.date(2026, 11, 22),
                               default_start=dt.date(2026, 10, 26), incidents=73_000, incidents_in_default_period=2_800,
                               last_call_date=dt.date(2026, 11, 22))
    assert filters.period_notice(filters.default(weekly), weekly) is None  # 28 days of 728 hold 3.8 %: as expected
    # a year-long historical export whose last 28 days hold 20 of 10,000 incidents (0.2 %, against 7.7 % expected)
    history = filters.DataRange(first_call_date=dt.date(2011, 1, 1), as_of=dt.date(2011, 12, 31),
                                default_start=dt.date(2011, 12, 4), incidents=10_000, incidents_in_default_period=20,
                                last_call_date=dt.date(2011, 12, 31))
    said = filters.period_notice(filters.default(history), history)
    assert said and "0.2%" in said and "2011-01-01" in said and "2011-12-31" in said and "10,000" in said
    # once the user chose a period, nothing is said
    chosen = filters.Filters(dt.date(2011, 1, 1), dt.date(2011, 12, 31))
    assert filters.period_notice(chosen, history) is None


# ---- the pages ---------------------------------------------------------------

def test_overview_shows_the_warehouse_figures(app, facts):
    at = app("overview")
    start, end = default_period(facts)
    expected = response_figures(picked(facts, start, end))

    assert metric(at, "kpi_in_service") == f"{len(in_service(facts, end)):,}"
    assert metric(at, "kpi_rate") == expected["rate"]
    assert metric(at, "kpi_within_count") == f"{expected['within']:,} / {expected['arrived']:,}"
    assert metric(at, "kpi_p50") == i18n.fmt_duration(expected["p50"], "zh")
    assert metric(at, "kpi_p90") == i18n.fmt_duration(expected["p90"], "zh")

    opened = sum(1 for s in facts.stations if s["opened_on"].year == end.year and s["opened_on"] <= end)
    table = at.dataframe[0].value
    total = table[table[i18n.text("col_station_type", "zh")] == i18n.text("total", "zh")].iloc[0]
    assert total[i18n.text("col_in_service", "zh")] == len(in_service(facts, end))
    assert total[i18n.text("col_opened_this_year", "zh")] == opened
    assert plain(metric(at, "board_build", year=end.year)).startswith(f"{opened:,} / ")
    assert any(i18n.text("as_of", "zh", date=i18n.fmt_date(facts.as_of, "zh")) in c.value for c in at.caption)


def test_over_achievement_is_said_in_words(app, facts):
    end = dt.date(facts.as_of.year - 1, 12, 31)  # a finished year
    opened = Counter(s["station_type"] for s in facts.stations if s["opened_on"].year == end.year)
    assert all(t["district"] is None for t in facts.targets if t["year"] == end.year), "city-wide targets expected"
    target = {t["station_type"]: t["target_count"] for t in facts.targets if t["year"] == end.year}
    over = {k for k in target if opened[k] > target[k]}  # a target of 0 with one opened is exceeded too
    assert over, "the fixture has no over-achieved station type in that year"

    at = app("overview", start=(end - dt.timedelta(days=27)).isoformat(), end=end.isoformat())
    table = at.dataframe[0].value
    status = dict(zip(table[i18n.text("col_station_type", "zh")], table[i18n.text("col_status", "zh")]))
    for kind in target:
        if kind in over:
            assert status[categories.STATION_TYPES[kind].zh] == "超额完成"
        elif target[kind] and opened[kind] < target[kind]:
            assert status[categories.STATION_TYPES[kind].zh] == "未完成"
    total_opened, total_target = sum(opened.values()), sum(target.values())
    assert plain(metric(at, "board_build", year=end.year)) == f"{total_opened:,} / {total_target:,}"
    # the chart (Vega-Lite on the Overview) draws each type's pair of bars and says which were exceeded
    assert not at.get("plotly_chart"), "the Overview loads no Plotly chart"
    rows = vega_rows(at)[0]
    bars = {(r["type"], r["series"]): r["n"] for r in rows}
    for kind in target:
        name = categories.STATION_TYPES[kind].zh
        assert bars[(name, "本年新建")] == opened[kind] and bars[(name, "年度目标")] == target[kind]
    said = {r["type"] for r in rows if r["over"]}
    assert said == {categories.STATION_TYPES[k].zh for k in over}
    assert all(r["over"] == f"超额完成 +{opened[k] - target[k]}" for k in over for r in rows
               if r["type"] == categories.STATION_TYPES[k].zh and r["over"])


# ---- the Overview's Monday board ------------------------------------------------

def week_rate(facts, start, end, districts=()):
    """(within, timed, rate rounded as the queries round it) for incidents called from start to end."""
    fig = response_figures(picked(facts, start, end, districts))
    return fig["within"], fig["arrived"], round(fig["within"] / fig["arrived"], 4) if fig["arrived"] else None


def colour_of(rate, target, near=0.05):
    """The board's status colour of a rate against its target: green met, orange within 5 points, red below."""
    gap = round(target - rate, 6)
    return "green" if gap <= 0 else "orange" if gap <= near else "red"


def day(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def board_markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_overview_board_tiles_answer_this_week(app, facts):
    """The first tiles: this week's 5-minute rate against the target rate with its status colour, the
    change against last week and a 12-week line; the 90th percentile against the arrival target; the
    week's dates said. Every figure from plain Python over the incidents view and the rules file."""
    at = app("overview")
    end = facts.as_of
    monday = end - dt.timedelta(days=end.weekday())
    last_monday = monday - dt.timedelta(days=7)
    target_rate, min_sample = RULES["target_rate"]["within_target"], RULES["sample"]["min_incidents"]
    within, timed, rate = week_rate(facts, monday, end)
    _, _, last_rate = week_rate(facts, last_monday, monday - dt.timedelta(days=1))
    assert timed >= min_sample, "the fixture's last week should hold enough arrivals to be judged"

    label = i18n.text("board_rate", "zh", target=f"{target_rate * 100:.0f}%")
    tile = next(m for m in at.metric if m.label == label)
    assert tile.value == f":{colour_of(rate, target_rate)}[{rate * 100:.1f}%]"
    assert tile.proto.delta == i18n.text("delta_pp", "zh", d=f"{round((rate - last_rate) * 100, 1):+.1f}")
    assert tile.proto.delta_description == i18n.text("board_vs_last_week", "zh")
    # the line: the last 12 weeks' rates (weeks with an arrival), this one last
    weeks = [monday - dt.timedelta(weeks=k) for k in range(11, -1, -1)]
    rates = [week_rate(facts, w, min(w + dt.timedelta(days=6), end))[2] for w in weeks]
    assert list(tile.proto.chart_data) == pytest.approx([round(r * 100, 1) for r in rates if r is not None])

    seconds = response_figures(picked(facts, monday, end))["seconds"]
    p90 = quantile(seconds, 0.9)
    target_s = RULES["target_s"]["default"]
    p90_colour = "green" if p90 <= target_s else "orange" if p90 <= target_s * 1.1 else "red"
    p90_tile = next(m for m in at.metric if m.label == i18n.text("board_p90", "zh", target=f"{target_s // 60}分钟"))
    assert p90_tile.value == f":{p90_colour}[{i18n.fmt_duration(p90, 'zh')}]"

    text = board_markdown(at)
    assert i18n.text("board_week", "zh", start=day(monday), end=day(end), last_start=day(last_monday),
                     last_end=day(monday - dt.timedelta(days=1))) in text
    status = {"green": "达标", "orange": "未达标（差距在5个百分点内）", "red": "未达标"}[colour_of(rate, target_rate)]
    assert f"本周5分钟到场率 {rate * 100:.1f}%（{within:,} / {timed:,} 起），:{colour_of(rate, target_rate)}[{status}]" \
        f"（目标 {target_rate * 100:.0f}%）" in text


def test_overview_board_says_the_build_pace(app, facts):
    """Build-out against the year's target with the pace in words: due by now (the target's straight
    line through the year), opened, behind or ahead, and the year end at the pace so far."""
    at = app("overview")
    end = facts.as_of
    jan1 = dt.date(end.year, 1, 1)
    elapsed, days = (end - jan1).days + 1, (dt.date(end.year, 12, 31) - jan1).days + 1
    targets = {t["station_type"]: t["target_count"] for t in facts.targets if t["year"] == end.year and t["district"] is None}
    assert targets, "the fixture should hold this year's city-wide targets"
    opened = Counter(s["station_type"] for s in facts.stations if s["opened_on"].year == end.year and s["opened_on"] <= end)
    # per type, rounded to a tenth as stations/vs_target rounds, then summed over the types as the Stations page sums
    due = round(sum(round(t * elapsed / days, 1) for t in targets.values()))
    projected = round(sum(round(opened[c] * days / elapsed, 1) for c in categories.STATION_TYPES))
    total_opened, target = sum(opened.values()), sum(targets.values())

    assert plain(metric(at, "board_build", year=end.year)) == f"{total_opened:,} / {target:,}"
    tile = next(m for m in at.metric if m.label == i18n.text("board_build", "zh", year=end.year))
    behind = due - total_opened
    words = (f"落后{behind}座" if behind > 0 else f"超前{-behind}座" if behind < 0 else "按进度")
    assert tile.proto.delta == (f"超额完成 +{total_opened - target}" if total_opened > target else words)
    assert tile.proto.delta_description == f"应建{due}座"
    text = board_markdown(at)
    assert f"{end.year}年至今应建 {due} 座，已建 {total_opened} 座，" in text
    assert words in text
    assert f"预计年底建成 {projected} 座" in text
    gap = projected - target
    assert (f"差{-gap}座" if gap < 0 else f"超出{gap}座" if gap > 0 else "恰好完成") in text
    # the Stations page says the same, in the same whole stations
    stations = app("stations")
    assert plain(metric(stations, "kpi_expected_to_date")) == f"{due:,}"
    assert plain(metric(stations, "kpi_projected")) == f"{projected:,}"


def test_overview_board_lists_what_is_getting_worse(app, facts):
    """Under 变差最多, the district whose rate fell most between the previous period and this one
    (both with at least the rules' smallest sample) comes first, with its counts."""
    at = app("overview")
    start, end = default_period(facts)
    before_end = start - dt.timedelta(days=1)
    before_start = before_end - dt.timedelta(days=27)
    min_sample = RULES["sample"]["min_incidents"]
    falls = []
    for district in {r["district"] for r in facts.incidents}:
        w0, n0, r0 = week_rate(facts, before_start, before_end, (district,))
        w1, n1, r1 = week_rate(facts, start, end, (district,))
        if n0 >= min_sample and n1 >= min_sample and w1 / n1 < w0 / n0:
            falls.append((w1 / n1 - w0 / n0, district, n0, n1))
    assert falls, "the fixture should hold a district whose rate fell"
    change, district, n0, n1 = min(falls)
    column = next(m.value for m in at.markdown if m.value.startswith(f"**{i18n.text('worse_dim_district', 'zh')}**"))
    first = column.split("  \n")[1]
    assert first.startswith(i18n.label("district", district, "zh") + "：")
    assert f"{change * 100:+.1f}个百分点" in first and f"{n0:,} → {n1:,} 起" in first


def test_overview_with_a_district_says_the_target_is_city_wide(app, facts):
    """Targets are city-wide only in the fixture: with a district chosen the board says so (in English
    here), instead of claiming that no targets are loaded."""
    end = facts.as_of
    assert all(t["district"] is None for t in facts.targets if t["year"] == end.year), "city-wide targets expected"
    city = sum(t["target_count"] for t in facts.targets if t["year"] == end.year)
    district = Counter(s["district"] for s in in_service(facts, end)).most_common(1)[0][0]
    at = app("overview", district=district, lang="en")
    assert [i.value for i in at.info] == [i18n.text("targets_city_only", "en", year=end.year, target=city)]
    tile = next(m for m in at.metric if m.label == i18n.text("board_build", "en", year=end.year))
    assert tile.proto.delta == i18n.text("target_no_district", "en")
    assert i18n.text("no_targets", "en", year=end.year) not in board_markdown(at)
    opened = sum(1 for s in facts.stations if s["district"] == district and s["opened_on"].year == end.year
                 and s["opened_on"] <= end)
    assert i18n.text("verdict_build_city_only", "en", year=end.year, opened=opened, target=city) in board_markdown(at)


def test_overview_worsening_shows_station_names_as_text(warehouse, tmp_path, monkeypatch):
    """A station's name under 变差最多 comes from the exports: it is shown as written, never as markup.
    (On a copy whose smallest sample is one incident, so that single stations are listed.)"""
    from dashboard import plain
    from warehouse.connection import open_writer

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    payload = "站[点我](http://127.0.0.1:9/)**粗体**"
    with open_writer(copy) as con:
        con.execute("update meta.response_rules set value = '1' where rule = 'sample' and key = 'min_incidents'")
        con.execute("update core.stations set station_name = ? || station_id", [payload])  # the registry's names
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    column = next(m.value for m in at.markdown if m.value.startswith(f"**{i18n.text('worse_dim_station', 'zh')}**"))
    items = column.split("  \n")[1:]
    assert items and all(item.startswith(plain.md(payload)) for item in items), items
    assert "](" not in column.replace("\\]\\(", "") and "**粗体**" not in column


def test_response_page_histogram_has_the_target_line_and_every_arrival(app, facts):
    at = app("response")
    start, end = default_period(facts)
    expected = response_figures(picked(facts, start, end))
    assert metric(at, "kpi_rate") == expected["rate"]
    assert metric(at, "kpi_without_arrival") == f"{expected['incidents'] - expected['arrived']:,}"

    charts = at.get("vega_lite_chart")
    hist, weekly = (json.loads(charts[i].proto.spec) for i in (0, 2))
    bars = chart_rows(charts[0])
    assert sum(r["n"] for r in bars) == expected["arrived"]
    rules = [layer["encoding"] for layer in hist["layer"] if layer["mark"]["type"] == "rule"]
    assert [r["x"]["datum"] for r in rules] == [300], "no vertical line at 300 s"
    # the bins hold what plain Python counts in each 30-second bin (a bar drawn from 1 s into its bin)
    counts = Counter(min(s // 30 * 30, 1200) for s in expected["seconds"])
    assert {r["from"] - 1: r["n"] for r in bars} == dict(counts)

    # the 90th percentile trend (in minutes) carries the 5-minute target as a horizontal line
    assert [layer["encoding"]["y"]["datum"] for layer in weekly["layer"] if layer["mark"]["type"] == "rule"] == [5]

    table = at.dataframe[0].value
    per_district = Counter(r["district"] for r in picked(facts, start, end))
    shown = dict(zip(table[i18n.text("col_district", "zh")], table[i18n.text("col_incidents", "zh")]))
    assert shown == {i18n.label("district", d, "zh"): n for d, n in per_district.items()}


def test_stations_page_counts_the_register(app, facts):
    at = app("stations")
    end = facts.as_of
    expected = in_service(facts, end)
    register = at.dataframe[-1].value  # only stations in service by default
    assert len(register) == len(expected)
    assert set(register[i18n.text("col_station_id", "zh")]) == {s["station_id"] for s in expected}
    by_district = next(df.value for df in at.dataframe if i18n.text("total", "zh") in df.value.columns)
    assert by_district[i18n.text("total", "zh")].sum() == len(expected)
    labels = set(register[i18n.text("col_station_type", "zh")])
    assert labels <= {c.zh for c in categories.STATION_TYPES.values()}
    assert len(vega_rows(at)) == 6 and all(vega_rows(at)), "its six charts, each with data"


def test_map_has_four_offline_layers(app, facts):
    at = app("map")
    start, end = default_period(facts)
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    spec = json.loads(decks[0].proto.json)
    # sent compact: no indent, Chinese as itself rather than \u escapes (half the bytes per rerun)
    assert "\n" not in decks[0].proto.json and "\\u" not in decks[0].proto.json and "类型：" in decks[0].proto.json
    # no basemap: no provider, and no style other than pydeck's placeholder (which Streamlit drops)
    assert spec.get("mapProvider") is None
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    layers = {layer["@@type"]: layer for layer in spec["layers"]}
    assert [layer["@@type"] for layer in spec["layers"]] == ["GeoJsonLayer", "H3HexagonLayer", "ScatterplotLayer",
                                                             "TextLayer"]
    # the district names on top, in Chinese, every character in the font atlas; the wheel scrolls the page
    names = layers["TextLayer"]
    assert sorted(n["name"] for n in names["data"]) == sorted(
        f["properties"]["name_zh"] for f in layers["GeoJsonLayer"]["data"]["features"])
    assert set("".join(n["name"] for n in names["data"])) <= set(names["characterSet"])
    assert not names["fontFamily"].startswith("@@=")
    assert [v["controller"]["scrollZoom"] for v in spec["views"]] == [False]

    stations = layers["ScatterplotLayer"]["data"]
    expected = [s for s in in_service(facts, end) if s["lat"] is not None and s["lon"] is not None]
    assert len(stations) == len(expected)
    assert all(isinstance(s["lon"], float) and isinstance(s["lat"], float) for s in stations)
    assert all(s["tip_line1"].startswith("类型：") for s in stations)  # Chinese tooltips by default

    hexes = layers["H3HexagonLayer"]["data"]
    assert sum(h["incidents"] for h in hexes) == sum(1 for r in picked(facts, start, end) if r["h3_r8"])
    assert layers["H3HexagonLayer"]["getHexagon"] == "@@=h3_r8"
    assert len(layers["GeoJsonLayer"]["data"]["features"]) == 10
    legend = " ".join(m.value for m in at.markdown)
    assert "社区服务站" in legend


def test_switching_to_english(app, facts):
    at = app("response")
    at.radio(key=i18n.LANG_KEY).set_value("en").run()
    assert not at.exception
    assert at.query_params.get("lang") in ("en", ["en"])
    start, end = default_period(facts)
    assert metric(at, "kpi_rate", "en") == response_figures(picked(facts, start, end))["rate"]
    assert metric(at, "kpi_p90", "en").endswith(" s") or " min" in metric(at, "kpi_p90", "en")
    table = at.dataframe[0].value
    districts = set(table[i18n.text("col_district", "en")])
    assert districts and districts <= {d.name_en for d in profiles.current().districts.values()}
    hist = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert hist["layer"][0]["encoding"]["x"]["title"] == i18n.text("axis_response", "en")
    # the choice holds on the next page
    at.switch_page(PAGES["overview"]).run()
    assert metric(at, "kpi_in_service", "en")


def test_a_link_with_filters_changes_the_figures(app, facts):
    start, end = dt.date(2026, 8, 1), facts.as_of
    city = response_figures(picked(facts, start, end))
    by_district = {d: response_figures(picked(facts, start, end, (d,)))
                   for d in {r["district"] for r in picked(facts, start, end)}}
    district = max(by_district, key=lambda d: (by_district[d]["rate"] != city["rate"], by_district[d]["arrived"]))
    expected = by_district[district]
    assert expected["rate"] != city["rate"]

    at = app("overview", start=start.isoformat(), end=end.isoformat(), district=district, lang="en")
    assert metric(at, "kpi_rate", "en") == expected["rate"]
    assert metric(at, "kpi_within_count", "en") == f"{expected['within']:,} / {expected['arrived']:,}"
    assert metric(at, "kpi_in_service", "en") == f"{len(in_service(facts, end, (district,))):,}"
    assert at.sidebar.multiselect[0].value == [district]
    assert at.query_params.get("district") in (district, [district])

    # a station-type filter narrows incidents by their first station's type
    kind = Counter(r["first_station_type"] for r in picked(facts, start, end)).most_common(1)[0][0]
    at = app("response", start=start.isoformat(), end=end.isoformat(), type=kind)
    assert metric(at, "kpi_rate") == response_figures(picked(facts, start, end, types=(kind,)))["rate"]


def test_an_empty_selection_says_why(app, facts):
    start, end = default_period(facts)
    busy = {(r["district"], r["first_station_type"]) for r in picked(facts, start, end)}
    empty = [(d, t) for d in profiles.current().districts for t in categories.STATION_TYPES if (d, t) not in busy]
    assert empty, "every district has every station type's incidents: pick another empty case"
    district, kind = empty[0]
    at = app("response", district=district, type=kind)
    assert not at.get("vega_lite_chart")
    assert [i.value for i in at.info] == [i18n.text("no_incidents", "zh", start=start.isoformat(), end=end.isoformat())]


def test_a_replaced_warehouse_is_read_again(warehouse, tmp_path, monkeypatch):
    """A load replaces the file; the next query must see the new data, not the cached one."""
    from dashboard import data
    from warehouse.connection import open_writer

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    everything = {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2100, 1, 1), "row_limit": 1}
    before = data.one("meta/data_range")["incidents"], data.one("incidents/list", **everything)["matched"]
    with open_writer(copy) as con:  # the way a load writes: a copy, swapped in
        # the incidents' files (a new list of files) and their daily counts (a table in the file)
        partitions.rewrite(con, "marts.incidents", "select * from marts.incidents where district is distinct from 'baoan'")
        con.execute("delete from marts.incident_daily where district = 'baoan'")
    after = data.one("meta/data_range")["incidents"], data.one("incidents/list", **everything)["matched"]
    assert 0 < after[0] < before[0] and after[0] == after[1] and before[0] == before[1]


def test_a_query_asked_in_other_words_runs_once(warehouse, facts, tmp_path, monkeypatch):
    """No station type and an empty list of them ask the same (every type), as do a date and its ISO
    text, or two lists picked in another order: one run, one result. Another list is another query."""
    import queries
    from dashboard import data

    copy = tmp_path / "w.duckdb"  # a warehouse no other test has read: nothing cached for it
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    ran = []
    real = queries.run
    # (the dashboard also reads the data's dates, to see when a load lands)
    monkeypatch.setattr(queries, "run", lambda con, name, *rest: (name == "coverage/stations" and ran.append(name))
                        or real(con, name, *rest))
    start, end = dt.date(2000, 1, 1), dt.date(2100, 1, 1)
    every = data.run("coverage/stations", start_date=start, end_date=end)
    same = [data.run("coverage/stations", start_date=start, end_date=end, station_types=[]),
            data.run("coverage/stations", start_date=start.isoformat(), end_date=end, station_types=())]
    assert ran == ["coverage/stations"] and all(frame.equals(every) for frame in same)
    two = data.run("coverage/stations", start_date=start, end_date=end, station_types=["community", "street"])
    again = data.run("coverage/stations", start_date=start, end_date=end, station_types=["street", "community"])
    assert ran == ["coverage/stations"] * 2 and again.equals(two)
    expected = sorted(s["station_id"] for s in facts.stations
                      if s["station_type"] in ("community", "street") and s["lat"] is not None and s["lon"] is not None)
    assert 0 < len(expected) < every.height and two["station_id"].to_list() == expected


def test_everyone_city_wide_shares_one_result_and_a_district_gets_its_own(warehouse, tmp_path, monkeypatch):
    """The leader, an analyst and the administrator see the same rows: one run serves them all; a
    district's person gets a run of their own, with their district's rows only."""
    import streamlit as st

    import queries
    from dashboard import data
    from emss.roles import Scope

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    ran = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda con, name, *rest: (name == "response/by_district" and ran.append(name))
                        or real(con, name, *rest))
    everything = {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2100, 1, 1)}
    seen = {}
    try:
        for role in ("leader", "analyst", "admin"):
            st.session_state[data.SCOPE_KEY] = Scope(role)
            seen[role] = data.run("response/by_district", **everything)
        assert ran == ["response/by_district"]
        assert seen["leader"].equals(seen["analyst"]) and seen["leader"].equals(seen["admin"])
        st.session_state[data.SCOPE_KEY] = Scope("district", ("futian",))
        district = data.run("response/by_district", **everything)
    finally:
        del st.session_state[data.SCOPE_KEY]
    assert ran == ["response/by_district"] * 2
    assert district["district"].to_list() == ["futian"] and len(seen["leader"]["district"].unique()) > 1


def test_the_coverage_page_runs_each_of_its_queries_once(warehouse, tmp_path, monkeypatch):
    """The page asks for the stations and the incidents' positions in two places each (the model's
    spread over every station type, the check against measured arrivals over every district): with
    no filter those are the same queries, run once."""
    import queries

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    ran = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda con, name, *rest: ran.append(name) or real(con, name, *rest))
    open_dashboard("coverage")
    page = [name for name in ran if name.startswith("coverage/")]
    assert sorted(page) == sorted(set(page)) and {"coverage/stations", "coverage/incident_points"} <= set(page)


def test_the_views_shown_lately_are_ready_when_a_load_lands(warehouse, tmp_path, monkeypatch):
    """After a load, the views people were reading are computed on the new data before anyone asks:
    opening one again runs no query, and shows the new data."""
    import time

    import queries
    from dashboard import data
    from warehouse.connection import file_version, open_reader, open_writer

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    monkeypatch.setattr(data, "WATCH_INTERVAL_S", 0.1)
    everything = {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2100, 1, 1), "row_limit": 1}
    before = data.one("incidents/list", **everything)["matched"]
    data.run("response/by_district")
    watcher = data._watcher(str(copy))
    with open_writer(copy) as con:  # a load: fewer incidents in the new version
        partitions.rewrite(con, "marts.incidents", "select * from marts.incidents where district is distinct from 'baoan'")
        con.execute("delete from marts.incident_daily where district = 'baoan'")
    waited = time.monotonic()
    while not watcher.warmed and time.monotonic() - waited < 60:
        time.sleep(0.1)
    assert watcher.warmed == [(file_version(copy), 2)]

    ran = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda con, name, *rest: ran.append(name) or real(con, name, *rest))
    after = data.one("incidents/list", **everything)["matched"]
    by_district = data.run("response/by_district")
    assert ran == []  # both computed ahead
    with open_reader(copy) as con:  # the new data, counted another way
        expected = con.execute("select count(*) from marts.incidents").fetchall()[0][0]
        incidents_in_baoan = con.execute("select count(*) from marts.incidents where district = 'baoan'").fetchall()[0][0]
    assert after == expected < before and incidents_in_baoan == 0
    assert "baoan" not in by_district["district"].to_list()


def next_week(demo_exports, tmp_path: Path) -> Path:
    """A weekly export: the demo export's last 60 responses again, as new incidents a week later."""
    import polars as pl

    whole = pl.read_csv(demo_exports["incidents"][-1].read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    times = ["接警时间", "派警时间", "出动时间", "到场时间", "处置完毕时间"]
    later = whole.tail(60).with_columns(
        [(pl.col(c).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False) + pl.duration(days=7))
         .dt.strftime("%Y-%m-%d %H:%M:%S").fill_null("").alias(c) for c in times]
        + [(pl.col("警情编号") + "W").alias("警情编号")])
    export = tmp_path / "出警记录_下周.csv"
    export.write_bytes(later.write_csv(line_terminator="\r\n").encode("gb18030"))
    return export


def test_a_load_that_moves_the_as_of_date_finds_the_default_view_ready(warehouse, demo_exports, tmp_path, monkeypatch):
    """A weekly load moves the as-of date, and the default period with it: the default view of the
    new week is computed ahead too (its dates moved by as many days), and shows the new week."""
    import time

    import queries
    from dashboard import data
    from etl.load import ingest
    from warehouse.connection import open_reader

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    monkeypatch.setattr(data, "WATCH_INTERVAL_S", 0.1)
    shown = filters.default(data.data_range())
    before = data.one("response/kpi", **shown.period)
    watcher = data._watcher(str(copy))

    assert all(r.outcome == "loaded" for r in ingest([next_week(demo_exports, tmp_path)], copy))
    waited = time.monotonic()
    while not watcher.warmed and time.monotonic() - waited < 60:
        time.sleep(0.1)
    assert watcher.warmed

    ran = []
    real = queries.run
    monkeypatch.setattr(queries, "run", lambda con, name, *rest: ran.append(name) or real(con, name, *rest))
    now = filters.default(data.data_range())
    after = data.one("response/kpi", **now.period)
    assert ran == []  # the new week's default view was computed ahead
    assert (now.start - shown.start).days == (now.end - shown.end).days == 7
    with open_reader(copy) as con:  # the new week's figures, run directly on the new data
        expected = queries.run(con, "response/kpi", now.period).row(0, named=True)
    assert after == expected and after != before


def test_a_load_finds_the_coverage_model_of_the_views_shown_ready(warehouse, demo_exports, tmp_path, monkeypatch):
    """The Coverage page's model of the network (the demand grid, the travel-time fit, what each
    station reaches, the trend, the model against measured arrivals, the candidate cells' reach) is
    worked out again after a load for the views people had open, with their dates moved as the as-of
    date moved: the new week's default view then fits and reaches nothing when opened, and counts the
    new week's incidents."""
    import time

    from dashboard import coverage_model, data
    from emss import coverage
    from emss.settings import coverage as coverage_settings
    from etl.load import ingest
    from warehouse.connection import open_reader

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    monkeypatch.setattr(data, "WATCH_INTERVAL_S", 0.1)
    shown = filters.default(data.data_range())
    view = {"start": shown.start, "end": shown.end, "incident_types": (), "hours": (0, 23), "districts": (),
            "station_types": (), "as_of": shown.end, "band": coverage_settings().band_names[0]}
    before = coverage_model.network_shown(**view)  # as the page opens it
    watcher = data._watcher(str(copy))
    assert all(r.outcome == "loaded" for r in ingest([next_week(demo_exports, tmp_path)], copy))
    waited = time.monotonic()
    while not watcher.warmed and time.monotonic() - waited < 120:
        time.sleep(0.1)
    assert watcher.warmed

    worked = []
    for step in ("demand_grid", "calibrate", "arrival_spread", "situation", "coverage_trend", "reconcile",
                 "candidate_reach"):
        monkeypatch.setattr(coverage, step, lambda *a, _step=step, _real=getattr(coverage, step), **k:
                            worked.append(_step) or _real(*a, **k))
    week = dt.timedelta(days=7)
    later = {**view, "start": shown.start + week, "end": shown.end + week, "as_of": shown.end + week}
    now = filters.default(data.data_range())  # the page's default view of the new week
    assert (now.start, now.end) == (later["start"], later["end"])
    after = coverage_model.network_shown(**later)
    assert worked == []  # every piece computed ahead
    with open_reader(copy) as con:  # the new week's incidents with a position, counted directly
        expected = con.execute("select count(*) from main.incidents where call_date between ? and ? "
                               "and lat is not null and lon is not null", [later["start"], later["end"]]).fetchall()[0][0]
    assert after.incident_count == expected != before.incident_count
    assert after.model_start - before.model_start == week


def test_a_served_dashboard_has_the_coverage_pages_default_view_ready(warehouse, tmp_path, monkeypatch):
    """`emss serve` asks the dashboard to work out its heavy default views once it starts: whoever
    first opens the Coverage page finds its model of the network ready, not fitted while they wait."""
    import time

    from dashboard import data
    from emss import coverage

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    monkeypatch.setenv(data.COMPUTE_DEFAULTS_ENV, "1")
    monkeypatch.setattr(data, "WATCH_INTERVAL_S", 0.1)
    open_dashboard()  # the first person opens the Overview, and the dashboard starts watching
    watcher = data._watcher(str(copy))
    waited = time.monotonic()
    while watcher.defaults is None and time.monotonic() - waited < 120:
        time.sleep(0.1)
    assert watcher.defaults == 1

    worked = []
    for step in ("demand_grid", "calibrate", "arrival_spread", "situation", "coverage_trend", "reconcile",
                 "candidate_reach"):
        monkeypatch.setattr(coverage, step, lambda *a, _step=step, _real=getattr(coverage, step), **k:
                            worked.append(_step) or _real(*a, **k))
    at = open_dashboard("coverage")  # then the Coverage page, as it opens
    assert worked == [] and any("个网格" in c.value for c in at.caption)


def test_a_view_computed_ahead_is_held_to_the_scope_it_was_shown_in(warehouse, tmp_path, monkeypatch):
    """A district leader's view is computed ahead for that district, whoever else uses the server."""
    import time

    import streamlit as st

    from dashboard import data
    from emss.roles import Scope
    from warehouse.connection import open_writer

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    monkeypatch.setattr(data, "WATCH_INTERVAL_S", 0.1)
    monkeypatch.setattr(data, "_COMPUTED", {})
    seen = []

    def districts_seen(*, start_date: dt.date) -> list[str]:
        seen.append(data.scope())
        return data.run("response/by_district", start_date=start_date)["district"].to_list()

    held = Scope("district", ("futian",))
    st.session_state[data.SCOPE_KEY] = held
    shown = data.computed_ahead(most=4)(districts_seen)
    assert shown(start_date=dt.date(2000, 1, 1)) == ["futian"]
    st.session_state[data.SCOPE_KEY] = None  # someone city-wide meanwhile
    watcher = data._watcher(str(copy))
    with open_writer(copy) as con:  # a load
        con.execute("delete from marts.incident_daily where district = 'baoan'")
    waited = time.monotonic()
    while not watcher.warmed and time.monotonic() - waited < 60:
        time.sleep(0.1)
    assert watcher.warmed and seen == [held, held]
    del st.session_state[data.SCOPE_KEY]


def test_only_a_computations_most_recent_views_are_computed_ahead(warehouse, tmp_path, monkeypatch):
    """Computing more views of a computation than its caches keep would push the latest out: only
    its most recent are computed ahead after a load, the latest first."""
    import time

    from dashboard import data
    from warehouse.connection import open_writer

    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    monkeypatch.setattr(data, "WATCH_INTERVAL_S", 0.1)
    monkeypatch.setattr(data, "_COMPUTED", {})
    computed = []

    def rate(*, start_date: dt.date) -> float:
        computed.append(start_date)
        return data.one("response/kpi", start_date=start_date, end_date=dt.date(2100, 1, 1))["within_target_rate"]

    shown = data.computed_ahead(most=2)(rate)
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=i) for i in range(3)]
    for day in days:
        shown(start_date=day)
    computed.clear()
    watcher = data._watcher(str(copy))
    with open_writer(copy) as con:  # a load that leaves the as-of date where it was
        con.execute("delete from marts.incident_daily where district = 'baoan'")
    waited = time.monotonic()
    while not watcher.warmed and time.monotonic() - waited < 60:
        time.sleep(0.1)
    assert watcher.warmed and computed == [days[2], days[1]]


def test_the_exceptions_list_shows_the_longest_thousand_and_says_how_many(warehouse, tmp_path, monkeypatch):
    """Past a thousand exceptions of a kind the page shows the longest thousand, as the incident list
    shows the slowest, and says how many there are."""
    import queries
    from emss import settings
    from warehouse.build import rebuild_derived
    from warehouse.connection import open_reader, open_writer

    rules = tmp_path / "response_rules.toml"
    shipped = settings.RESPONSE_RULES_FILE.read_text(encoding="utf-8")
    assert "long_travel_s = 600" in shipped
    rules.write_text(shipped.replace("long_travel_s = 600", "long_travel_s = 1"), encoding="utf-8")  # nearly every trip
    copy = tmp_path / "w.duckdb"
    copy_warehouse(warehouse, copy)
    with open_writer(copy) as con:
        rebuild_derived(con, response_rules=rules)
    everything = {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2100, 1, 1), "kinds": ["long_travel"]}
    with open_reader(copy) as con:
        found = queries.run(con, "incidents/exceptions", everything)
    assert found.height > 1000

    monkeypatch.setenv("EMSS_WAREHOUSE", str(copy))
    at = open_dashboard("response_times", start="2000-01-01", end="2100-01-01")
    at.selectbox(key="response_exception_kind_zh").set_value("long_travel").run()
    assert not at.exception
    longest = next(d.value for d in at.dataframe if i18n.text("col_exception_value", "zh") in d.value.columns)
    assert len(longest) == 1000
    assert longest[i18n.text("col_incident_id", "zh")].tolist() == found["incident_id"].head(1000).to_list()
    captions = [c.value for c in at.caption]
    assert i18n.text("exception_count_shown", "zh", n=f"{found.height:,}", shown="1,000") in captions


# ---- what a rerun keeps in place --------------------------------------------------------
# Streamlit's front end tells the main area's blocks and unnamed elements apart by their place on the
# page: when a part comes or goes above them, every one after it is built anew in the browser (the map's
# drawing set up from scratch, each chart laid out again). A place kept for a notice, empty or filled,
# and a section drawn in a container of its own whether it shows a table or says there is none, keep
# the rest where it was (a part that changes kind is built anew alone).

def layout(at: AppTest) -> list[str]:
    """The kinds of the main area's top-level elements and blocks, in order."""
    return [getattr(node, "type", None) or type(node).__name__ for node in at.main.children.values()]


def deep_layout(node) -> tuple:
    """The kinds of every part, blocks with what they hold."""
    return tuple((getattr(c, "type", None) or type(c).__name__, deep_layout(c) if hasattr(c, "children") else ())
                 for c in node.children.values())


def assert_in_place(before: list[str], after: list[str]) -> None:
    assert len(before) == len(after), (
        f"{len(before)} parts before, {len(after)} after: "
        f"{[(i, a, b) for i, (a, b) in enumerate(zip(before, after)) if a != b][:3]}")


@pytest.mark.parametrize("page", sorted(p.stem for p in (ROOT / "dashboard" / "app_pages").glob("*.py")
                                         if p.stem != "audit"))  # the sign-in audit: only with accounts
@pytest.mark.parametrize("change", ["district", "period"])
def test_a_sidebar_change_keeps_every_part_of_the_page_in_its_place(warehouse, facts, page, change, monkeypatch):
    """The most common district chosen, or the longest preset period, in the sidebar: each page's parts
    stay where they were (a notice such as "the targets are city-wide" fills a place kept for it)."""
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = open_dashboard(page)
    before = layout(at)
    if change == "district":
        district = Counter(s["district"] for s in in_service(facts, facts.as_of)).most_common(1)[0][0]
        next(m for m in at.sidebar.multiselect if m.label == i18n.text("districts", "zh")).select(district).run()
    else:
        preset = next(b for b in at.sidebar.selectbox if b.label == i18n.text("period_preset", "zh"))
        preset.select(preset.options[-1]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert_in_place(before, layout(at))


def test_a_what_if_keeps_the_coverage_map_in_its_place(warehouse, monkeypatch):
    """The first what-if station says that figures now include it: in the place kept for that notice,
    so the map and everything below stay where they were."""
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = open_dashboard("coverage")
    before = layout(at)
    assert not at.info
    next(b for b in at.button if b.label == i18n.text("whatif_add_hotspot", "zh")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [i18n.text("cov_whatif_active", "zh", n=1)]
    assert_in_place(before, layout(at))


def test_choosing_another_station_keeps_the_station_page_in_its_place(warehouse, facts, monkeypatch):
    """The Station page for each of a dozen stations, compliant or not, counted lately or not, with or
    without responses in the period: the same parts in the same places (the map among them)."""
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = open_dashboard("station")
    before = layout(at)
    seen = set()
    for station_id in sorted(s["station_id"] for s in facts.stations)[1:13]:
        next(b for b in at.selectbox if b.label == i18n.text("station_pick", "zh")).select(station_id).run()
        assert not at.exception, [e.value for e in at.exception]
        assert_in_place(before, layout(at))
        seen.add(deep_layout(at.main))
    assert len(seen) > 1, "the stations tried all drew the same parts inside: the test shows nothing"
