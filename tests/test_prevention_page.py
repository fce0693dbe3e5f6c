"""The 事前预防 Prevention page on the fixture warehouse: its tiles and its overdue list against the
same figures worked out here from plain reads of the views (hazards, patrols, stations,
outreach_events, district_population), not through the named queries the page runs."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from conftest import chart_rows, open_dashboard

from emss import messages, roles

SERIOUS = "serious"
PATROLS_PER_WEEK = 3  # emss/standard.toml [prevention] patrols_per_week


@pytest.fixture(scope="module")
def warehouse(demo_warehouse):
    mp = pytest.MonkeyPatch()
    mp.setenv("EMSS_WAREHOUSE", str(demo_warehouse))
    yield demo_warehouse
    mp.undo()


@pytest.fixture(scope="module")
def pages(warehouse):
    return {"zh": open_dashboard("prevention"), "en": open_dashboard("prevention", lang="en")}


def rows(warehouse, sql: str, params=()) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def expected(warehouse) -> dict:
    as_of = rows(warehouse, "select as_of_date from data_as_of")[0]["as_of_date"]
    start = as_of - dt.timedelta(days=27)  # the default period: the 28 days to the as-of date
    hazards = rows(warehouse, "select hazard_id, level, found_on, due_on, rectified_on, status from hazards")
    due = [h for h in hazards if start <= h["due_on"] <= as_of]
    on_time = [h for h in due if h["rectified_on"] is not None and h["rectified_on"] <= h["due_on"]]

    def still_open(h, day):
        return h["found_on"] <= day and (
            (h["rectified_on"] is not None and h["rectified_on"] > day)
            or (h["rectified_on"] is None and h["status"] != "rectified"))

    overdue = sorted((h for h in hazards if h["due_on"] < as_of and still_open(h, as_of)),
                     key=lambda h: h["due_on"])
    stations = rows(warehouse, "select station_id, opened_on, closed_on from stations")
    in_service = [s for s in stations if s["opened_on"] <= as_of and (s["closed_on"] is None or s["closed_on"] > as_of)]
    patrols: dict[str, int] = {}
    for r in rows(warehouse, "select station_id, patrol_date from patrols"):
        if start <= r["patrol_date"] <= as_of:
            patrols[r["station_id"]] = patrols.get(r["station_id"], 0) + 1
    judged = meeting = 0
    for s in in_service:
        last = min(as_of, s["closed_on"] - dt.timedelta(days=1)) if s["closed_on"] else as_of
        days = (last - max(start, s["opened_on"])).days + 1
        if days > 0:
            judged += 1
            meeting += patrols.get(s["station_id"], 0) / (days / 7) >= PATROLS_PER_WEEK
    reached = sum(r["participants"] or 0 for r in rows(
        warehouse, "select participants, held_on from outreach_events where is_public")
        if start <= r["held_on"] <= as_of)
    population = sum(r["population"] or 0 for r in rows(warehouse, "select population from district_population"))
    return {
        "as_of": as_of, "due": len(due), "on_time": len(on_time),
        "rate": f"{len(on_time) / len(due) * 100:.1f}%" if due else messages.DASH,
        "serious_overdue": sum(h["level"] == SERIOUS for h in overdue), "overdue": overdue,
        "patrol_share": f"{meeting / judged * 100:.1f}%", "meeting": meeting, "judged": judged,
        "reach": f"{10000 * reached / population:,.1f}",
    }


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tiles_are_the_warehouse_figures(pages, expected, lang):
    shown = metrics(pages[lang])
    t = lambda key: messages.text(key, lang)  # noqa: E731
    assert shown[t("prevention_kpi_on_time")] == expected["rate"]
    assert shown[t("prevention_kpi_major_overdue")] == f"{expected['serious_overdue']:,}"
    assert shown[t("prevention_kpi_patrol_share")] == expected["patrol_share"]
    assert shown[t("prevention_kpi_reach")] == expected["reach"]
    assert expected["due"] > 0 and expected["overdue"], "the fixture should hold hazards due and overdue"


def test_the_overdue_list_is_every_overdue_hazard_oldest_first(pages, expected):
    at = pages["zh"]
    title = messages.text("section_prevention_overdue", "zh", date=messages.fmt_date(expected["as_of"], "zh"))
    assert title in [s.value for s in at.subheader]
    table = next(d.value for d in at.dataframe if messages.text("col_hazard_id", "zh") in d.value.columns)
    assert len(table) == len(expected["overdue"])
    assert set(table[messages.text("col_hazard_id", "zh")]) == {h["hazard_id"] for h in expected["overdue"]}
    due = [dt.date.fromisoformat(str(d)[:10]) for d in table[messages.text("col_due_on", "zh")]]
    assert due == sorted(due) and due[0] == expected["overdue"][0]["due_on"]
    assert str(table[messages.text("col_hazard_level", "zh")].iloc[0]) in {
        messages.text(f"hazard_level_{lv}", "zh") for lv in ("general", "major", "serious")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_words_not_codes(pages, lang):
    at = pages[lang]
    assert not at.exception
    assert [t.value for t in at.title] == [messages.text("prevention_title", lang)]
    parts = [e.value for kind in ("subheader", "markdown", "caption") for e in getattr(at, kind)
             if not e.value.startswith("<style>")]
    parts += [m.label + " " + m.value for m in at.metric]
    for frame in at.dataframe:
        df = frame.value
        parts += [str(c) for c in df.columns] + [str(v) for c in df.columns for v in df[c].dropna().tolist()]
    text = "\n".join(parts)
    assert not re.search(r"\b(None|NaN|nan|null)\b", text), re.findall(r".{0,40}\b(?:None|NaN|nan)\b.{0,40}", text)
    for code in ("serious", "door_to_door", "first_aid", "phone_charging", "three_preventions"):
        assert code not in text, f"a raw code shown: {code}"
    assert not at.get("plotly_chart"), "the page loads no Plotly chart (its library would hold back the tiles)"
    assert len(at.get("vega_lite_chart")) >= 6
    assert messages.text("prevention_payoff_caveat", lang) in [w.value for w in at.warning]


def test_the_charts_draw_the_warehouse_figures(pages, expected):
    """The patrol chart has a station for every station judged, those meeting the standard apart; the
    hazard chart stacks, per level, the hazards due in the period, the on-time ones in their own series."""
    at = pages["zh"]
    charts = [chart_rows(c) for c in at.get("vega_lite_chart")]
    patrols = next(rows for rows in charts if rows and "per_week" in rows[0])
    assert len(patrols) == expected["judged"]
    assert sum(r["group"] == messages.text("prevention_meets_standard", "zh") for r in patrols) == expected["meeting"]
    levels = next(rows for rows in charts if rows and "level" in rows[0])
    assert sum(r["n"] for r in levels) == expected["due"]
    assert sum(r["n"] for r in levels if r["series"] == messages.text("series_on_time", "zh")) == expected["on_time"]


def test_who_may_open_the_page():
    for code, role in roles.ROLES.items():
        assert role.pages.__contains__("prevention") == ("response" in role.pages), code


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_shows_the_same_two_figures_and_links_to_the_page(warehouse, expected, lang):
    at = open_dashboard(None, **({"lang": "en"} if lang == "en" else {}))
    shown = metrics(at)
    assert shown[messages.text("prevention_kpi_on_time", lang)] == expected["rate"]
    assert shown[messages.text("prevention_kpi_major_overdue", lang)] == f"{expected['serious_overdue']:,}"
    links = [e.proto.label for e in at.get("page_link")]
    assert messages.text("overview_prevention_link", lang) in links


def test_the_station_page_shows_its_own_prevention(warehouse, expected):
    station = rows(warehouse, """select station_id, opened_on from stations where closed_on is null
                                 order by station_id limit 1""")[0]
    sid, as_of = station["station_id"], expected["as_of"]
    start = as_of - dt.timedelta(days=27)
    patrols = rows(warehouse, "select count(*) as n from patrols where station_id = ? and patrol_date between ? and ?",
                   (sid, start, as_of))[0]["n"]
    hazards = rows(warehouse, "select level, found_on, due_on, rectified_on, status from hazards where station_id = ?", (sid,))
    still_open = [h for h in hazards if h["found_on"] <= as_of and (
        (h["rectified_on"] is not None and h["rectified_on"] > as_of)
        or (h["rectified_on"] is None and h["status"] != "rectified"))]
    overdue = [h for h in still_open if h["due_on"] < as_of]
    quarter = dt.date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)
    drills = rows(warehouse, """select count(*) as n from outreach_events where station_id = ? and kind = 'drill'
                                and held_on between ? and ?""", (sid, quarter, as_of))[0]["n"]
    at = open_dashboard("station", station=sid)
    assert messages.text("section_station_prevention", "zh") in [s.value for s in at.subheader]
    shown = metrics(at)
    days = (as_of - max(start, station["opened_on"])).days + 1
    assert shown[messages.text("prevention_patrols_per_week", "zh")] == f"{round(patrols / (days / 7), 2):,g} / 3"
    assert shown[messages.text("station_open_hazards", "zh")] == f"{len(still_open):,}"
    assert shown[messages.text("station_drills_quarter", "zh")] == f"{drills:,} / 1"
    tile = next(m for m in at.metric if m.label == messages.text("station_open_hazards", "zh"))
    assert messages.text("station_overdue_delta", "zh", n=f"{len(overdue):,}",
                         serious=f"{sum(h['level'] == SERIOUS for h in overdue):,}") in str(tile.proto.delta)


def test_the_tiles_follow_the_district_filter(warehouse, expected):
    district = rows(warehouse, "select district, count(*) as n from hazards group by district order by n desc limit 1")[0]["district"]
    as_of = expected["as_of"]
    start = as_of - dt.timedelta(days=27)
    hazards = rows(warehouse, "select level, found_on, due_on, rectified_on, status from hazards where district = ?", (district,))
    due = [h for h in hazards if start <= h["due_on"] <= as_of]
    on_time = sum(h["rectified_on"] is not None and h["rectified_on"] <= h["due_on"] for h in due)
    serious = sum(h["level"] == SERIOUS and h["due_on"] < as_of and h["found_on"] <= as_of and (
        (h["rectified_on"] is not None and h["rectified_on"] > as_of)
        or (h["rectified_on"] is None and h["status"] != "rectified")) for h in hazards)
    shown = metrics(open_dashboard("prevention", district=district))
    assert shown[messages.text("prevention_kpi_on_time", "zh")] == (f"{on_time / len(due) * 100:.1f}%" if due else messages.DASH)
    assert shown[messages.text("prevention_kpi_major_overdue", "zh")] == f"{serious:,}"
