"""Response-time analytics (issue 4): the clock, the phases, compliance, splits, the league
table, exclusions and exceptions, each named query against plain Python.

Two kinds of data: a hand-written export of five incidents whose right answers can be read
off the rows (multi-unit, concurrency, refused rows, a missing arrival), and the shared
fixture warehouse (tests/conftest.py), recomputed here from the raw core rows
(core.responses, core.stations, meta.rejects) without the derived tables or views.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import statistics
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest
from conftest import chart_rows

import queries
from dashboard import drilldown, filters, i18n
from emss import profiles
from emss.figures import encode, from_point, group_query
from warehouse import build
from warehouse.connection import copy_warehouse, open_reader, open_writer

RULES = tomllib.loads(build.RESPONSE_RULES_FILE.read_text(encoding="utf-8"))
TARGET = RULES["target_s"]["default"]
MIN_SAMPLE = RULES["sample"]["min_incidents"]
LIMITS = RULES["exceptions"]


def quantile(values, q):
    """Linear interpolation between order statistics (what DuckDB's quantile_cont does), written out."""
    v = sorted(values)
    if not v:
        return None
    pos = (len(v) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def rows(con, sql, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def secs(a, b):
    return None if a is None or b is None else round((b - a).total_seconds())


# ---- the independent computation -----------------------------------------------------------

def incidents_from_responses(responses, stations, clock=None, targets=None, force=2):
    """Every incident from its response rows, the way the field defines it: the first arrival is
    the earliest over all units, its phases are the first-arriving unit's, the clock starts at the
    alarm received unless the channel's rule says dispatched (the earliest dispatch)."""
    clock = clock or {}
    targets = targets or {}
    by_incident = defaultdict(list)
    for r in responses:
        by_incident[r["incident_id"]].append(r)
    out = {}
    for incident_id, rs in by_incident.items():
        attrs = rs[0]
        call = min(r["call_at"] for r in rs)
        arrivals = sorted((r for r in rs if r["arrive_at"]), key=lambda r: (r["arrive_at"], r["station_id"]))
        first = arrivals[0] if arrivals else None
        if first is None:
            first_station = min(rs, key=lambda r: (r["dispatch_at"] is None, r["dispatch_at"] or call, r["station_id"]))["station_id"]
        else:
            first_station = first["station_id"]
        rule = clock.get(attrs["channel"], clock.get("default", "received"))
        dispatches = [r["dispatch_at"] for r in rs if r["dispatch_at"]]
        start = call if rule == "received" else (min(dispatches) if dispatches else None)
        response_s = secs(start, first["arrive_at"]) if first else None
        target = targets.get(attrs["incident_type"], targets.get("default", TARGET))
        on_scene, full_at = 0, None
        for r in arrivals:
            on_scene += r["vehicles_sent"] if r["vehicles_sent"] is not None else 1
            if on_scene >= force:
                full_at = r["arrive_at"]
                break
        out[incident_id] = {
            "incident_id": incident_id, "district": attrs["district"], "incident_type": attrs["incident_type"],
            "channel": attrs["channel"], "call_at": call, "call_date": call.date(),
            "first_station_id": first_station,
            "first_station_type": stations.get(first_station, {}).get("station_type"),
            "first_arrive_at": first["arrive_at"] if first else None,
            "response_s": response_s, "target_s": target, "clock_start_rule": rule,
            "is_within_target": None if response_s is None else response_s <= target,
            "call_processing_s": secs(first["call_at"], first["dispatch_at"]) if first else None,
            "turnout_s": secs(first["dispatch_at"], first["depart_at"]) if first else None,
            "travel_s": secs(first["depart_at"], first["arrive_at"]) if first else None,
            "full_response_s": secs(start, full_at) if full_at and start else None,
            "has_long_turnout": any((secs(r["dispatch_at"], r["depart_at"]) or 0) > LIMITS["long_turnout_s"] for r in rs),
            "has_long_travel": any((secs(r["depart_at"], r["arrive_at"]) or 0) > LIMITS["long_travel_s"] for r in rs),
            "has_response_without_arrival": any(r["arrive_at"] is None for r in rs),
        }
    return out


def concurrency(responses):
    """(incident, station) -> dispatched while an earlier response of the same station was not yet cleared."""
    out = {}
    by_station = defaultdict(list)
    for r in responses:
        by_station[r["station_id"]].append(r)
    for rs in by_station.values():
        rs.sort(key=lambda r: (r["dispatch_at"] is None, r["dispatch_at"] or dt.datetime.max, r["incident_id"]))
        out_until = None
        for r in rs:
            out[(r["incident_id"], r["station_id"])] = bool(r["dispatch_at"] and out_until and r["dispatch_at"] < out_until)
            busy_until = r["clear_at"] or r["arrive_at"] or r["depart_at"] or r["dispatch_at"]
            if busy_until and (out_until is None or busy_until > out_until):
                out_until = busy_until
    return out


def refused_rows(con, incidents):
    """Refused incident-export rows whose (incident, station) never loaded, placed in time and space."""
    loaded = {(r["incident_id"], r["station_id"]) for r in rows(con, "select incident_id, station_id from core.responses")}
    district_codes = {d.name_zh: code for code, d in profiles.current().districts.items()}
    out = []
    for r in rows(con, "select r.rule, r.raw from meta.rejects r join meta.batches b using (batch_id) where b.kind = 'incidents'"):
        raw = json.loads(r["raw"])
        if (raw["incident_id"], raw["station_id"]) in loaded:
            continue
        kept = incidents.get(raw["incident_id"])
        call = kept["call_at"] if kept else dt.datetime.strptime(raw["call_at"], "%Y-%m-%d %H:%M:%S")
        out.append({"rule": r["rule"], "incident_id": raw["incident_id"], "station_id": raw["station_id"],
                    "call_date": call.date(), "is_kept": kept is not None,
                    "district": kept["district"] if kept else district_codes.get(raw["district"])})
    return out


# ---- a hand-written export: five incidents whose answers are read off the rows ----------------

HAND_HEADER = "警情编号,警情类型,接警渠道,所属区,事发地址,经度,纬度,坐标系,接警时间,派警时间,出动时间,到场时间,处置完毕时间,出警站点编号,出动人数,出动车辆数"
HAND_ROWS = [
    # JQ1, 119: station A dispatched first but B arrives first (290 s); the second vehicle arrives with A (400 s)
    "JQ1,火灾扑救,119平台调度,福田区,深南大道1号,114.05,22.54,WGS-84,2026-11-20 08:00:00,2026-11-20 08:00:40,2026-11-20 08:01:40,2026-11-20 08:06:40,2026-11-20 08:30:00,A,5,1",
    "JQ1,火灾扑救,119平台调度,福田区,深南大道1号,114.05,22.54,WGS-84,2026-11-20 08:00:00,2026-11-20 08:01:00,2026-11-20 08:01:50,2026-11-20 08:04:50,2026-11-20 08:20:00,B,4,1",
    # JQ2, walk-in, sent to A while A is still out on JQ1 (cleared 08:30): concurrent; two vehicles at once
    "JQ2,电梯困人,到站求助,福田区,福华路2号,114.06,22.54,WGS-84,2026-11-20 08:10:00,2026-11-20 08:10:05,2026-11-20 08:10:35,2026-11-20 08:12:00,2026-11-20 08:40:00,A,3,2",
    # JQ3, phone: no arrival (cancelled)
    "JQ3,社会救助,群众电话,南山区,科技园3号,113.95,22.54,WGS-84,2026-11-20 09:00:00,2026-11-20 09:00:50,2026-11-20 09:01:50,,2026-11-20 09:05:00,C,2,1",
    # JQ4: its only row has arrival before departure: refused, the incident is in no figure
    "JQ4,排水排涝,群众电话,南山区,后海4号,113.94,22.52,WGS-84,2026-11-20 10:00:00,2026-11-20 10:00:30,2026-11-20 10:01:30,2026-11-20 10:01:00,2026-11-20 10:30:00,C,2,1",
    # JQ5: C arrives in 7 min 40 s; D's row is out of order and refused: the incident stays, missing a unit
    "JQ5,破拆房门,119平台调度,南山区,南海大道5号,113.93,22.51,WGS-84,2026-11-20 11:00:00,2026-11-20 11:00:40,2026-11-20 11:02:00,2026-11-20 11:07:40,2026-11-20 11:30:00,C,3,1",
    "JQ5,破拆房门,119平台调度,南山区,南海大道5号,113.93,22.51,WGS-84,2026-11-20 11:00:00,2026-11-20 10:59:00,2026-11-20 11:01:00,2026-11-20 11:05:00,2026-11-20 11:20:00,D,3,1",
]
HAND_DAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory) -> Path:
    from etl.load import ingest

    folder = tmp_path_factory.mktemp("hand")
    export = folder / "出警记录_手工.csv"
    export.write_text("\n".join([HAND_HEADER, *HAND_ROWS]) + "\n", encoding="utf-8")
    warehouse = folder / "emss.duckdb"
    reports = ingest([export], warehouse)
    assert reports[0].outcome == "loaded", reports[0].message
    return warehouse


def run(con, name, **params):
    return queries.run(con, name, params)


def test_first_arrival_is_the_minimum_over_units_and_its_phases_are_that_units(hand_warehouse):
    con = open_reader(hand_warehouse)
    got = {r["incident_id"]: r for r in rows(con, "select * from incidents")}
    assert set(got) == {"JQ1", "JQ2", "JQ3", "JQ5"}  # JQ4 lost its only row to the order rule
    jq1 = got["JQ1"]
    assert (jq1["first_station_id"], jq1["response_s"], jq1["is_within_target"]) == ("B", 290, True)
    assert (jq1["call_processing_s"], jq1["turnout_s"], jq1["travel_s"]) == (60, 50, 180)
    assert jq1["call_processing_s"] + jq1["turnout_s"] + jq1["travel_s"] == jq1["response_s"]
    assert jq1["full_response_s"] == 400  # the second vehicle came with A
    assert jq1["clock_start_rule"] == "received" and jq1["target_s"] == 300
    assert got["JQ2"]["full_response_s"] == 120  # one station, two vehicles
    assert got["JQ3"]["response_s"] is None and got["JQ3"]["first_arrive_at"] is None
    assert got["JQ5"]["response_s"] == 460 and got["JQ5"]["is_within_target"] is False
    assert got["JQ5"]["full_response_s"] is None  # D's vehicle never loaded

    order = run(con, "incidents/timeline", incident_id="JQ1")
    assert order["station_id"].to_list() == ["B", "A"]
    assert order["is_first_arrival"].to_list() == [True, False]
    assert order["total_s"].to_list() == [290, 400]
    assert order["refused_responses"][0] == 0
    assert run(con, "incidents/timeline", incident_id="JQ5")["refused_responses"][0] == 1

    still_out = dict(((r["incident_id"], r["station_id"]), r["is_concurrent"])
                     for r in rows(con, "select incident_id, station_id, is_concurrent from responses"))
    assert still_out[("JQ2", "A")] is True
    assert sum(still_out.values()) == 1
    con.close()


def test_hand_kpi_exclusions_and_exceptions(hand_warehouse):
    con = open_reader(hand_warehouse)
    day = {"start_date": HAND_DAY, "end_date": HAND_DAY}
    kpi = run(con, "response/kpi", **day).row(0, named=True)
    assert (kpi["incidents"], kpi["arrived"], kpi["timed"], kpi["without_arrival"], kpi["within_target"]) == (4, 3, 3, 1, 2)
    assert kpi["within_target_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert kpi["p50_response_s"] == 290 and kpi["p90_response_s"] == pytest.approx(290 + 0.8 * (460 - 290))
    assert (kpi["full_response_assembled"], kpi["p50_full_response_s"]) == (2, 260)
    assert kpi["clock_start"] == "received" and kpi["target_s"] == 300 and kpi["is_small_sample"] is True

    excluded = {(r["figure"], r["reason"]): (r["incidents"], r["responses"], r["is_excluded"])
                for r in run(con, "response/exclusions", **day).to_dicts()}
    assert excluded[("all", "refused:order")] == (1, 1, True)            # JQ4
    assert excluded[("first_arrival", "refused:order")] == (1, 1, True)  # JQ5, missing D
    assert excluded[("response_time", "no_arrival")] == (1, None, True)  # JQ3
    assert excluded[("full_response", "not_assembled")] == (2, None, True)  # JQ3, JQ5

    found = run(con, "incidents/exceptions", **day)
    kinds = Counter(found["kind"].to_list())
    assert kinds == {"refused:order": 2, "no_arrival": 1}
    assert set(found.filter(found["kind"] == "refused:order")["incident_id"]) == {"JQ4", "JQ5"}
    con.close()


def test_a_channel_clock_can_start_at_dispatch(hand_warehouse, tmp_path):
    rules = tmp_path / "rules.toml"
    text = build.RESPONSE_RULES_FILE.read_text(encoding="utf-8")
    text = text.replace('dispatch_119 = "received"', 'dispatch_119 = "dispatched"').replace("# fire = 300", "fire = 240")
    rules.write_text(text, encoding="utf-8")
    copy = tmp_path / "w.duckdb"
    copy_warehouse(hand_warehouse, copy)
    with open_writer(copy) as con:
        build.rebuild_derived(con, rules)
    con = open_reader(copy)
    got = {r["incident_id"]: r for r in rows(con, "select * from incidents")}
    assert (got["JQ1"]["clock_start_rule"], got["JQ1"]["response_s"]) == ("dispatched", 250)  # from A's dispatch 08:00:40
    assert (got["JQ1"]["target_s"], got["JQ1"]["is_within_target"]) == (240, False)
    assert got["JQ1"]["full_response_s"] == 360
    assert (got["JQ2"]["clock_start_rule"], got["JQ2"]["response_s"]) == ("received", 120)  # walk-in unchanged
    assert got["JQ5"]["response_s"] == 420  # C dispatched 11:00:40 (D's earlier dispatch was refused)
    kpi = run(con, "response/kpi", start_date=HAND_DAY, end_date=HAND_DAY).row(0, named=True)
    assert kpi["clock_start"] == "dispatched, received"
    assert kpi["target_s"] is None  # targets differ by type in this scope
    described = {(r["rule"], r["key"]): r["description"] for r in run(con, "response/rules").to_dicts()}
    assert "派警时间" in described[("clock_start", "dispatch_119")]
    con.close()


@pytest.mark.parametrize("change, message", [
    (('phone = "received"', 'phone = "arrived"'), "clock_start.phone"),
    (('phone = "received"', 'fax = "received"'), "no such channel"),
    (("# fire = 300", "arson = 300"), "no such incident type"),
    (('measure = "vehicles"', 'measure = "engines"'), "full_response"),
    (("within_target = 0.9", "within_target = 90"), "target_rate.within_target"),
    (("within_target = 0.9", 'within_target = "90%"'), "target_rate.within_target"),
])
def test_a_wrong_rules_file_stops_the_rebuild(tmp_path, change, message):
    rules = tmp_path / "rules.toml"
    rules.write_text(build.RESPONSE_RULES_FILE.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    con = duckdb.connect()
    con.execute("create schema meta")
    with pytest.raises(ValueError, match=message):
        build.load_response_rules(con, rules)


# ---- the fixture warehouse, recomputed from the raw core rows --------------------------------

@pytest.fixture(scope="module")
def raw(demo_warehouse):
    con = open_reader(demo_warehouse)
    responses = rows(con, """
        select incident_id, station_id, incident_type, channel, district, call_at, dispatch_at, depart_at,
               arrive_at, clear_at, staff_sent, vehicles_sent
        from core.responses""")
    stations = {r["station_id"]: r for r in rows(con, "select station_id, station_name, station_type, district from core.stations")}
    incidents = incidents_from_responses(responses, stations)
    facts = {
        "responses": responses, "stations": stations, "incidents": incidents,
        "refused": refused_rows(con, incidents), "concurrent": concurrency(responses),
        "as_of": con.execute("select as_of_date from data_as_of").fetchone()[0],
    }
    con.close()
    return facts


def in_period(raw, start, end, districts=(), types=()):
    return [i for i in raw["incidents"].values()
            if start <= i["call_date"] <= end and (not districts or i["district"] in districts)
            and (not types or i["first_station_type"] in types)]


def figures(incidents):
    timed = [i["response_s"] for i in incidents if i["response_s"] is not None]
    within = sum(bool(i["is_within_target"]) for i in incidents)
    return {"incidents": len(incidents), "timed": len(timed), "within": within, "seconds": timed,
            "rate": round(within / len(timed), 4) if timed else None,
            "p50": quantile(timed, 0.5), "p90": quantile(timed, 0.9)}


def whole(raw):
    return {"start_date": dt.date(2024, 1, 1), "end_date": raw["as_of"]}


def test_default_rule_gives_alarm_received_to_first_arrival(reader, raw):
    """The shipped rules start every channel's clock at 接警时间: response_s is what it was before rules existed."""
    assert set(RULES["clock_start"].values()) == {"received"}
    got = {r["incident_id"]: r for r in rows(reader, "select incident_id, response_s, is_within_target, first_station_id, "
                                                     "call_processing_s, turnout_s, travel_s, full_response_s from incidents")}
    assert set(got) == set(raw["incidents"])
    for incident_id, want in raw["incidents"].items():
        have = got[incident_id]
        assert have["response_s"] == want["response_s"], incident_id
        assert have["is_within_target"] == want["is_within_target"], incident_id
        assert have["full_response_s"] == want["full_response_s"], incident_id
        for phase in ("call_processing_s", "turnout_s", "travel_s"):
            assert have[phase] == want[phase], (incident_id, phase)
    multi = [i for i, want in raw["incidents"].items()
             if sum(r["incident_id"] == i for r in raw["responses"]) > 1 and want["first_arrive_at"] is not None]
    assert len(multi) > 100, "the fixture should hold multi-unit incidents"
    assert all(got[i]["first_station_id"] == raw["incidents"][i]["first_station_id"] for i in multi)


def test_each_incidents_counts_and_stations_add_up_its_responses(reader, raw):
    """marts.incidents takes an incident answered by one station from its response row as it is,
    and groups the responses of the others: both give what the responses add up to."""
    by_incident = defaultdict(list)
    for r in raw["responses"]:
        by_incident[r["incident_id"]].append(r)

    def total(rs, field):
        return None if all(r[field] is None for r in rs) else sum(r[field] for r in rs if r[field] is not None)

    got = {r["incident_id"]: r for r in rows(reader, """
        select incident_id, station_count, arrived_station_count, staff_sent, vehicles_sent, station_ids,
               cleared_at, has_response_without_arrival, has_long_turnout, has_long_travel
        from marts.incidents""")}
    assert set(got) == set(by_incident)
    sizes = Counter(len(rs) for rs in by_incident.values())
    assert sizes[1] > 100 and sum(n for size, n in sizes.items() if size > 1) > 100, sizes
    for incident_id, rs in by_incident.items():
        have, want = got[incident_id], raw["incidents"][incident_id]
        assert have["station_count"] == len(rs), incident_id
        assert have["arrived_station_count"] == sum(r["arrive_at"] is not None for r in rs), incident_id
        assert have["staff_sent"] == total(rs, "staff_sent"), incident_id
        assert have["vehicles_sent"] == total(rs, "vehicles_sent"), incident_id
        assert have["station_ids"] == sorted(r["station_id"] for r in rs), incident_id
        clears = [r["clear_at"] for r in rs if r["clear_at"] is not None]
        assert have["cleared_at"] == (max(clears) if clears else None), incident_id
        for flag in ("has_response_without_arrival", "has_long_turnout", "has_long_travel"):
            assert have[flag] == want[flag], (incident_id, flag)


def test_rules_query_says_what_the_file_says(reader):
    got = {(r["rule"], r["key"]): r["value"] for r in run(reader, "response/rules").to_dicts()}
    for channel, start in RULES["clock_start"].items():
        assert got[("clock_start", channel)] == start
    assert got[("target_s", "default")] == str(TARGET)
    assert got[("full_response", "count")] == str(RULES["full_response"]["count"])
    assert got[("sample", "min_incidents")] == str(MIN_SAMPLE)
    assert float(got[("target_rate", "within_target")]) == RULES["target_rate"]["within_target"]
    assert {k: int(v) for (rule, k), v in got.items() if rule == "exceptions"} == LIMITS


def test_stored_rules_carry_the_target_rate(reader):
    """The target rate a warehouse was built with is read back from it; a warehouse built before the
    setting existed takes the file's."""
    from emss import settings

    stored = run(reader, "response/rules").select("rule", "key", "value").rows()
    assert settings.stored_response_rules(stored).target_rate == RULES["target_rate"]["within_target"]
    older = [r for r in stored if r[0] != "target_rate"]
    assert settings.stored_response_rules(older).target_rate == settings.response_rules().target_rate


@pytest.mark.parametrize("districts", [[], ["baoan"]])
def test_kpi_with_counts_fractiles_and_full_response(reader, raw, districts):
    period = whole(raw) | {"districts": districts}
    picked = in_period(raw, period["start_date"], period["end_date"], districts)
    want = figures(picked)
    got = run(reader, "response/kpi", **period).row(0, named=True)
    assert (got["incidents"], got["timed"], got["within_target"]) == (want["incidents"], want["timed"], want["within"])
    assert got["within_target_rate"] == pytest.approx(want["rate"], abs=1e-4)
    assert got["p50_response_s"] == pytest.approx(want["p50"]) and got["p90_response_s"] == pytest.approx(want["p90"])
    assert got["is_small_sample"] == (want["timed"] < MIN_SAMPLE)
    full = [i["full_response_s"] for i in picked if i["full_response_s"] is not None]
    assert got["full_response_assembled"] == len(full)
    assert got["p90_full_response_s"] == pytest.approx(quantile(full, 0.9))
    assert got["full_response_within_target"] == sum(s <= TARGET for s in full)
    assert got["clock_start"] == "received" and got["target_s"] == TARGET


@pytest.mark.parametrize("group_by", ["district", "station_type", "station", "incident_type", "channel"])
def test_by_group_rates_fractiles_phases_and_slowest_phase(reader, raw, group_by):
    period = whole(raw)
    picked = in_period(raw, period["start_date"], period["end_date"])
    key = {"station_type": "first_station_type", "station": "first_station_id"}.get(group_by, group_by)
    groups = defaultdict(list)
    for i in picked:
        groups[i[key]].append(i)
    overall = {p: statistics.median([i[p] for i in picked if i[p] is not None])
               for p in ("call_processing_s", "turnout_s", "travel_s")}
    frame = run(reader, "response/by_group", **period, group_by=group_by)
    got = {r["group_code"]: r for r in frame.to_dicts()}
    assert set(got) == set(groups)
    total_misses = sum(figures(g)["timed"] - figures(g)["within"] for g in groups.values())
    for code, members in groups.items():
        want, have = figures(members), got[code]
        assert (have["incidents"], have["timed"], have["within_target"]) == (want["incidents"], want["timed"], want["within"]), code
        assert have["within_target_rate"] == pytest.approx(want["rate"], abs=1e-4)
        assert have["p90_response_s"] == pytest.approx(want["p90"])
        medians = {p: statistics.median([i[p] for i in members if i[p] is not None] or [0])
                   for p in ("call_processing_s", "turnout_s", "travel_s")}
        assert have["p50_travel_s"] == pytest.approx(medians["travel_s"])
        excess = {p.removesuffix("_s"): medians[p] - overall[p] for p in overall}
        slowest = max(excess, key=excess.get)
        if excess[slowest] > 0:
            assert have["slowest_phase"] == slowest and have["slowest_phase_excess_s"] == pytest.approx(excess[slowest])
        else:
            assert have["slowest_phase"] is None
        assert have["share_of_misses"] == pytest.approx((want["timed"] - want["within"]) / total_misses, abs=1e-4)
        assert have["is_small_sample"] == (want["timed"] < MIN_SAMPLE)
    # judged groups first, worst rate first; too-small groups last
    flags = frame["is_small_sample"].to_list()
    assert flags == sorted(flags)
    judged = [r["within_target_rate"] for r in frame.to_dicts() if not r["is_small_sample"]]
    assert judged == sorted(judged)


def test_ecdf_reads_back_the_rate_and_the_fractile(reader, raw):
    period = whole(raw)
    picked = in_period(raw, period["start_date"], period["end_date"])
    for group_by in (None, "district"):
        frame = run(reader, "response/ecdf", **period, group_by=group_by)
        groups = defaultdict(list)
        for i in picked:
            if i["response_s"] is not None:
                groups[i["district"] if group_by else "all"].append(i["response_s"])
        assert set(frame["group_code"]) == set(groups)
        for code, seconds in groups.items():
            part = frame.filter(frame["group_code"] == code)
            shares = dict(zip(part["response_s"], part["cum_share"]))
            assert set(shares) == set(seconds)
            for s in set(seconds):
                assert shares[s] == pytest.approx(sum(x <= s for x in seconds) / len(seconds), abs=1e-6)
    everyone = [i["response_s"] for i in picked if i["response_s"] is not None]
    frame = run(reader, "response/ecdf", **period)
    below = frame.filter(frame["response_s"] <= TARGET)["cum_share"].max()
    assert below == pytest.approx(sum(s <= TARGET for s in everyone) / len(everyone), abs=1e-6)


def test_hour_weekday_grid_draws_each_cell_once_with_its_rate_and_drill(reader, raw):
    """The grid has a cell for every weekday and hour, once, coloured by the rate plain Python counts (a cell
    without timed arrivals empty and grey), and each opens that weekday's hour."""
    from emss.figures import hour_weekday_grid_vega

    period = whole(raw)
    cells = defaultdict(list)
    for i in in_period(raw, period["start_date"], period["end_date"]):
        cells[(i["call_at"].isoweekday(), i["call_at"].hour)].append(i)
    drawn = hour_weekday_grid_vega(run(reader, "response/hour_weekday", **period), "rate", "zh", 300)["data"]["values"]
    assert sorted((r["rank"], r["hour"]) for r in drawn) == [(d, h) for d in range(1, 8) for h in range(24)]
    for r in drawn:
        want = figures(cells.get((r["rank"], r["hour"]), []))
        if want["timed"]:
            assert r["value"] == pytest.approx(want["within"] / want["timed"]), (r["rank"], r["hour"])
        else:
            assert r["value"] is None and r["rate"] == i18n.text("grid_empty", "zh")
        assert from_point(r) == {"weekday": str(r["rank"]), "hour": str(r["hour"])}
    assert {r["day"] for r in drawn if r["rank"] == 1} == {i18n.text("weekday_1", "zh")}


def test_hour_weekday_grid(reader, raw):
    period = whole(raw)
    picked = in_period(raw, period["start_date"], period["end_date"])
    cells = defaultdict(list)
    for i in picked:
        cells[(i["call_at"].isoweekday(), i["call_at"].hour)].append(i)
    frame = run(reader, "response/hour_weekday", **period)
    got = {(r["call_weekday"], r["call_hour"]): r for r in frame.to_dicts()}
    assert set(got) == set(cells)
    for cell, members in cells.items():
        want = figures(members)
        assert (got[cell]["incidents"], got[cell]["within_target"]) == (want["incidents"], want["within"])
        assert got[cell]["p90_response_s"] == pytest.approx(want["p90"])


def test_weekly_trend_and_histogram_carry_counts(reader, raw):
    period = whole(raw)
    picked = in_period(raw, period["start_date"], period["end_date"])
    weeks = defaultdict(list)
    for i in picked:
        weeks[i["call_date"] - dt.timedelta(days=i["call_date"].weekday())].append(i)
    got = {r["week_start"]: r for r in run(reader, "response/weekly_trend", **period).to_dicts()}
    for week, members in weeks.items():
        want = figures(members)
        assert (got[week]["within_target"], got[week]["timed"]) == (want["within"], want["timed"])
        assert got[week]["p50_response_s"] == pytest.approx(want["p50"])
    bins = {r["bin_start_s"]: r["is_within_target"] for r in run(reader, "response/histogram", **period).to_dicts()}
    assert all(within == (b + 29 <= TARGET) for b, within in bins.items() if b != 1200)


def test_station_league(reader, raw):
    end = raw["as_of"]
    start = end - dt.timedelta(days=180)
    picked = in_period(raw, start, end)
    frame = run(reader, "response/station_league", start_date=start, end_date=end)
    got = {r["station_id"]: r for r in frame.to_dicts()}
    own = defaultdict(list)
    for r in raw["responses"]:
        incident = raw["incidents"][r["incident_id"]]
        if start <= incident["call_date"] <= end:
            own[r["station_id"]].append(r)
    assert set(got) == set(own)
    first = defaultdict(list)
    for i in picked:
        first[i["first_station_id"]].append(i)
    for station, responses in own.items():
        have = got[station]
        want = figures(first.get(station, []))
        assert (have["incidents"], have["within_target"], have["timed"]) == (want["incidents"], want["within"], want["timed"])
        assert have["responses"] == len(responses)
        turnout = [secs(r["dispatch_at"], r["depart_at"]) for r in responses if r["depart_at"] and r["dispatch_at"]]
        travel = [secs(r["depart_at"], r["arrive_at"]) for r in responses if r["depart_at"] and r["arrive_at"]]
        assert have["p90_turnout_s"] == pytest.approx(quantile(turnout, 0.9))
        assert have["p90_travel_s"] == pytest.approx(quantile(travel, 0.9))
        assert have["busy_s"] == sum(secs(r["dispatch_at"], r["clear_at"]) or 0 for r in responses)
        assert have["concurrent_responses"] == sum(raw["concurrent"][(r["incident_id"], station)] for r in responses)
    assert sum(got[s]["concurrent_responses"] for s in got) > 0, "the fixture should have a station sent while out"
    flags = frame["is_small_sample"].to_list()
    assert flags == sorted(flags)


@pytest.mark.parametrize("narrow", ["none", "district", "station_type"])
def test_the_incident_lists_station_filter_offers_the_stations_that_responded(reader, raw, narrow):
    end = raw["as_of"]
    start = end - dt.timedelta(days=90)
    one = raw["responses"][-1]
    district = one["district"]
    station_type = raw["stations"][one["station_id"]]["station_type"]
    params = {"none": {}, "district": {"districts": [district]}, "station_type": {"station_types": [station_type]}}[narrow]
    want = sorted({r["station_id"] for r in raw["responses"]
                   if start <= raw["incidents"][r["incident_id"]]["call_date"] <= end
                   and (narrow != "district" or r["district"] == district)
                   and (narrow != "station_type" or raw["stations"][r["station_id"]]["station_type"] == station_type)})
    frame = run(reader, "incidents/stations", start_date=start, end_date=end, **params)
    assert want and frame["station_id"].to_list() == want
    for row in frame.to_dicts():  # named as the registry names them, with the station's own district (a scope trims by it)
        registry = raw["stations"][row["station_id"]]
        assert (row["station_name"], row["district"]) == (registry["station_name"], registry["district"])


@pytest.mark.parametrize("days", [None, 60])
def test_exclusions_say_what_each_figure_leaves_out(reader, raw, days):
    end = raw["as_of"]
    start = dt.date(2024, 1, 1) if days is None else end - dt.timedelta(days=days)
    picked = in_period(raw, start, end)
    refused = [r for r in raw["refused"] if start <= r["call_date"] <= end]
    got = {(r["figure"], r["reason"]): r for r in run(reader, "response/exclusions", start_date=start, end_date=end).to_dicts()}

    def count(figure, reason):
        return got[(figure, reason)]["incidents"] if (figure, reason) in got else 0

    gone = [r for r in refused if not r["is_kept"]]
    assert count("all", "refused:order") == len({r["incident_id"] for r in gone})
    assert (got.get(("all", "refused:order")) or {"responses": 0})["responses"] == len(gone)
    assert count("first_arrival", "refused:order") == len({r["incident_id"] for r in refused if r["is_kept"]})
    assert count("response_time", "no_arrival") == sum(i["first_arrive_at"] is None for i in picked)
    assert count("full_response", "not_assembled") == sum(i["full_response_s"] is None for i in picked)
    assert count("kept", "long_turnout") == sum(i["has_long_turnout"] for i in picked)
    assert count("kept", "long_travel") == sum(i["has_long_travel"] for i in picked)
    assert count("kept", "very_long_total") == sum((i["response_s"] or 0) > LIMITS["very_long_total_s"] for i in picked)
    assert all(r["is_excluded"] == (r["figure"] != "kept") for r in got.values())
    if days is None:
        assert gone and any(r["is_kept"] for r in refused), "the fixture should refuse rows of both kinds"


def test_exceptions_list_every_finding(reader, raw):
    period = whole(raw)
    picked = {i["incident_id"] for i in in_period(raw, period["start_date"], period["end_date"])}
    frame = run(reader, "incidents/exceptions", **period)
    kinds = Counter(frame["kind"].to_list())
    responses = [r for r in raw["responses"] if r["incident_id"] in picked]
    assert kinds["long_turnout"] == sum((secs(r["dispatch_at"], r["depart_at"]) or 0) > LIMITS["long_turnout_s"] for r in responses)
    assert kinds["long_travel"] == sum((secs(r["depart_at"], r["arrive_at"]) or 0) > LIMITS["long_travel_s"] for r in responses)
    assert kinds["no_arrival"] == sum(raw["incidents"][i]["first_arrive_at"] is None for i in picked)
    assert kinds["refused:order"] == len(raw["refused"])
    only = run(reader, "incidents/exceptions", **period, kinds=["no_arrival"])
    assert set(only["kind"]) == {"no_arrival"} and only.height == kinds["no_arrival"]


def test_incident_list_filters_match_plain_python(reader, raw):
    period = whole(raw)
    picked = in_period(raw, period["start_date"], period["end_date"])
    kind = Counter(i["incident_type"] for i in picked).most_common(1)[0][0]
    station = Counter(i["first_station_id"] for i in picked).most_common(1)[0][0]
    cases = [
        ({}, lambda i: True),
        ({"incident_types": [kind], "outcome": "beyond"}, lambda i: i["incident_type"] == kind and i["is_within_target"] is False),
        ({"channels": ["walk_in", "phone"]}, lambda i: i["channel"] in ("walk_in", "phone")),
        ({"stations": [station]}, lambda i: i["first_station_id"] == station),
        ({"call_weekday": 1, "call_hour": 9}, lambda i: i["call_at"].isoweekday() == 1 and i["call_at"].hour == 9),
        ({"min_response_s": 300, "max_response_s": 330}, lambda i: i["response_s"] is not None and 300 <= i["response_s"] < 330),
        ({"outcome": "no_arrival"}, lambda i: i["first_arrive_at"] is None),
        ({"exception": "long_travel"}, lambda i: i["has_long_travel"]),
    ]
    for params, keep in cases:
        frame = run(reader, "incidents/list", **period, **params, row_limit=5000)
        want = {i["incident_id"] for i in picked if keep(i)}
        assert set(frame["incident_id"]) == want, params
        if frame.height:
            assert frame["matched"][0] == len(want)
    slowest = run(reader, "incidents/list", **period, row_limit=10)
    assert slowest.height == 10 and slowest["matched"][0] == len(picked)
    seconds = [s for s in slowest["response_s"].to_list()]
    no_arrival = sum(i["first_arrive_at"] is None for i in picked)
    assert seconds[:no_arrival] == [None] * no_arrival
    assert seconds[no_arrival:] == sorted(seconds[no_arrival:], reverse=True)


# ---- drill-down links and the pages ------------------------------------------------------------

def test_drilldown_links_round_trip():
    f = filters.Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 28), ("baoan",), (), "en")
    drill = drilldown.Drill(incident_types=("fire",), call_weekday=3, call_hour=8, outcome="beyond", incident="JQ1")
    q = drilldown.params(f, drill.to_query())
    assert q["district"] == "baoan" and q["lang"] == "en" and q["incident"] == "JQ1"
    assert drilldown.Drill.from_query(q) == drill
    assert drilldown.link(f, group_query("district", "futian")).startswith("incidents?start=2026-10-01")
    assert "district=futian" in drilldown.link(f, group_query("district", "futian"))
    junk = drilldown.Drill.from_query({"incident_type": "fire,arson", "hour": "25", "weekday": "x", "outcome": "late"})
    assert junk == drilldown.Drill(incident_types=("fire",))
    # the way back: only to a page that drills down, with the shared filters (and the station) kept
    came = drilldown.Drill.from_query(drilldown.params(f, {"station": "YJ0007"}, "station"))
    assert came.origin == "station" and came.stations == ("YJ0007",)
    page, title, back = drilldown.way_back(f, came)
    assert page == "app_pages/station.py" and title == "page_station"
    assert back == {"start": "2026-10-01", "end": "2026-10-28", "district": "baoan", "lang": "en", "station": "YJ0007"}
    assert drilldown.way_back(f, drilldown.Drill.from_query({"from": "https://elsewhere.example"})) is None
    assert drilldown.way_back(f, drill) is None
    point = {"drill": encode({"weekday": "2", "hour": "7"})}  # a Vega-Lite point selection, as Streamlit reports it
    assert from_point(point) == {"weekday": "2", "hour": "7"}
    assert from_point({"drill": "no drill"}) is None and from_point({"drill": ""}) is None and from_point({}) is None


@pytest.fixture
def app(demo_warehouse, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("EMSS_WAREHOUSE", str(demo_warehouse))

    def make(page: str, **query: str) -> AppTest:
        at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py"), default_timeout=60)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return make


def metric(at, label):
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_response_page_answers_where_and_in_which_phase(app, raw):
    start, end = dt.date(2025, 6, 1), raw["as_of"]
    at = app("app_pages/response_times.py", start=start.isoformat(), end=end.isoformat())
    picked = in_period(raw, start, end)
    want = figures(picked)
    assert metric(at, i18n.text("kpi_rate", "zh")) == f"{want['within'] / want['timed'] * 100:.1f}%"
    rate = [m for m in at.metric if m.label == i18n.text("kpi_rate", "zh")][0]
    assert rate.delta == i18n.text("rate_count", "zh", within=f"{want['within']:,}", n=f"{want['timed']:,}")
    assert metric(at, i18n.text("kpi_p90", "zh")) == i18n.fmt_duration(want["p90"], "zh")

    text = " ".join(m.value for m in at.markdown)
    refused = [r for r in raw["refused"] if start <= r["call_date"] <= end and not r["is_kept"]]
    no_arrival = sum(i["first_arrive_at"] is None for i in picked)
    assert i18n.text("excl_no_arrival", "zh", n=f"{no_arrival:,}") in text
    if refused:
        assert f"{len({r['incident_id'] for r in refused}):,} 起警情的出警记录全部在导入时被拒收" in text

    # the worst judged district and incident type, and their slowest phase, named in words
    overall = {p: statistics.median([i[p] for i in picked if i[p] is not None]) for p in ("call_processing_s", "turnout_s", "travel_s")}
    for dimension in ("district", "incident_type"):
        groups = defaultdict(list)
        for i in picked:
            groups[i[dimension]].append(i)
        judged = {c: figures(g) for c, g in groups.items() if figures(g)["timed"] >= MIN_SAMPLE}
        worst = min(judged, key=lambda c: (judged[c]["rate"], -judged[c]["p90"]))
        assert f"**{i18n.label(dimension, worst, 'zh')}** 到场率最低" in text, dimension
        medians = {p: statistics.median([i[p] for i in groups[worst] if i[p] is not None]) - overall[p] for p in overall}
        phase = max(medians, key=medians.get).removesuffix("_s")
        assert f"**{i18n.text('phase_' + phase, 'zh')}**" in text, dimension

    assert not at.get("plotly_chart"), "the Response page loads no Plotly chart (its library would hold back the page)"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 6  # histogram, two weekly trends, phases, ECDF, weekday × hour
    specs = [json.loads(el.proto.spec) for el in charts]
    for spec in specs:  # each reports a click on a mark as the mark's drill-down
        assert any(p["name"] == "drill" for layer in [spec, *spec.get("layer", [])] for p in layer.get("params", []))
    for spec in (specs[0], specs[3], specs[4]):
        assert [layer["encoding"]["x"]["datum"] for layer in spec["layer"] if layer["mark"]["type"] == "rule"
                and "x" in layer["encoding"]] == [TARGET], "no target line"
    histogram = chart_rows(charts[0])
    seconds = [i["response_s"] for i in picked if i["response_s"] is not None]
    assert sum(r["n"] for r in histogram) == len(seconds)
    first = min(histogram, key=lambda r: r["from"])
    lo, hi = (int(v) for v in (from_point(first)["min_s"], from_point(first)["max_s"]))
    assert first["n"] == sum(lo <= s < hi for s in seconds)
    phases = chart_rows(charts[3])
    assert [r["phase"] for r in phases if r["rank"] == 0 and r.get("phase")] == [
        i18n.text(f"phase_{p}", "zh") for p in ("call_processing", "turnout", "travel")]
    grid = chart_rows(charts[5])
    assert len(grid) == 7 * 24 and grid[0]["drill"] == "weekday=1&hour=0"

    by_group = at.dataframe[0].value
    link = by_group[i18n.text("col_incident_list", "zh")].iloc[0]
    assert link.startswith("incidents?start=") and "district=" in link
    league = at.dataframe[1].value
    assert len(league) == len({r["station_id"] for r in raw["responses"]
                               if start <= raw["incidents"][r["incident_id"]]["call_date"] <= end})


def test_response_page_splits_by_incident_type(app, raw):
    at = app("app_pages/response_times.py", start="2024-01-01")
    at.selectbox(key="response_group_zh").select("incident_type").run()
    assert not at.exception
    table = at.dataframe[0].value
    picked = in_period(raw, dt.date(2024, 1, 1), raw["as_of"])
    shown = dict(zip(table[i18n.text("group_incident_type", "zh")], table[i18n.text("col_incidents", "zh")]))
    assert shown == {i18n.label("incident_type", k, "zh"): n for k, n in Counter(i["incident_type"] for i in picked).items()}


def test_incident_page_lists_the_drilled_incidents_and_opens_a_timeline(app, raw):
    start, end = dt.date(2024, 1, 1), raw["as_of"]
    picked = in_period(raw, start, end)
    kind = Counter(i["incident_type"] for i in picked).most_common(1)[0][0]
    late = [i for i in picked if i["incident_type"] == kind and i["is_within_target"] is False]
    multi = max((i for i in picked if i["first_arrive_at"] is not None),
                key=lambda i: (sum(r["incident_id"] == i["incident_id"] for r in raw["responses"]), i["incident_id"]))
    at = app("app_pages/incidents.py", start=start.isoformat(), end=end.isoformat(), incident_type=kind,
             outcome="beyond", incident=multi["incident_id"])
    assert at.query_params.get("incident") in (multi["incident_id"], [multi["incident_id"]])  # kept beside the filters
    listed = at.dataframe[0].value
    assert set(listed[i18n.text("col_incident_id", "zh")]) == {i["incident_id"] for i in late}
    # the station filter offers every station that responded in the period, by its registry name
    responded = {r["station_id"] for r in raw["responses"] if start <= raw["incidents"][r["incident_id"]]["call_date"] <= end}
    assert sorted(at.multiselect(key="incidents_stations_zh").options) == sorted(
        f"{raw['stations'][s]['station_name']} ({s})" for s in responded)

    units = [r for r in raw["responses"] if r["incident_id"] == multi["incident_id"]]
    assert metric(at, i18n.text("kpi_incident_response", "zh")) == i18n.fmt_duration(multi["response_s"], "zh")
    timeline = [rows for rows in map(chart_rows, at.get("vega_lite_chart")) if any(r.get("layer") == "phase" for r in rows)]
    assert not at.get("plotly_chart") and len(timeline) == 1
    travel = [r for r in timeline[0] if r["what"] == i18n.text("phase_travel", "zh")]
    # each travel bar from departure to arrival, as the city's wall clock on the chart's UTC scale
    wall_ms = lambda t: calendar.timegm(t.timetuple()) * 1000  # noqa: E731
    assert sorted((r["from"], r["to"]) for r in travel) == sorted(
        (wall_ms(r["depart_at"]), wall_ms(r["arrive_at"])) for r in units if r["depart_at"] and r["arrive_at"])
    arrivals = [r for r in timeline[0] if r["layer"] == "arrival"]
    assert sorted(r["from"] for r in arrivals) == sorted(wall_ms(r["arrive_at"]) for r in units if r["arrive_at"])
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert deck.get("mapProvider") is None
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert len(layers["stations"]["data"]) == len(units)
    assert len(layers["incident"]["data"]) == 1


def test_a_finding_opens_its_late_incidents_with_the_district_in_the_sidebar(app, raw):
    start, end = dt.date(2025, 6, 1), raw["as_of"]
    at = app("app_pages/response_times.py", start=start.isoformat(), end=end.isoformat())
    at.button(key="response_worst_district").click().run()
    assert not at.exception, [e.value for e in at.exception]
    district = at.query_params.get("district")
    district = district[0] if isinstance(district, list) else district
    assert at.query_params.get("outcome") in ("beyond", ["beyond"])
    assert at.sidebar.multiselect[0].value == [district]  # the drill narrowed the shared filter, not only the URL
    assert at.query_params.get("from") in ("response", ["response"])
    back = [el.proto for el in at.get("page_link")]
    assert [b.label for b in back if b.label.startswith("←")] == ["← 返回响应时间"]
    link = [c.value for c in at.sidebar.code]  # 复制链接: this view's address, the drilled district in it
    assert len(link) == 1 and f"district={district}" in link[0] and "outcome=beyond" in link[0]
    listed = at.dataframe[0].value
    late = {i["incident_id"] for i in in_period(raw, start, end, (district,)) if i["is_within_target"] is False}
    assert set(listed[i18n.text("col_incident_id", "zh")]) == late
