"""Honest trends and rankings: the station league's Wilson interval, ranking and period; the by-group
change against the previous period; the readiness trend's count coverage; the sidebar's period presets.

Oracle tests: the expected values are counted with plain SQL over the analyst views (`incidents`,
`stations`, `inventory`) and worked out in Python by hand, never by the queries under test."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics

import pytest

import queries
from dashboard import filters, i18n
from emss import settings
from tests.conftest import open_dashboard
from warehouse.quoting import identifier

MIN_SAMPLE = settings.response_rules().min_incidents
Z = statistics.NormalDist().inv_cdf(0.975)


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of k successes in n trials, from the textbook formula."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def as_of(reader) -> dt.date:
    return reader.execute("select max(as_of_date) from data_as_of").fetchone()[0]


def timed_by_station(reader, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """station -> (within target, timed) over the incidents it reached first, by plain SQL."""
    rows = reader.execute(
        "select first_station_id, count(*) filter (where is_within_target), count(response_s) from incidents"
        " where call_date between ? and ? group by 1", [start, end]).fetchall()
    return {s: (k, n) for s, k, n in rows}


# ---- the station league ---------------------------------------------------------------------

@pytest.mark.parametrize("days", [28, 400])
def test_league_interval_and_ranking(reader, days):
    end = as_of(reader)
    start = end - dt.timedelta(days=days - 1)
    counts = timed_by_station(reader, start, end)
    frame = queries.run(reader, "response/station_league", {"start_date": start, "end_date": end})
    rows = frame.to_dicts()
    assert rows
    for r in rows:
        k, n = counts.get(r["station_id"], (0, 0))
        assert (r["within_target"], r["timed"]) == (k, n)
        assert r["is_small_sample"] == (n < MIN_SAMPLE)
        if n:
            low, high = wilson(k, n)
            assert r["within_target_low"] == pytest.approx(low, abs=6e-5)
            assert r["within_target_high"] == pytest.approx(high, abs=6e-5)
            assert r["within_target_low"] <= r["within_target_rate"] <= r["within_target_high"]
        else:
            assert r["within_target_low"] is None and r["within_target_high"] is None
    # ranked stations first, 1, 2, 3, ... by the interval's upper bound; unranked ones after, without a rank
    ranked = [r for r in rows if not r["is_small_sample"]]
    assert rows[:len(ranked)] == ranked
    assert [r["league_rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    highs = [round(wilson(*counts[r["station_id"]])[1], 4) for r in ranked]
    assert highs == sorted(highs)
    assert all(r["league_rank"] is None for r in rows[len(ranked):])
    if days == 28:
        assert not ranked, "the fixture's 28 days give no station the minimum sample"
    else:
        assert len(ranked) >= 2


def test_a_tiny_perfect_sample_is_not_ranked_above_a_large_one(reader):
    """The rule the ranking follows: with the interval's upper bound, 3 of 3 (a perfect but tiny
    sample) reads as less certain than 90 of 100, and 0 of 2 is never 'the worst' ahead of 50 of 100."""
    assert wilson(3, 3)[0] < wilson(90, 100)[0]
    assert wilson(0, 2)[1] > wilson(50, 100)[1]


def in_service(reader, day: dt.date) -> list[str]:
    return [s for (s,) in reader.execute(
        "select station_id from stations where opened_on <= ? and (closed_on is null or closed_on > ?)",
        [day, day]).fetchall()]


def median_timed(reader, stations: list[str], start: dt.date, end: dt.date) -> float:
    counts = {s: n for s, (_, n) in timed_by_station(reader, start, end).items()}
    return statistics.median([counts.get(s, 0) for s in stations])


def test_league_period_widens_to_whole_weeks_until_the_median_station_has_its_sample(reader):
    end = as_of(reader)
    network = in_service(reader, end)
    first = reader.execute("select min(call_date) from incidents").fetchone()[0]
    weeks = next((n for n in range(1, (end - first).days // 7 + 2)
                  if median_timed(reader, network, end - dt.timedelta(days=7 * n - 1), end) >= MIN_SAMPLE), None)
    assert weeks is not None, "the fixture should reach the minimum sample within its data"
    got = queries.run(reader, "response/league_period", {}).row(0, named=True)
    page_start = end - dt.timedelta(days=settings.response_rules().default_period_days - 1)
    assert got["page_start"] == page_start and got["end_date"] == end
    assert got["page_median_timed"] == median_timed(reader, network, page_start, end) < MIN_SAMPLE
    assert got["is_widened"] and got["is_reached"] and got["weeks"] == weeks
    assert got["start_date"] == end - dt.timedelta(days=7 * weeks - 1)
    assert got["median_timed"] == median_timed(reader, network, got["start_date"], end) >= MIN_SAMPLE

    # a page period long enough already is kept as it is
    long_start = end - dt.timedelta(days=7 * weeks + 30)
    kept = queries.run(reader, "response/league_period", {"start_date": long_start}).row(0, named=True)
    assert kept["start_date"] == long_start and not kept["is_widened"] and kept["weeks"] is None


def test_league_period_says_when_no_period_is_long_enough(reader):
    """In one small district the median station never reaches the sample: all the data, said so."""
    end = as_of(reader)
    first = reader.execute("select min(call_date) from incidents").fetchone()[0]
    district = reader.execute(
        "select district from stations where opened_on <= ? and (closed_on is null or closed_on > ?)"
        " group by district order by count(*) desc, district limit 1", [end, end]).fetchone()[0]
    network = [s for (s,) in reader.execute(
        "select station_id from stations where district = ? and opened_on <= ? and (closed_on is null or closed_on > ?)",
        [district, end, end]).fetchall()]
    rows = reader.execute(
        "select first_station_id, count(response_s) from incidents where district = ? and call_date <= ? group by 1",
        [district, end]).fetchall()
    whole = statistics.median([dict(rows).get(s, 0) for s in network])
    got = queries.run(reader, "response/league_period", {"districts": [district]}).row(0, named=True)
    if whole >= MIN_SAMPLE:
        assert got["is_reached"]
    else:
        assert not got["is_reached"] and got["is_widened"]
        assert got["start_date"] <= first


# ---- the by-group change against the previous period ----------------------------------------

GROUP_COLUMNS = {"district": "district", "station_type": "first_station_type", "station": "first_station_id",
                 "incident_type": "incident_type", "channel": "channel"}


@pytest.mark.parametrize("days, group_by", [(28, "district"), (180, "district"), (28, "station"),
                                            (28, "incident_type"), (28, "channel"), (180, "station_type")])
def test_by_group_change_against_the_previous_period(reader, days, group_by):
    """The previous period's counts, from every incident of it (the query reads the daily rollups)."""
    end = as_of(reader)
    start = end - dt.timedelta(days=days - 1)
    before_end, before_start = start - dt.timedelta(days=1), start - dt.timedelta(days=days)
    column = identifier(GROUP_COLUMNS[group_by])

    def by_group(a, b):
        rows = reader.execute(f"select {column}, count(*) filter (where is_within_target), count(response_s)"
                              " from incidents where call_date between ? and ? group by 1", [a, b]).fetchall()
        return {d: (k, n) for d, k, n in rows}

    now, then = by_group(start, end), by_group(before_start, before_end)
    assert sum(n for _, n in then.values()) > 0
    frame = queries.run(reader, "response/by_group", {"start_date": start, "end_date": end, "group_by": group_by})
    shown = 0
    for r in frame.to_dicts():
        k, n = now[r["group_code"]]
        pk, pn = then.get(r["group_code"], (0, 0))
        assert (r["previous_within_target"], r["previous_timed"]) == (pk, pn)
        if n >= MIN_SAMPLE and pn >= MIN_SAMPLE:
            assert r["within_target_rate_change_pts"] == pytest.approx(100 * (k / n - pk / pn), abs=0.006)
            shown += 1
        else:
            assert r["within_target_rate_change_pts"] is None
    if (days, group_by) == (180, "district"):
        assert shown >= 2, "the fixture should give some districts enough arrivals in both periods"


@pytest.mark.parametrize("group_by", ["station", "incident_type"])
def test_by_group_previous_period_keeps_to_the_chosen_districts_and_station_types(reader, group_by):
    end = as_of(reader)
    start = end - dt.timedelta(days=27)
    before_start, before_end = start - dt.timedelta(days=28), start - dt.timedelta(days=1)
    district, station_type = reader.execute(
        "select district, first_station_type from incidents where call_date between ? and ?"
        " and response_s is not null group by all order by count(*) desc limit 1", [before_start, before_end]).fetchall()[0]
    rows = reader.execute(f"select {identifier(GROUP_COLUMNS[group_by])}, count(response_s) from incidents"
                          " where call_date between ? and ? and district = ? and first_station_type = ? group by 1",
                          [before_start, before_end, district, station_type]).fetchall()
    then = {g: n for g, n in rows}
    frame = queries.run(reader, "response/by_group", {"start_date": start, "end_date": end, "group_by": group_by,
                                                      "districts": [district], "station_types": [station_type]})
    got = {r["group_code"]: r["previous_timed"] for r in frame.to_dicts()}
    assert sum(got.values()) > 0 and got == {g: then.get(g, 0) for g in got}


# ---- the readiness trend's count coverage ---------------------------------------------------

def test_readiness_trend_is_judged_only_where_counts_cover_the_network(reader):
    threshold = settings.standard().count_coverage_min
    trend = queries.run(reader, "stations/readiness_trend",
                        {"start_date": dt.date(2024, 1, 1), "min_count_coverage": threshold}).to_dicts()
    covered = []
    for r in trend:
        day = r["judged_on"]
        network = in_service(reader, day)
        counted = {s for (s,) in reader.execute(
            "select distinct station_id from inventory where counted_on <= ?", [day]).fetchall()}
        share = sum(s in counted for s in network) / len(network)
        assert r["stations_in_service"] == len(network)
        assert r["counted_share"] == pytest.approx(share, abs=6e-5)
        covered.append(share >= threshold)
    # judged from the first date after which every date is covered
    judged = [all(covered[i:]) for i in range(len(covered))]
    assert [r["is_judged"] for r in trend] == judged
    first = next((r["judged_on"] for r, j in zip(trend, judged) if j), None)
    assert all(r["judged_from"] == first for r in trend)
    assert not judged[0], "the fixture's early months have too few counts"
    # without a threshold every date is judged, as before
    plain = queries.run(reader, "stations/readiness_trend", {"start_date": dt.date(2024, 1, 1)})
    assert plain["is_judged"].all()


# ---- period presets -------------------------------------------------------------------------

SUNDAY, WEDNESDAY = dt.date(2026, 11, 22), dt.date(2026, 11, 25)
D = dt.date


@pytest.mark.parametrize(("preset", "day", "want"), [
    ("this_week", SUNDAY, (D(2026, 11, 16), D(2026, 11, 22))),
    ("this_week", WEDNESDAY, (D(2026, 11, 23), D(2026, 11, 25))),
    ("last_week", SUNDAY, (D(2026, 11, 9), D(2026, 11, 15))),
    ("last_week", WEDNESDAY, (D(2026, 11, 16), D(2026, 11, 22))),
    ("last_4_weeks", SUNDAY, (D(2026, 10, 26), D(2026, 11, 22))),
    ("last_4_weeks", WEDNESDAY, (D(2026, 11, 2), D(2026, 11, 25))),
    ("this_month", WEDNESDAY, (D(2026, 11, 1), D(2026, 11, 25))),
    ("this_year", WEDNESDAY, (D(2026, 1, 1), D(2026, 11, 25))),
    ("this_week", D(2027, 1, 1), (D(2026, 12, 28), D(2027, 1, 1))),   # ISO week across the new year
    ("last_week", D(2027, 1, 4), (D(2026, 12, 28), D(2027, 1, 3))),
])
def test_presets_name_iso_weeks_months_and_years_ending_at_the_as_of_date(preset, day, want):
    assert filters.preset_period(preset, day, D(2000, 1, 1), D(2000, 1, 1)) == want


def test_same_period_last_year_moves_the_chosen_period_back():
    assert filters.preset_period("last_year", WEDNESDAY, D(2026, 11, 1), D(2026, 11, 25)) == (D(2025, 11, 1), D(2025, 11, 25))
    assert filters.preset_period("last_year", WEDNESDAY, D(2024, 2, 1), D(2024, 2, 29)) == (D(2023, 2, 1), D(2023, 2, 28))


# ---- the pages ------------------------------------------------------------------------------

@pytest.fixture()
def dashboard(demo_warehouse, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(demo_warehouse))
    return open_dashboard


def test_the_response_page_ranks_over_the_widened_period(dashboard, reader):
    at = dashboard("response_times")
    span = queries.run(reader, "response/league_period", {}).row(0, named=True)
    words = [el.value for el in at.info]
    assert any(f"{span['start_date']} 至 {span['end_date']}" in w and f"最近 {span['weeks']} 周" in w for w in words)
    league = at.dataframe[1].value
    columns = list(league.columns)
    assert columns[:4] == [i18n.text(k, "zh") for k in ("col_league_rank", "col_station_id", "col_station_name",
                                                          "col_league_sample")]
    counts = timed_by_station(reader, span["start_date"], span["end_date"])
    sample = league[i18n.text("col_league_sample", "zh")].tolist()
    ids = league[i18n.text("col_station_id", "zh")].tolist()
    assert sample == [counts.get(s, (0, 0))[1] for s in ids]
    ranked = sum(n >= MIN_SAMPLE for n in sample)
    assert ranked and ranked < len(sample)
    assert league[i18n.text("col_note", "zh")].tolist()[ranked:] == [i18n.text("note_small", "zh")] * (len(sample) - ranked)

    at.toggle(key="response_league_hide_small").set_value(True).run()
    assert len(at.dataframe[1].value) == ranked
    at.toggle(key="response_league_page_period").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe[1].value) == 0  # no station has the minimum sample in 28 days

    by_group = at.dataframe[0].value
    assert i18n.text("col_rate_change", "zh") in by_group.columns


def test_the_readiness_change_is_not_shown_across_a_change_of_coverage(dashboard, reader):
    at = dashboard("stations")
    metric = next(m for m in at.metric if m.label == i18n.text("kpi_compliant", "zh"))
    trend = queries.run(reader, "stations/readiness_trend",
                        {"min_count_coverage": settings.standard().count_coverage_min}).to_dicts()
    if not (trend[-1]["is_judged"] and trend[-2]["is_judged"]):
        assert not metric.delta
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    label = i18n.text("readiness_uncovered_label", "zh")
    chart = next(c for c in charts if any(layer["encoding"].get("text", {}).get("value") == label
                                          for layer in c.get("layer", []) if "encoding" in layer))
    shade = [layer for layer in chart["layer"] if layer["mark"]["type"] == "rect"]  # the dates not yet judged
    unjudged = [r["judged_on"] for r in trend if not r["is_judged"]]
    assert unjudged and [layer["data"]["values"][0]["to"] for layer in shade] == [max(unjudged).isoformat()]


def test_a_preset_sets_the_period_and_the_link(dashboard, reader):
    end = as_of(reader)
    at = dashboard("response_times")
    key = next(sb.key for sb in at.selectbox if sb.key and sb.key.startswith("filter_preset_zh"))
    at.selectbox(key=key).select("last_week").run()
    assert not at.exception
    monday = end - dt.timedelta(days=end.weekday())
    want = (monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))
    assert (at.query_params["start"], at.query_params["end"]) in ((want[0].isoformat(), want[1].isoformat()),
                                                                    ([want[0].isoformat()], [want[1].isoformat()]))
    key = next(sb.key for sb in at.selectbox if sb.key and sb.key.startswith("filter_preset_zh"))
    assert at.selectbox(key=key).value == "last_week"
