"""Each named query against the same figure computed another way: plain Python
over rows fetched from the analyst views, on the fixture warehouse."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

import queries
from emss import messages


def percentile_cont(values, q):
    """Linear-interpolated percentile (the definition DuckDB's quantile_cont uses), written out."""
    s = sorted(values)
    if not s:
        return None
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def incident_rows(con):
    cols = ["incident_id", "district", "first_station_type", "call_at", "first_arrive_at", "response_s"]
    return [dict(zip(cols, r)) for r in con.execute(f"select {', '.join(cols)} from incidents").fetchall()]


def as_of(con) -> dt.date:
    return con.execute("select as_of_date from data_as_of").fetchone()[0]


def test_every_query_parses_and_runs_with_defaults(reader):
    """Every query runs with its defaults; a required parameter gets a real value from the fixture."""
    samples = {
        "station": reader.execute("select min(station_id) from stations").fetchall()[0][0],
        "incident": reader.execute("select min(incident_id) from incidents").fetchall()[0][0],
    }
    assert len(queries.catalogue()) >= 10
    for name, query in queries.catalogue().items():
        params = {}
        for p in query.params:
            if p.required:
                assert p.name in samples, f"{name}: no sample value for required parameter {p.name}"
                params[p.name] = samples[p.name]
        frame = queries.run(reader, name, params)
        assert frame.width > 0, name


def test_parameters_are_bound_not_pasted(reader):
    hostile = "baoan'); drop table core.stations; --"
    frame = queries.run(reader, "response/kpi", {"districts": [hostile]})
    assert frame["incidents"][0] == 0
    assert reader.execute("select count(*) from stations").fetchone()[0] > 0


@pytest.mark.parametrize(("name", "param", "value"), [("response/kpi", "start_date", "2026-13-01"),
                                                      ("coverage/incident_points", "hour_from", "seven")])
def test_a_value_of_the_wrong_kind_is_refused_naming_its_parameter_in_both_languages(name, param, value):
    with pytest.raises(ValueError) as refused:
        queries.bind(queries.get(name), {param: value})
    said = str(refused.value)
    assert said.count(param) == 2 and said.count(repr(value)) == 2 and " / " in said, said


@pytest.mark.parametrize("districts", [[], ["baoan"], ["futian", "nanshan"]])
def test_response_kpi(reader, districts):
    end = as_of(reader)
    start = end - dt.timedelta(days=90)
    rows = [r for r in incident_rows(reader)
            if start <= r["call_at"].date() <= end and (not districts or r["district"] in districts)]
    arrived = [r["response_s"] for r in rows if r["first_arrive_at"] is not None]
    got = queries.run(reader, "response/kpi", {"start_date": start, "end_date": end, "districts": districts}).row(0, named=True)
    assert got["incidents"] == len(rows)
    assert got["arrived"] == len(arrived)
    assert got["without_arrival"] == len(rows) - len(arrived)
    assert got["within_target"] == sum(1 for s in arrived if s <= 300)
    if arrived:
        assert got["within_target_rate"] == pytest.approx(sum(1 for s in arrived if s <= 300) / len(arrived), abs=1e-4)
        assert got["p50_response_s"] == pytest.approx(statistics.median(arrived))
        assert got["p90_response_s"] == pytest.approx(percentile_cont(arrived, 0.9))


def test_response_kpi_default_period_is_four_weeks_to_as_of(reader):
    got = queries.run(reader, "response/kpi").row(0, named=True)
    assert got["end_date"] == as_of(reader)
    assert got["start_date"] == as_of(reader) - dt.timedelta(days=27)


def test_histogram_bins_add_up(reader):
    end = as_of(reader)
    start = end - dt.timedelta(days=365)
    arrived = [r["response_s"] for r in incident_rows(reader)
               if start <= r["call_at"].date() <= end and r["response_s"] is not None]
    frame = queries.run(reader, "response/histogram", {"start_date": start, "end_date": end})
    expected = {}
    for s in arrived:
        b = min(s // 30 * 30, 1200)
        expected[b] = expected.get(b, 0) + 1
    assert dict(zip(frame["bin_start_s"], frame["incidents"])) == expected


def test_by_district_and_weekly_trend_match(reader):
    end = as_of(reader)
    start = end - dt.timedelta(days=60)
    rows = [r for r in incident_rows(reader) if start <= r["call_at"].date() <= end]
    by_district = {}
    for r in rows:
        by_district[r["district"]] = by_district.get(r["district"], 0) + 1
    frame = queries.run(reader, "response/by_district", {"start_date": start, "end_date": end})
    assert dict(zip(frame["district"], frame["incidents"])) == by_district
    weekly = {}
    for r in rows:
        monday = r["call_at"].date() - dt.timedelta(days=r["call_at"].weekday())
        weekly[monday] = weekly.get(monday, 0) + 1
    frame = queries.run(reader, "response/weekly_trend", {"start_date": start, "end_date": end})
    assert dict(zip(frame["week_start"], frame["incidents"])) == weekly


def test_week_compare(reader):
    end = as_of(reader)
    monday = end - dt.timedelta(days=end.weekday())
    rows = incident_rows(reader)
    this_week = sum(1 for r in rows if monday <= r["call_at"].date() < monday + dt.timedelta(days=7))
    last_week = sum(1 for r in rows if monday - dt.timedelta(days=7) <= r["call_at"].date() < monday)
    frame = queries.run(reader, "overview/week_compare")
    got = dict(zip(frame["week"], frame["incidents"]))
    assert got == {"this_week": this_week, "last_week": last_week}


@pytest.mark.parametrize("start, end, districts", [
    (None, None, []),                                 # the default period: 28 days to the as-of date
    (dt.date(2026, 6, 1), dt.date(2026, 11, 22), []),  # long enough for more groups to count
    (dt.date(2026, 9, 27), dt.date(2026, 11, 22), ["baoan", "longgang"]),  # the demo's road works in Bao'an
])
def test_overview_worsening(reader, start, end, districts):
    """Districts, first stations' types and first stations whose 5-minute rate fell from the period before
    (of the same length) to this one, where both hold the rules' smallest sample, biggest fall first."""
    import tomllib

    from emss.settings import RESPONSE_RULES_FILE

    min_sample = tomllib.loads(RESPONSE_RULES_FILE.read_text(encoding="utf-8"))["sample"]["min_incidents"]
    end_day = end or as_of(reader)
    start_day = start or end_day - dt.timedelta(days=27)
    before_end = start_day - dt.timedelta(days=1)
    before_start = before_end - (end_day - start_day)
    rows = reader.execute("""
        select district, first_station_type, first_station_id, call_at, response_s, target_s from incidents""").fetchall()
    counts: dict[tuple[str, str], list[int]] = {}  # (dimension, code) -> [timed before, within before, timed, within]
    for district, kind, station, call_at, response_s, target_s in rows:
        day = call_at.date()
        if districts and district not in districts:
            continue
        if before_start <= day <= before_end:
            offset = 0
        elif start_day <= day <= end_day:
            offset = 2
        else:
            continue
        for key in (("district", district), ("station_type", kind), ("station", station)):
            if key[1] is None or response_s is None:
                continue
            c = counts.setdefault(key, [0, 0, 0, 0])
            c[offset] += 1
            c[offset + 1] += response_s <= target_s
    expected = {key: c for key, c in counts.items()
                if c[0] >= min_sample and c[2] >= min_sample and c[3] / c[2] < c[1] / c[0]}

    got = queries.run(reader, "overview/worsening", {"start_date": start, "end_date": end, "districts": districts})
    assert expected, "the fixture should hold a group whose rate fell"
    rows = {(r["dimension"], r["group_code"]): r for r in got.iter_rows(named=True)}
    assert {key: [r["previous_timed"], r["previous_within_target"], r["timed"], r["within_target"]]
            for key, r in rows.items()} == expected
    for key, (n0, w0, n1, w1) in expected.items():
        assert rows[key]["rate_change"] == pytest.approx(w1 / n1 - w0 / n0, abs=1e-4), key
    assert got["rate_change"].to_list() == sorted(got["rate_change"].to_list())  # the biggest fall first
    assert set(got["start_date"]) == {start_day} and set(got["previous_start"]) == {before_start}
    assert set(got["previous_end"]) == {before_end} and set(got["end_date"]) == {end_day}
    for dimension in ("district", "station_type", "station"):
        ranks = got.filter(got["dimension"] == dimension)["rank"].to_list()
        assert ranks == list(range(1, len(ranks) + 1))


def station_rows(con):
    cols = ["station_id", "station_type", "district", "opened_on", "closed_on"]
    return [dict(zip(cols, r)) for r in con.execute(f"select {', '.join(cols)} from stations").fetchall()]


@pytest.mark.parametrize("as_of_date", [None, dt.date(2024, 6, 30), dt.date(2025, 12, 31)])
def test_stations_vs_target(reader, as_of_date):
    day = as_of_date or as_of(reader)
    stations = station_rows(reader)
    targets = reader.execute(
        "select station_type, sum(target_count) from station_targets where year = ? and district is null group by 1",
        [day.year]).fetchall()
    frame = queries.run(reader, "stations/vs_target", {"as_of": day})
    got = {r["station_type"]: r for r in frame.to_dicts()}
    for code in {s["station_type"] for s in stations}:
        in_service = sum(1 for s in stations if s["station_type"] == code and s["opened_on"] <= day
                         and (s["closed_on"] is None or s["closed_on"] > day))
        opened = sum(1 for s in stations if s["station_type"] == code and s["opened_on"].year == day.year
                     and s["opened_on"] <= day)
        assert got[code]["in_service"] == in_service, code
        assert got[code]["opened_this_year"] == opened, code
    for code, target in targets:
        assert got[code]["target_count"] == target


def test_closed_station_is_not_in_service(reader):
    closed = reader.execute("select station_id, station_type, closed_on from stations where closed_on is not null").fetchall()
    assert closed, "the fixture should hold a closed station"
    station_id, station_type, closed_on = closed[0]
    before = queries.run(reader, "stations/vs_target", {"as_of": closed_on - dt.timedelta(days=1)})
    after = queries.run(reader, "stations/vs_target", {"as_of": closed_on})
    count = lambda f: dict(zip(f["station_type"], f["in_service"]))[station_type]
    opened_that_day = reader.execute("select count(*) from stations where station_type = ? and opened_on = ?",
                                     [station_type, closed_on]).fetchone()[0]
    assert count(after) == count(before) - 1 + opened_that_day


def test_readiness_summary_matches_register(reader):
    register = queries.run(reader, "stations/register").to_dicts()
    in_service = [r for r in register if r["in_service"]]
    got = queries.run(reader, "stations/readiness_summary").row(0, named=True)
    assert got["stations_in_service"] == len(in_service)
    assert got["compliant"] == sum(1 for r in in_service if r["is_compliant"])
    # a station that is compliant has no shortfalls, and one that is not has at least one
    for r in register:
        assert r["is_compliant"] == (len(r["shortfalls"]) == 0), r["station_id"]


def test_readiness_checks_against_the_standard(reader):
    """Staff, roles and vehicle checks recomputed from the registry columns."""
    rows = reader.execute("""
        select s.station_id, s.staff_count, s.captain_count, s.vice_captain_count, s.communicator_count,
               s.safety_officer_count, s.vehicle_count, r.staff_ok, r.roles_ok, r.vehicles_ok
        from stations s join station_readiness r using (station_id)""").fetchall()
    short = 0
    for sid, staff, c, v, comm, safe, veh, staff_ok, roles_ok, vehicles_ok in rows:
        assert staff_ok == (staff is not None and 10 <= staff <= 30), sid
        assert roles_ok == all((x or 0) >= 1 for x in (c, v, comm, safe)), sid
        assert vehicles_ok == ((veh or 0) >= 2), sid
        short += not (staff_ok and roles_ok and vehicles_ok)
    assert short > 0, "the fixture should hold stations short of the standard"


def test_station_points_and_hexes(reader):
    points = queries.run(reader, "map/station_points")
    day = as_of(reader)
    expected = sum(1 for s in station_rows(reader)
                   if s["opened_on"] <= day and (s["closed_on"] is None or s["closed_on"] > day))
    assert points.height == expected
    assert points["lat"].dtype.is_float() and points["lon"].dtype.is_float()
    end = day
    start = end - dt.timedelta(days=27)
    hexes = queries.run(reader, "map/incident_hexes", {"start_date": start, "end_date": end})
    with_cell = reader.execute(
        "select count(*) from incidents where call_date between ? and ? and h3_r8 is not null", [start, end]
    ).fetchone()[0]
    assert hexes["incidents"].sum() == with_cell


# ---- what the workbench says about a query, and the chart it suggests -------------------------

def test_every_query_describes_itself_in_both_languages():
    """The workbench and the CLI show a query's description, grain and parameters in the reader's
    language: each has its Chinese text, written out (no English left in the Chinese half). A
    parameter's English note may be empty (its name and type say it); its Chinese one may not."""
    for q in queries.catalogue().values():
        for zh, en in [(q.describe("zh"), q.describe("en")), (q.grain_in("zh"), q.grain_in("en"))] + [
                (p.describe("zh"), p.describe("en") or None) for p in q.params]:
            assert zh and en != "" and zh != en, q.name
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), f"{q.name}: {zh!r}"


def test_the_suggested_chart_counts_rows_rather_than_summing_a_clock_reading():
    """One row per incident (district, call_hour): the bars count incidents per district, never
    add up the hours; an aggregated result draws its rate."""
    import polars as pl
    from collections import Counter

    from emss.figures import suggested_chart

    districts = ["futian", "baoan", "futian", "luohu", "futian", "baoan"]
    per_incident = pl.DataFrame({"incident_id": [f"JQ{i}" for i in range(6)], "district": districts,
                                 "call_hour": [23, 22, 21, 20, 19, 18]})
    spec = suggested_chart(per_incident, "zh")
    bars = {r["x"]: r["y"] for r in spec["data"]["values"]}
    assert bars == {messages.label("district", d, "zh"): n for d, n in Counter(districts).items()}
    assert spec["encoding"]["y"]["title"] == "行数" and spec["encoding"]["x"]["title"] == "行政区"
    assert spec["mark"] == "bar"

    per_district = pl.DataFrame({"district": ["futian", "baoan"], "incidents": [40, 60],
                                 "within_target_rate": [0.9, 0.75]})
    spec = suggested_chart(per_district, "en")
    rows = sorted(spec["data"]["values"], key=lambda r: r["rank"])
    assert [r["y"] for r in rows] == [0.9, 0.75] and spec["encoding"]["y"]["axis"]["format"] == ".0%"
    assert [r["x"] for r in rows] == [messages.label("district", "futian", "en"), messages.label("district", "baoan", "en")]
    assert [r["shown"] for r in rows] == ["90.0%", "75.0%"]


def test_the_suggested_chart_draws_a_weekly_result_as_a_line_in_date_order():
    """Weeks on the x axis as dates written out (never moved by the browser's time zone), in order,
    each with its measure; a clock reading in seconds is said in minutes and seconds."""
    import datetime as dt

    import polars as pl

    from emss.figures import suggested_chart

    weeks = pl.DataFrame({"week_start": [dt.date(2026, 11, 16), dt.date(2026, 11, 2), dt.date(2026, 11, 9)],
                          "p90_response_s": [301.0, 250.0, 299.0]})
    spec = suggested_chart(weeks, "zh")
    assert spec["mark"]["type"] == "line"
    rows = sorted(spec["data"]["values"], key=lambda r: r["rank"])
    assert [(r["x"], r["y"]) for r in rows] == [("2026-11-02", 250.0), ("2026-11-09", 299.0), ("2026-11-16", 301.0)]
    assert [r["shown"] for r in rows] == ["4分10秒", "4分59秒", "5分1秒"]
    assert spec["encoding"]["x"]["sort"] == {"field": "rank", "op": "min"}
    assert suggested_chart(weeks.head(1), "zh") is None  # one point is no line

    # a measure of no unit: with thousands separators; none (null or NaN) is a gap said as a dash
    staff = pl.DataFrame({"week_start": [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)],
                          "staff_per_incident": [1234.5, float("nan"), None]})
    rows = sorted(suggested_chart(staff, "en")["data"]["values"], key=lambda r: r["rank"])
    assert [(r["y"], r["shown"]) for r in rows] == [(1234.5, "1,234.50"), (None, messages.DASH), (None, messages.DASH)]
