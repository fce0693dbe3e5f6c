"""The station network: build-out against the targets, readiness against the standard, inventory.

Expected figures are computed here another way: plain Python over rows read with plain
queries from the analyst views, and the standard read straight from emss/standard.toml,
never through the named queries or the readiness SQL under test. Two warehouses:
the shared fixture (demo generator, seed 7) and a tiny hand-made one whose every
figure is worked out by hand below.
"""

from __future__ import annotations

import re
import datetime as dt
import json
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from conftest import chart_rows, open_dashboard
from streamlit.testing.v1 import AppTest

import queries
from dashboard import i18n
from emss import figures
from etl.load import ingest
from warehouse.connection import open_reader

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
STANDARD = tomllib.loads((ROOT / "emss" / "standard.toml").read_text(encoding="utf-8"))


# ---- the standard, and readiness judged in plain Python -------------------------------

def kit(kind: str) -> list[tuple[str, float, list[str]]]:
    """(item, required, names counted under it) of one kit, from the TOML itself."""
    out = []
    for item, spec in STANDARD["kit"][kind].items():
        if isinstance(spec, dict):
            out.append((item, spec["required"], spec.get("names", [item])))
        else:
            out.append((item, spec, [item]))
    return sorted(out)


def number(x) -> str:
    return str(int(x)) if float(x) == int(x) else str(x)


def judge(station: dict, counts: dict[dt.date, list[dict]], day: dt.date) -> dict:
    """One station's readiness on `day`: its shortfalls as (check, item, actual, required), in
    the order a reader expects (staff, roles, vehicles, duty, count, kit, expired), and the checks."""
    std = STANDARD
    lo, hi, vmin = std["staff"]["min"], std["staff"]["max"], std["vehicles"]["min"]
    short: list[tuple] = []
    staff = station["staff_count"]
    staff_ok = staff is not None and lo <= staff <= hi
    if not staff_ok:
        short.append(("staff", None, staff, f"{lo}–{hi}"))
    roles = [spec["name"] for role, spec in std["roles"].items() if (station[f"{role}_count"] or 0) < 1]
    short += [("role", name, None, None) for name in roles]
    vehicles_ok = (station["vehicle_count"] or 0) >= vmin
    if not vehicles_ok:
        short.append(("vehicles", None, station["vehicle_count"], str(vmin)))
    duty_ok = bool(station["is_24h"])
    if not duty_ok:
        short.append(("duty", station["duty_mode"], None, None))
    on_record = [d for d in counts if d <= day]
    lines = counts[max(on_record)] if on_record else []
    if not on_record:
        short.append(("no_count", None, None, None))
    kit_short = {"mandatory": [], "forest": []}
    for kind in ("mandatory", "forest") if station["is_forest"] else ("mandatory",):
        for item, required, names in kit(kind):
            usable = sum(line["quantity"] for line in lines if line["item"] in names and line["status"] == "ok"
                         and (line["expires_on"] is None or line["expires_on"] >= day))
            if usable < required:
                kit_short[kind].append((f"{kind}_kit", item, usable, number(required)))
    if on_record:
        short += kit_short["mandatory"] + kit_short["forest"]
    expired = sorted((line["item"], line["quantity"]) for line in lines
                     if line["expires_on"] is not None and line["expires_on"] < day and line["quantity"] > 0)
    short += [("expired", item, quantity, None) for item, quantity in expired]
    kit_ok = bool(on_record) and not kit_short["mandatory"]
    forest_ok = not station["is_forest"] or (bool(on_record) and not kit_short["forest"])
    passed = [staff_ok, not roles, vehicles_ok, duty_ok, kit_ok, not expired] + ([forest_ok] if station["is_forest"] else [])
    return {"shortfalls": short, "compliant": all(passed) and forest_ok, "passed": sum(passed), "total": len(passed),
            "forest_ok": forest_ok, "kit_ok": kit_ok, "in_date_ok": not expired}


def rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def load_facts(con) -> dict:
    stations = {s["station_id"]: s for s in rows(con, "select * from stations")}
    counts: dict[str, dict[dt.date, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for line in rows(con, "select station_id, counted_on, item, category, quantity, required_quantity, expires_on, "
                          "status from inventory"):
        counts[line["station_id"]][line["counted_on"]].append(line)
    return {
        "as_of": con.execute("select as_of_date from data_as_of").fetchall()[0][0],
        "stations": stations,
        "counts": counts,
        "targets": rows(con, "select * from station_targets"),
    }


def in_service(station: dict, day: dt.date) -> bool:
    return station["opened_on"] <= day and (station["closed_on"] is None or station["closed_on"] > day)


def shortfall_tuples(structs) -> list[tuple]:
    return [(s["check"], s["item"], s["actual"], s["required"]) for s in structs]


def latest_lines(facts: dict, station_id: str) -> list[dict]:
    counts = facts["counts"].get(station_id) or {}
    return counts[max(counts)] if counts else []


@pytest.fixture(scope="module")
def facts(demo_warehouse) -> dict:
    con = open_reader(demo_warehouse)
    try:
        return load_facts(con)
    finally:
        con.close()


# ---- a tiny hand-made warehouse: every figure below is worked out by hand ------------

STATION_CSV = """站点编号,站点名称,站点类型,所属区,经度,纬度,坐标系,建成日期,撤销日期,值班模式,队员人数,队长,副队长,通信员,安全员,应急处置车辆数,是否林区站
A1,宝安甲站,社区服务站,宝安区,113.88,22.58,WGS-84,2024-03-01,,24小时,12,1,1,1,1,2,否
F1,大鹏林区站,其他类型站,大鹏新区,114.50,22.55,WGS-84,2026-03-15,,24小时,15,1,1,1,1,3,是
C1,福田撤销站,小型站,福田区,114.05,22.54,WGS-84,2024-05-01,2026-02-01,24小时,12,1,1,1,1,2,否
M1,福田商超站,大型商超站,福田区,114.06,22.53,WGS-84,2026-06-01,,日间,8,1,0,1,1,1,否
"""
MANDATORY = [("微型巡逻车", 1), ("灭火器", 10), ("消防泵", 1), ("个人防护装备", 10), ("破拆工具", 1),
             ("水域救生器材", 2), ("应急通信设备", 4)]


def count_lines(station: str, on: str, broken: str | None = None, extra: list[str] = ()) -> list[str]:
    out = [f"{station},{item},必配装备,{n},{n},,{'损坏' if item == broken else '完好'},{on}" for item, n in MANDATORY]
    return out + [f"{station},{line},{on}" for line in extra]


INVENTORY_CSV = "\n".join([
    "站点编号,物资名称,物资类别,库存数量,标准配置数,有效期至,状态,盘点日期",
    # A1, first count: the extinguishers damaged, the first-aid kits good until 1 March
    *count_lines("A1", "2026-01-10", broken="灭火器", extra=["急救包,应急物资,10,10,2026-03-01,完好"]),
    # A1, second count (the latest): all in order; first-aid kits 15 days from the as-of date, medicine 82
    *count_lines("A1", "2026-06-30", extra=["急救包,应急物资,10,10,2026-07-15,完好",
                                            "紧急医药箱,便民物资,2,2,2026-09-20,完好"]),
    # F1, forest station: no water pump row at all; first-aid kits expired the day before the as-of
    # date; medicine due on the as-of date itself; power banks in repair
    *count_lines("F1", "2026-06-20", extra=["森林消防水车,林区装备,1,1,,完好", "搜救装备,林区装备,2,2,,完好",
                                            "水域救援装备,林区装备,2,2,,完好", "急救包,应急物资,5,10,2026-06-29,完好",
                                            "紧急医药箱,便民物资,2,2,2026-06-30,完好", "充电宝,便民物资,5,5,,维修中"]),
    # C1 (closed 2026-02-01): one count while open
    *count_lines("C1", "2025-06-01"),
    # M1: never counted
]) + "\n"
TARGET_CSV = """年度,站点类型,所属区,目标数量
2026,社区服务站,宝安区,2
2026,其他类型站,大鹏新区,1
2026,大型商超站,福田区,1
2025,小型站,,3
2025,小型站,福田区,1
"""
HAND_AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hand")
    files = []
    for name, text in (("站点台账.csv", STATION_CSV), ("物资盘点.csv", INVENTORY_CSV), ("年度建站目标.csv", TARGET_CSV)):
        (folder / name).write_text(text, encoding="utf-8")
        files.append(folder / name)
    warehouse = folder / "w.duckdb"
    reports = ingest(files, warehouse)
    assert all(r.outcome == "loaded" for r in reports), [r.message for r in reports]
    con = open_reader(warehouse)
    yield con
    con.close()


def by(frame, key: str) -> dict:
    return {r[key]: r for r in frame.to_dicts()}


def test_hand_made_build_out_against_district_targets(hand):
    assert hand.execute("select as_of_date from data_as_of").fetchall()[0][0] == HAND_AS_OF
    city = by(queries.run(hand, "stations/vs_target"), "station_type")
    # 2026 has district rows only: the city's target is their sum
    assert {k: v["target_count"] for k, v in city.items() if v["target_count"] is not None} == \
        {"community": 2, "other": 1, "mall": 1}
    # F1 (other, opened 15 March) and M1 (mall, 1 June) opened mid-year; C1 closed in February
    assert {k: (v["in_service"], v["opened_this_year"]) for k, v in city.items() if v["in_service"] or v["opened_this_year"]} \
        == {"community": (1, 0), "other": (1, 1), "mall": (1, 1)}
    # 181 of 365 days gone: due 2 × 181/365 = 0.99; other at its pace 1 × 365/181 = 2.02
    assert city["community"]["expected_to_date"] == 1.0
    assert city["other"]["expected_to_date"] == 0.5
    assert city["other"]["projected_year_end"] == 2.0
    assert city["community"]["projected_year_end"] == 0.0
    # the day before F1 opened, it is neither in service nor opened this year
    before = by(queries.run(hand, "stations/vs_target", {"as_of": dt.date(2026, 3, 14)}), "station_type")
    assert (before["other"]["in_service"], before["other"]["opened_this_year"]) == (0, 0)
    # a district filter takes that district's rows only
    dapeng = by(queries.run(hand, "stations/vs_target", {"districts": ["dapeng"]}), "station_type")
    assert dapeng["other"]["target_count"] == 1 and dapeng["community"]["target_count"] is None
    # 2025: a city-wide row wins over the district rows; a district sees its own row
    end_2025 = dt.date(2025, 12, 31)
    assert by(queries.run(hand, "stations/vs_target", {"as_of": end_2025}), "station_type")["small"]["target_count"] == 3
    futian = by(queries.run(hand, "stations/vs_target", {"as_of": end_2025, "districts": ["futian"]}), "station_type")
    assert futian["small"]["target_count"] == 1 and futian["small"]["in_service"] == 1  # C1, still open then

    districts = by(queries.run(hand, "stations/build_by_district"), "district")
    assert (districts["dapeng"]["opened_this_year"], districts["dapeng"]["target_count"]) == (1, 1)
    assert (districts["futian"]["in_service"], districts["futian"]["target_count"]) == (1, 1)  # M1; C1 closed
    assert districts["luohu"]["target_count"] is None

    years = {(r["year"], r["station_type"]): r for r in queries.run(hand, "stations/build_by_year").to_dicts()}
    assert (years[(2024, "small")]["opened"], years[(2024, "small")]["target_count"]) == (1, None)
    assert years[(2025, "small")]["target_count"] == 3 and years[(2025, "small")]["in_service_at_year_end"] == 1
    assert years[(2026, "small")]["in_service_at_year_end"] == 0  # C1 closed in February


def test_hand_made_trajectory(hand):
    months = queries.run(hand, "stations/build_trajectory").to_dicts()
    assert [m["opened_in_month"] for m in months] == [0, 0, 1, 0, 0, 1] + [None] * 6
    assert [m["opened_cumulative"] for m in months] == [0, 0, 1, 1, 1, 2] + [None] * 6
    assert months[5]["target_cumulative"] == round(4 * 181 / 365, 1)
    assert months[11]["target_cumulative"] == 4.0
    # from the as-of date on: 2 so far, 2/181 a day
    assert months[4]["projected_cumulative"] is None
    assert months[5]["projected_cumulative"] == 2.0
    assert months[11]["projected_cumulative"] == round(2 + 2 / 181 * 184, 1)


def test_hand_made_readiness(hand):
    got = by(queries.run(hand, "stations/register"), "station_id")
    assert got["A1"]["is_compliant"] and got["A1"]["shortfalls"] == []  # the latest count wins
    assert shortfall_tuples(got["F1"]["shortfalls"]) == [("forest_kit", "水泵", 0.0, "2"), ("expired", "急救包", 5.0, None)]
    assert (got["F1"]["checks_passed"], got["F1"]["checks_total"], got["F1"]["readiness_score"]) == (5, 7, 0.714)
    assert shortfall_tuples(got["M1"]["shortfalls"]) == [
        ("staff", None, 8.0, "10–30"), ("role", "副队长", None, None), ("vehicles", None, 1.0, "2"),
        ("duty", "日间", None, None), ("no_count", None, None, None)]
    assert (got["M1"]["checks_passed"], got["M1"]["readiness_score"]) == (1, 0.167)
    assert got["M1"]["shortfalls_zh"] == "人员8人，标准10–30人；缺副队长；车辆1辆，少于2辆；非24小时值班（日间）；无物资盘点记录"
    assert got["F1"]["shortfalls_zh"] == "林区装备不足：水泵（可用0，应配2）；物资过期：急救包"

    summary = queries.run(hand, "stations/readiness_summary").row(0, named=True)
    assert (summary["stations_in_service"], summary["compliant"]) == (3, 1)  # A1, F1, M1; C1 closed
    trend = by(queries.run(hand, "stations/readiness_trend", {"start_date": dt.date(2025, 1, 1)}), "judged_on")
    point = lambda d: (trend[d]["stations_in_service"], trend[d]["compliant"], trend[d]["without_count"])  # noqa: E731
    assert point(dt.date(2025, 12, 31)) == (2, 1, 1)  # A1 not counted yet; C1 fine
    assert point(dt.date(2026, 1, 31)) == (2, 1, 0)  # A1's extinguishers damaged
    assert point(dt.date(2026, 2, 28)) == (1, 0, 0)  # C1 closed on 1 February
    assert point(dt.date(2026, 3, 31)) == (2, 0, 1)  # F1 open, not counted; A1's first-aid kits expired 1 March
    assert trend[dt.date(2026, 3, 31)]["expired"] == 1
    assert point(HAND_AS_OF) == (3, 1, 1) and trend[HAND_AS_OF]["is_as_of_date"]


def test_hand_made_inventory(hand):
    summary = queries.run(hand, "inventory/expiry_summary").row(0, named=True)
    # F1's first-aid kits expired; within 30 days: A1's first-aid kits (15) and F1's medicine (0);
    # within 90 adds A1's medicine (82)
    assert (summary["expired_lines"], summary["expired_stations"]) == (1, 1)
    assert (summary["within_30_lines"], summary["within_30_stations"]) == (2, 2)
    assert (summary["within_90_lines"], summary["within_90_stations"]) == (3, 2)
    listed = queries.run(hand, "inventory/expiring", {"within_days": 30})
    assert sorted(zip(listed["station_id"], listed["item"], listed["days_to_expiry"])) == \
        [("A1", "急救包", 15), ("F1", "急救包", -1), ("F1", "紧急医药箱", 0)]
    assert queries.run(hand, "inventory/expiring").height == 4  # 90 days by default
    faults = queries.run(hand, "inventory/faults")  # A1's damaged extinguishers were on the older count
    assert list(zip(faults["station_id"], faults["item"], faults["status"])) == [("F1", "充电宝", "in_repair")]
    fresh = by(queries.run(hand, "inventory/count_freshness"), "station_id")
    assert set(fresh) == {"A1", "F1", "M1"}
    assert (fresh["A1"]["count_age_days"], fresh["A1"]["counts_on_record"], fresh["A1"]["is_count_stale"]) == (0, 2, False)
    assert (fresh["F1"]["count_age_days"], fresh["M1"]["last_counted_on"], fresh["M1"]["is_count_stale"]) == (10, None, True)
    stock = by(queries.run(hand, "inventory/station_stock", {"station": "A1"}), "item")
    assert stock["灭火器"]["status"] == "ok" and stock["灭火器"]["kit_item"] == "灭火装置"
    assert stock["急救包"]["expires_on"] == dt.date(2026, 7, 15)
    category = by(queries.run(hand, "inventory/stock_by_category"), "category")
    assert category["forest_kit"]["lines"] == 3 and category["mandatory_kit"]["lines"] == 14
    assert category["convenience"]["lines_with_faults"] == 1
    # F1's 5 first-aid kits are expired: usable 0 of 10; A1's 10 of 10
    assert category["emergency"]["usable_quantity"] == 10 and category["emergency"]["required_quantity"] == 20


# ---- the fixture warehouse, against plain Python ---------------------------------------

def test_fixture_holds_the_cases_that_matter(facts):
    stations = facts["stations"].values()
    year = facts["as_of"].year
    assert any(s["closed_on"] for s in stations), "no closed station"
    assert any(s["opened_on"].year == year and s["opened_on"] > dt.date(year, 1, 1) for s in stations), "none opened mid-year"
    assert any(len(c) >= 2 for c in facts["counts"].values()), "no station with two counts"
    forest_short = [sid for sid, s in facts["stations"].items() if s["is_forest"]
                    and any(x[0] == "forest_kit" for x in judge(s, facts["counts"][sid], facts["as_of"])["shortfalls"])]
    assert forest_short, "no forest station missing forest kit"


@pytest.mark.parametrize("day", [None, dt.date(2025, 6, 30), dt.date(2024, 12, 31)])
def test_vs_target_and_trajectory_against_plain_python(reader, facts, day):
    day = day or facts["as_of"]
    stations = list(facts["stations"].values())
    targets = {t["station_type"]: t["target_count"] for t in facts["targets"] if t["year"] == day.year and t["district"] is None}
    got = by(queries.run(reader, "stations/vs_target", {"as_of": day}), "station_type")
    jan1 = dt.date(day.year, 1, 1)
    elapsed, year_days = (day - jan1).days + 1, (dt.date(day.year, 12, 31) - jan1).days + 1
    for code, row in got.items():
        opened = sum(1 for s in stations if s["station_type"] == code and s["opened_on"].year == day.year and s["opened_on"] <= day)
        assert row["in_service"] == sum(1 for s in stations if s["station_type"] == code and in_service(s, day))
        assert row["opened_this_year"] == opened
        assert row["target_count"] == targets.get(code)
        if code in targets:
            assert row["expected_to_date"] == pytest.approx(targets[code] * elapsed / year_days, abs=0.05)
        assert row["projected_year_end"] == pytest.approx(opened * year_days / elapsed, abs=0.05)

    months = queries.run(reader, "stations/build_trajectory", {"as_of": day}).to_dicts()
    this_year = [s["opened_on"] for s in stations if s["opened_on"].year == day.year and s["opened_on"] <= day]
    for m in months:
        if m["month_start"] > day:
            assert m["opened_cumulative"] is None
        else:
            assert m["opened_in_month"] == sum(1 for d in this_year if (d.year, d.month) == (day.year, m["month_start"].month))
            assert m["opened_cumulative"] == sum(1 for d in this_year if d <= m["month_end"])
        due = sum(targets.values()) * ((m["month_end"] - jan1).days + 1) / year_days
        assert m["target_cumulative"] == pytest.approx(due, abs=0.05)
    assert months[-1]["projected_cumulative"] == pytest.approx(len(this_year) * year_days / elapsed, abs=0.05)


def test_a_station_opened_mid_year_counts_from_its_opening_day(reader, facts):
    year = facts["as_of"].year
    mid = min((s for s in facts["stations"].values() if s["opened_on"].year == year and s["opened_on"].month > 1),
              key=lambda s: s["opened_on"])
    day = mid["opened_on"]
    before = by(queries.run(reader, "stations/vs_target", {"as_of": day - dt.timedelta(days=1)}), "station_type")
    after = by(queries.run(reader, "stations/vs_target", {"as_of": day}), "station_type")
    same_day = sum(1 for s in facts["stations"].values() if s["station_type"] == mid["station_type"] and s["opened_on"] == day)
    kind = mid["station_type"]
    assert after[kind]["opened_this_year"] - before[kind]["opened_this_year"] == same_day
    months = queries.run(reader, "stations/build_trajectory", {"as_of": facts["as_of"], "station_types": [kind]}).to_dicts()
    assert months[day.month - 1]["opened_in_month"] >= 1


def test_closed_station_leaves_service_but_stays_built(reader, facts):
    closed = next(s for s in facts["stations"].values() if s["closed_on"])
    years = {(r["year"], r["station_type"]): r for r in queries.run(reader, "stations/build_by_year").to_dicts()}
    kind, built = closed["station_type"], closed["opened_on"].year
    assert years[(built, kind)]["opened"] == sum(1 for s in facts["stations"].values()
                                                 if s["station_type"] == kind and s["opened_on"].year == built)
    end = dt.date(closed["closed_on"].year, 12, 31)
    assert years[(end.year, kind)]["in_service_at_year_end"] == sum(
        1 for s in facts["stations"].values() if s["station_type"] == kind and in_service(s, min(end, facts["as_of"])))
    register = by(queries.run(reader, "stations/register"), "station_id")
    assert not register[closed["station_id"]]["in_service"]


def test_readiness_of_every_station_against_an_independent_check(reader, facts):
    got = by(queries.run(reader, "stations/register"), "station_id")
    assert set(got) == set(facts["stations"])
    for sid, s in facts["stations"].items():
        expected = judge(s, facts["counts"][sid], facts["as_of"])
        assert shortfall_tuples(got[sid]["shortfalls"]) == expected["shortfalls"], sid
        assert got[sid]["is_compliant"] == expected["compliant"], sid
        assert (got[sid]["checks_passed"], got[sid]["checks_total"]) == (expected["passed"], expected["total"]), sid
        assert got[sid]["readiness_score"] == round(expected["passed"] / expected["total"], 3), sid
    # the station with two counts is judged on the later one
    two = [sid for sid, c in facts["counts"].items() if len(c) >= 2]
    latest = rows(reader, "select station_id, counted_on, item from inventory_latest")
    for sid in two:
        assert {r["counted_on"] for r in latest if r["station_id"] == sid} == {max(facts["counts"][sid])}
        assert {r["item"] for r in latest if r["station_id"] == sid} == {x["item"] for x in latest_lines(facts, sid)}


def test_readiness_share_breakdown_and_trend(reader, facts):
    day = facts["as_of"]
    open_now = {sid: s for sid, s in facts["stations"].items() if in_service(s, day)}
    judged = {sid: judge(s, facts["counts"][sid], day) for sid, s in open_now.items()}
    summary = queries.run(reader, "stations/readiness_summary").row(0, named=True)
    assert summary["stations_in_service"] == len(open_now)
    assert summary["compliant"] == sum(j["compliant"] for j in judged.values())

    breakdown = {(r["dimension"], r["code"]): r for r in queries.run(reader, "stations/readiness_breakdown").to_dicts()}
    for dim in ("district", "station_type"):
        groups = Counter(s[dim] for s in open_now.values())
        good = Counter(s[dim] for sid, s in open_now.items() if judged[sid]["compliant"])
        for code, n in groups.items():
            assert (breakdown[(dim, code)]["stations_in_service"], breakdown[(dim, code)]["compliant"]) == (n, good[code])

    checks = by(queries.run(reader, "stations/readiness_by_check"), "check_code")
    assert checks["forest_kit"]["stations_checked"] == sum(1 for s in open_now.values() if s["is_forest"])
    assert checks["forest_kit"]["stations_failing"] == sum(1 for j in judged.values() if not j["forest_ok"])
    assert checks["in_date"]["stations_failing"] == sum(1 for j in judged.values() if not j["in_date_ok"])

    trend = queries.run(reader, "stations/readiness_trend", {"start_date": dt.date(2025, 1, 1)}).to_dicts()
    assert trend[-1]["judged_on"] == day and trend[-1]["compliant"] == summary["compliant"]
    for point in trend:
        on = point["judged_on"]
        if on != day:
            assert on.month != (on + dt.timedelta(days=1)).month, f"{on} is not a month end"
        open_then = {sid: s for sid, s in facts["stations"].items() if in_service(s, on)}
        verdicts = [judge(s, facts["counts"][sid], on) for sid, s in open_then.items()]
        assert point["stations_in_service"] == len(open_then), on
        assert point["compliant"] == sum(v["compliant"] for v in verdicts), on
        assert point["without_count"] == sum(1 for sid in open_then if not any(d <= on for d in facts["counts"][sid])), on


def test_shortfalls_read_the_same_in_words_as_in_the_warehouse(reader):
    rows_ = queries.run(reader, "stations/register").to_dicts()
    with_short = [r for r in rows_ if r["shortfalls"]]
    assert with_short
    for r in with_short:
        assert "；".join(i18n.shortfall(s, "zh") for s in r["shortfalls"]) == r["shortfalls_zh"]
        english = [i18n.shortfall(s, "en") for s in r["shortfalls"]]
        for s, text in zip(r["shortfalls"], english):
            if s["check"] in ("role", "mandatory_kit", "forest_kit"):  # names the standard translates
                assert s["item_en"] and s["item_en"] in text and s["item"] not in text, text


def test_expiry_windows_against_plain_python(reader, facts):
    day = facts["as_of"]
    dated = [(sid, line) for sid, s in facts["stations"].items() if in_service(s, day)
             for line in latest_lines(facts, sid) if line["expires_on"] is not None and line["quantity"] > 0]
    left = lambda line: (line["expires_on"] - day).days  # noqa: E731
    expected = {
        "expired": [(sid, line["item"]) for sid, line in dated if left(line) < 0],
        "within_30": [(sid, line["item"]) for sid, line in dated if 0 <= left(line) <= 30],
        "within_90": [(sid, line["item"]) for sid, line in dated if 0 <= left(line) <= 90],
    }
    assert expected["expired"] and expected["within_90"], "the fixture should hold expired and expiring supplies"
    summary = queries.run(reader, "inventory/expiry_summary").row(0, named=True)
    for name, found in expected.items():
        assert summary[f"{name}_lines"] == len(found), name
        assert summary[f"{name}_stations"] == len({sid for sid, _ in found}), name
    for days in (30, 90):
        listed = queries.run(reader, "inventory/expiring", {"within_days": days})
        assert sorted(zip(listed["station_id"], listed["item"])) == sorted(
            (sid, line["item"]) for sid, line in dated if left(line) <= days)


def test_stock_faults_and_stale_counts_against_plain_python(reader, facts):
    day = facts["as_of"]
    open_ids = [sid for sid, s in facts["stations"].items() if in_service(s, day)]
    lines = [(sid, line) for sid in open_ids for line in latest_lines(facts, sid)]
    usable = lambda line: line["quantity"] if line["status"] == "ok" and (  # noqa: E731
        line["expires_on"] is None or line["expires_on"] >= day) else 0
    items = by(queries.run(reader, "inventory/stock_by_item"), "item")
    for item in {line["item"] for _, line in lines}:
        mine = [line for _, line in lines if line["item"] == item]
        assert items[item]["quantity"] == sum(x["quantity"] for x in mine), item
        assert items[item]["usable_quantity"] == sum(usable(x) for x in mine), item
        assert items[item]["stations_short"] == sum(1 for x in mine if usable(x) < x["required_quantity"]), item
    faults = queries.run(reader, "inventory/faults")
    assert sorted(zip(faults["station_id"], faults["item"])) == sorted(
        (sid, line["item"]) for sid, line in lines if line["status"] in ("damaged", "in_repair"))
    fresh = by(queries.run(reader, "inventory/count_freshness"), "station_id")
    assert set(fresh) == set(open_ids)
    for sid in open_ids:
        last = max(facts["counts"][sid]) if facts["counts"][sid] else None
        assert fresh[sid]["last_counted_on"] == last
        assert fresh[sid]["is_count_stale"] == (last is None or (day - last).days > STANDARD["inventory"]["stale_after_days"])
    assert any(r["is_count_stale"] for r in fresh.values()), "the fixture should hold a stale count"


def test_station_response_against_plain_python(reader, facts):
    responses = rows(reader, "select incident_id, station_id, call_at, arrive_at from responses")
    first: dict[str, dt.datetime] = {}
    for r in responses:
        if r["arrive_at"] is not None:
            first[r["incident_id"]] = min(first.get(r["incident_id"], r["arrive_at"]), r["arrive_at"])
    start, end = dt.date(2026, 1, 1), facts["as_of"]
    busiest = Counter(r["station_id"] for r in responses if start <= r["call_at"].date() <= end).most_common(1)[0][0]
    mine = [r for r in responses if r["station_id"] == busiest and start <= r["call_at"].date() <= end]
    seconds = sorted(round((r["arrive_at"] - r["call_at"]).total_seconds()) for r in mine if r["arrive_at"])
    params = {"station": busiest, "start_date": start, "end_date": end}
    got = queries.run(reader, "stations/station_response", params).row(0, named=True)
    assert got["responses"] == len(mine)
    assert got["arrived"] == len(seconds)
    assert got["within_target"] == sum(s <= 300 for s in seconds)
    assert got["first_on_scene"] == sum(1 for r in mine if r["arrive_at"] and r["arrive_at"] == first[r["incident_id"]])
    pos = 0.9 * (len(seconds) - 1)
    p90 = seconds[int(pos)] + (seconds[min(int(pos) + 1, len(seconds) - 1)] - seconds[int(pos)]) * (pos - int(pos))
    assert got["p90_response_s"] == pytest.approx(p90)
    weekly = queries.run(reader, "stations/station_weekly", params)
    assert weekly["responses"].sum() == len(mine)
    listed = queries.run(reader, "stations/station_incidents", params)
    assert sorted(listed["incident_id"]) == sorted(r["incident_id"] for r in mine)


def test_neighbours_are_the_nearest_in_service(reader, facts):
    import math

    day = facts["as_of"]
    me = next(s for s in facts["stations"].values() if in_service(s, day))

    def metres(a, b):
        dlat, dlon = math.radians(b["lat"] - a["lat"]), math.radians(b["lon"] - a["lon"])
        h = math.sin(dlat / 2) ** 2 + math.cos(math.radians(a["lat"])) * math.cos(math.radians(b["lat"])) * math.sin(dlon / 2) ** 2
        return 2 * 6371000 * math.asin(math.sqrt(h))

    others = sorted((metres(me, s), sid) for sid, s in facts["stations"].items()
                    if sid != me["station_id"] and in_service(s, day) and s["lat"] is not None)
    got = queries.run(reader, "stations/neighbours", {"station": me["station_id"], "n": 4})
    assert got["station_id"].to_list() == [sid for _, sid in others[:4]]
    assert got["distance_m"].to_list() == pytest.approx([d for d, _ in others[:4]], abs=1)


# ---- the pages ------------------------------------------------------------------------

@pytest.fixture
def app(demo_warehouse, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(demo_warehouse))

    def make(page: str | None = None, **query: str) -> AppTest:
        return open_dashboard(page, **query)

    return make


def metric(at: AppTest, key: str, lang: str = "zh", **fmt) -> str:
    label = i18n.text(key, lang, **fmt)
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def table(at: AppTest, *headers: str):
    """The first table on the page holding all these (Chinese) headers."""
    for df in at.dataframe:
        if all(h in df.value.columns for h in headers):
            return df.value
    raise AssertionError(f"no table with {headers}")


def build_rows(frame) -> dict:
    t = lambda k: i18n.text(k, "zh")  # noqa: E731
    target = lambda v: None if v != v else v  # noqa: E731  (a missing target: NaN in one table, None in another)
    return {r[t("col_station_type")]: (r[t("col_in_service")], r[t("col_opened_this_year")], target(r[t("col_target")]),
                                       r[t("col_status")]) for _, r in frame.iterrows()}


@pytest.mark.parametrize("query", [{}, {"district": "baoan"}, {"type": "community,small"}])
def test_overview_and_stations_page_agree_to_the_unit(app, facts, query):
    overview, stations = app(**query), app("stations", **query)
    for key in ("kpi_in_service",):
        assert metric(overview, key) == metric(stations, key)
    year = facts["as_of"].year
    # the board colours its value by status (Streamlit's :colour[...]); the figure itself must agree
    uncoloured = re.sub(r"^:\w+\[(.*)\]$", r"\1", metric(overview, "kpi_built_vs_target", year=year))
    assert uncoloured == metric(stations, "kpi_built_vs_target", year=year)
    headers = (i18n.text("col_station_type", "zh"), i18n.text("col_opened_this_year", "zh"))
    assert build_rows(table(overview, *headers)) == build_rows(table(stations, *headers))
    # and both say what plain Python counts
    types = query.get("type", "").split(",") if query.get("type") else []
    districts = [query["district"]] if query.get("district") else []
    chosen = [s for s in facts["stations"].values()
              if (not types or s["station_type"] in types) and (not districts or s["district"] in districts)]
    assert metric(stations, "kpi_in_service") == f"{sum(in_service(s, facts['as_of']) for s in chosen):,}"
    opened = sum(1 for s in chosen if s["opened_on"].year == year)
    assert metric(stations, "kpi_built_vs_target", year=year).startswith(f"{opened:,} / ")


def test_a_past_year_shows_over_achievement(app, facts):
    at = app("stations")
    year = facts["as_of"].year - 1
    at.selectbox(key="build_year").select(year).run()
    assert not at.exception
    opened = Counter(s["station_type"] for s in facts["stations"].values() if s["opened_on"].year == year)
    target = {t["station_type"]: t["target_count"] for t in facts["targets"] if t["year"] == year and t["district"] is None}
    shown = build_rows(table(at, i18n.text("col_station_type", "zh"), i18n.text("col_projected_year_end", "zh")))
    over = [code for code in target if opened[code] > target[code]]
    assert over
    for code in over:
        label = i18n.label("station_type", code, "zh")
        assert shown[label][1:] == (opened[code], target[code], "超额完成")
    assert metric(at, "kpi_built_vs_target", year=year) == f"{sum(opened.values()):,} / {sum(target.values()):,}"


def test_register_links_every_station_to_its_page(app, facts):
    at = app("stations")
    register = at.dataframe[-1].value
    ids = list(register[i18n.text("col_station_id", "zh")])
    assert set(ids) == {sid for sid, s in facts["stations"].items() if in_service(s, facts["as_of"])}
    links = list(register[i18n.text("col_station_page", "zh")])
    assert all(link.startswith(f"station?station={sid}&") for sid, link in zip(ids, links))
    at.text_input(key="register_search").input(ids[0]).run()
    assert list(at.dataframe[-1].value[i18n.text("col_station_id", "zh")]) == [ids[0]]


def expected_phrases(shortfalls: list[tuple]) -> list[str]:
    """The Chinese words for each shortfall, written out here rather than taken from i18n."""
    out = []
    for check, item, actual, required in shortfalls:
        n = None if actual is None else number(actual)
        out.append({
            "staff": f"人员{n or '未知'}人，标准{required}人", "role": f"缺{item}",
            "vehicles": f"车辆{n or '未知'}辆，少于{required}辆", "duty": f"非24小时值班（{item}）",
            "no_count": "无物资盘点记录", "mandatory_kit": f"必配装备不足：{item}（可用{n}，应配{required}）",
            "forest_kit": f"林区装备不足：{item}（可用{n}，应配{required}）", "expired": f"物资过期：{item}",
        }[check])
    return out


def test_the_page_of_a_non_compliant_station_lists_exactly_its_shortfalls(app, facts):
    day = facts["as_of"]
    judged = {sid: judge(s, facts["counts"][sid], day) for sid, s in facts["stations"].items() if in_service(s, day)}
    # one station for each kind of shortfall the fixture holds
    picks = {}
    for sid, j in sorted(judged.items()):
        for check, *_ in j["shortfalls"]:
            picks.setdefault(check, sid)
    assert {"forest_kit", "expired", "mandatory_kit"} <= set(picks), picks
    for sid in sorted(set(picks.values())):
        at = app("station", station=sid)
        shown = table(at, i18n.text("col_shortfall", "zh"))
        assert list(shown[i18n.text("col_shortfall", "zh")]) == expected_phrases(judged[sid]["shortfalls"]), sid
        assert not at.success
    # in English, the standard's items read in English
    sid = picks["forest_kit"]
    at = app("station", station=sid, lang="en")
    shown = list(table(at, i18n.text("col_shortfall", "en"))[i18n.text("col_shortfall", "en")])
    assert any(text.startswith("forest kit short: ") for text in shown)
    translated = [item for check, item, *_ in judged[sid]["shortfalls"] if check in ("role", "mandatory_kit", "forest_kit")]
    assert translated and not any(item in " ".join(shown) for item in translated)


def test_the_page_of_a_compliant_station(app, facts):
    day = facts["as_of"]
    sid = next(sid for sid, s in sorted(facts["stations"].items())
               if in_service(s, day) and judge(s, facts["counts"][sid], day)["compliant"])
    at = app("station", station=sid)
    assert [s.value for s in at.success] == [i18n.text("station_compliant", "zh")]
    assert metric(at, "kpi_score") == "100%"
    stock = table(at, i18n.text("col_item", "zh"), i18n.text("col_usable", "zh"))
    assert len(stock) == len(latest_lines(facts, sid))
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert deck.get("mapProvider") is None
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert list(layers) == ["districts", "neighbours", "station", "district_names"]

    def red(rgba):  # a strong red, as a reader would name it
        return rgba[0] > 170 and rgba[1] < 90 and rgba[2] < 90

    assert all(red(p["color"]) for p in layers["station"]["data"])  # this station, and only it, in red
    assert not any(red(p["color"]) for p in layers["neighbours"]["data"])
    assert not any(red(rgb) for rgb in figures.STATION_TYPE_RGB.values()), "red is kept for bad and for this station"
    link = [m.value for m in at.markdown if "(incidents?" in m.value]
    assert len(link) == 1
    query = dict(parse_qsl(link[0].split("(incidents?", 1)[1].rstrip(")")))
    assert query["station"] == sid and query["from"] == "station"  # its incidents, with the way back


def test_the_station_page_draws_its_weekly_figures_without_plotly(app, reader, facts):
    """The two weekly charts are Vega-Lite (Plotly's library would hold back the page's first screen):
    a point per week at the week's rate and 90th percentile (in minutes), against the target's line."""
    day = facts["as_of"]
    sid = next(sid for sid, s in sorted(facts["stations"].items()) if in_service(s, day))
    at = app("station", station=sid)
    assert not at.get("plotly_chart"), "the Station page loads no Plotly chart"
    start = day - dt.timedelta(days=27)
    weekly = queries.run(reader, "stations/station_weekly",
                         {"station": sid, "start_date": start, "end_date": day}).to_dicts()
    rate_chart, p90_chart = at.get("vega_lite_chart")
    drawn = chart_rows(rate_chart)
    assert [r["week"] for r in drawn] == [w["week_start"].isoformat() for w in weekly] and drawn
    assert [r["rate"] for r in drawn] == [w["within_target_rate"] for w in weekly]
    assert [r["arrived"] for r in drawn] == [w["arrived"] for w in weekly]
    minutes = [r["p90_min"] for r in chart_rows(p90_chart)]
    assert minutes == [None if w["p90_response_s"] is None else pytest.approx(w["p90_response_s"] / 60) for w in weekly]
    spec = json.loads(p90_chart.proto.spec)
    target = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert [layer["encoding"]["y"]["datum"] for layer in target] == [300 / 60]


def test_the_stations_page_draws_its_figures_without_plotly(app, facts):
    """The Stations page's six charts are Vega-Lite (Plotly's library would hold back its first screen),
    and each draws what plain Python counts from the fixture's stations and inventory counts."""
    at = app("stations")
    assert not at.get("plotly_chart"), "the Stations page loads no Plotly chart"
    target_bars, trajectory, by_district, trend, by_district_ready, by_type_ready = at.get("vega_lite_chart")
    day = facts["as_of"]
    open_now = {sid: s for sid, s in facts["stations"].items() if in_service(s, day)}
    label = lambda dim, code: i18n.label(dim, code, "zh")  # noqa: E731

    opened = Counter(s["station_type"] for s in facts["stations"].values()
                     if s["opened_on"].year == day.year and s["opened_on"] <= day)
    drawn = {r["type"]: r["n"] for r in chart_rows(target_bars) if r["series"] == i18n.text("series_opened", "zh")}
    assert {r["station_type"]: drawn[label("station_type", r["station_type"])] for r in facts["targets"]
            if r["year"] == day.year and r["district"] is None} == {code: opened[code] for code in
                                                                   {r["station_type"] for r in facts["targets"]}}
    assert sum(drawn.values()) == sum(opened.values())

    cumulative = [r for r in chart_rows(trajectory) if r["series"] == i18n.text("series_cumulative", "zh")]
    assert cumulative[-1]["month"] == day.strftime("%Y-%m") and cumulative[-1]["n"] == sum(opened.values())

    per_pair = Counter((label("district", s["district"]), label("station_type", s["station_type"])) for s in open_now.values())
    assert {(r["district"], r["type"]): r["n"] for r in chart_rows(by_district)} == per_pair
    totals = Counter(s["district"] for s in open_now.values())
    ranks = {r["district"]: r["rank"] for r in chart_rows(by_district)}
    tallest_first = [totals[d] for d in sorted(totals, key=lambda d: ranks[label("district", d)])]
    assert tallest_first == sorted(totals.values(), reverse=True)

    judged = {sid: judge(s, facts["counts"][sid], day)["compliant"] for sid, s in open_now.items()}
    latest = [r for r in chart_rows(trend) if r["date"] == day.isoformat()]
    share = {r["series"]: r["share"] for r in latest}
    without = sum(1 for sid in open_now if not any(d <= day for d in facts["counts"][sid]))
    assert share[i18n.text("series_without_count", "zh")] == pytest.approx(without / len(open_now))
    rate = next(v for k, v in share.items() if k != i18n.text("series_without_count", "zh"))
    assert rate == pytest.approx(sum(judged.values()) / len(open_now))

    for chart, dim in ((by_district_ready, "district"), (by_type_ready, "station_type")):
        n = Counter(s[dim] for s in open_now.values())
        good = Counter(s[dim] for sid, s in open_now.items() if judged[sid])
        bars = chart_rows(chart)
        assert {r["name"]: r["rate"] for r in bars} == pytest.approx({label(dim, c): good[c] / n[c] for c in n})
        assert [r["rate"] for r in bars] == sorted((r["rate"] for r in bars), reverse=True)  # best first
        assert all(r["shown"].endswith(f"({good[c]}/{n[c]})") for r in bars for c in n if label(dim, c) == r["name"])


def test_inventory_page_shows_the_expiry_figures(app, facts):
    at = app("inventory")
    day = facts["as_of"]
    expired = [(sid, line) for sid, s in facts["stations"].items() if in_service(s, day)
               for line in latest_lines(facts, sid)
               if line["expires_on"] is not None and line["expires_on"] < day and line["quantity"] > 0]
    assert metric(at, "kpi_expired") == f"{len(expired):,}"
    listed = table(at, i18n.text("col_days_to_expiry", "zh"), i18n.text("col_station_id", "zh"))
    assert sum(1 for d in listed[i18n.text("col_days_to_expiry", "zh")] if d < 0) == len(expired)


def test_inventory_chart_draws_each_categorys_fill_rate(app):
    """The fill-rate chart (Vega-Lite) has a bar per category of the table beside it, at its fill rate."""
    at = app("inventory")
    assert not at.get("plotly_chart"), "the Inventory page loads no Plotly chart"
    rows = chart_rows(at.get("vega_lite_chart")[0])
    shown = table(at, i18n.text("col_category", "zh"), i18n.text("col_fill_rate", "zh"))
    expected = dict(zip(shown[i18n.text("col_category", "zh")], shown[i18n.text("col_fill_rate", "zh")]))
    assert len(expected) > 3 and {r["category"]: r["fill"] for r in rows} == pytest.approx(expected)
    assert [r["shown"] for r in rows] == [f"{r['fill'] * 100:.1f}%" for r in rows]


@pytest.mark.parametrize("page", ["stations", "station", "inventory"])
def test_pages_render_in_english_with_every_table_exportable(app, page):
    at = app(page, lang="en")
    assert at.dataframe and at.get("download_button"), page
    # a table shown is a table that can leave the page (CSV and Excel)
    assert len(at.get("download_button")) == 2 * len(at.dataframe), page
