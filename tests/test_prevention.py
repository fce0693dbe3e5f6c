"""Prevention (事前预防): the four exports through the ETL, the standard, and every named query of
queries/prevention/ against the same figure worked out by hand (or in plain Python) from small
exports written here."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
import xlsxwriter

import queries
from emss import profiles, settings
from etl.explain import explain
from etl.load import ingest
from warehouse.connection import copy_warehouse, open_reader

REGISTRY = """站点编号,站点名称,站点类型,所属区,街道,建成日期,队员人数,是否林区站
YJ0001,园岭站,社区服务站,福田区,园岭,2024-01-01,10,否
YJ0002,梅林站,街道中心站,福田区,梅林,2024-01-01,20,否
YJ0003,葵涌站,社区服务站,大鹏新区,葵涌,2024-01-01,12,是
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def load(warehouse: Path, *paths: Path, kind: str | None = None):
    reports = ingest(list(paths), warehouse, kind=kind)
    assert all(r.outcome in ("loaded", "unchanged") for r in reports), [r.message for r in reports]
    return reports


@pytest.fixture()
def registry(tmp_path) -> Path:
    warehouse = tmp_path / "w.duckdb"
    load(warehouse, write(tmp_path / "站点台账.csv", REGISTRY))
    return warehouse


# ---- the exports through the ETL ---------------------------------------------------------------

def test_kinds_are_told_from_chinese_and_english_headers(tmp_path):
    files = {
        "patrols": write(tmp_path / "巡查.csv", "巡查编号,站点编号,巡查开始时间,巡查结束时间,巡查场所数\nXC1,YJ0001,2025-05-01 09:00,,3\n", "gb18030"),
        "hazards": write(tmp_path / "hazards.csv", "hazard id,station id,found on,level,deadline\nH1,YJ0001,2025-05-01,major,2025-05-15\n"),
        "outreach": write(tmp_path / "活动.csv", "活动编号,站点编号,活动日期,活动类型,专业类别,参与人数\nE1,YJ0001,2025/5/1,入户宣传,消防,20\n"),
        "desk_services": write(tmp_path / "desk.csv", "station id,served at,service,count\nYJ0001,2025-05-01 10:00,short phone charging,2\n"),
    }
    for kind, path in files.items():
        [report] = ingest([path], tmp_path / f"{kind}.duckdb")
        assert (report.outcome, report.kind, report.rows_loaded) == ("loaded", kind, 1), report.message
    with open_reader(tmp_path / "hazards.duckdb") as con:
        assert con.execute("select level, status from core.hazards").fetchall()[0] == ("major", "open")
    with open_reader(tmp_path / "desk_services.duckdb") as con:
        assert con.execute("select service, service_count from core.desk_services").fetchall()[0] == ("phone_charging", 2)


def test_a_later_hazard_export_revises_the_hazard_and_raw_keeps_both(registry, tmp_path):
    header = "隐患编号,站点编号,发现日期,隐患类型,隐患等级,整改期限,整改完成日期,整改状态\n"
    first = write(tmp_path / "隐患台账_5月.csv", header + "YH1,YJ0001,2025-05-01,燃气隐患,重大,2025-05-04,,未整改\n"
                  "YH2,YJ0001,2025-05-02,私拉乱接电线,一般,2025-05-12,,未整改\n", "gb18030")
    second = write(tmp_path / "隐患台账_6月.csv", header + "YH1,YJ0001,2025-05-01,燃气隐患,重大,2025-05-04,2025-05-03,已整改\n",
                   "gb18030")
    load(registry, first)
    load(registry, second)
    with open_reader(registry) as con:
        assert con.execute("select hazard_id, status, rectified_on from core.hazards order by 1").fetchall() == [
            ("YH1", "rectified", dt.date(2025, 5, 3)), ("YH2", "open", None)]
        assert con.execute("select count(*) from raw.hazard_rows where hazard_id = 'YH1'").fetchall()[0][0] == 2


def test_unknown_station_is_flagged_and_kept(registry, tmp_path):
    path = write(tmp_path / "巡查.csv", "巡查编号,站点编号,开始时间,巡查场所数\nXC1,YJ0001,2025-05-01 09:00,3\n"
                 "XC2,ZZ9999,2025-05-01 09:00,4\n")
    [report] = load(registry, path)
    assert (report.rows_loaded, report.rows_rejected, report.rows_flagged) == (2, 0, 1)
    assert report.by_rule == {"unknown_station": 1}
    with open_reader(registry) as con:
        assert con.execute("select is_flagged from core.patrols where patrol_id = 'XC2'").fetchall()[0][0] is True
        assert con.execute("select rule from meta.flags").fetchall() == [("unknown_station",)]


def test_xlsx_with_a_title_row_and_every_row_accounted_for(registry, tmp_path):
    path = tmp_path / "宣传培训与演练.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("活动登记")
    ws.merge_range(0, 0, 0, 6, "2025年宣传培训与演练登记")
    ws.write_row(1, 0, ["活动编号", "站点编号", "活动日期", "活动类型", "专业类别", "参与人数", "时长(小时)"])
    ws.write_row(2, 0, ["HD1", "YJ0003", "2025-05-01", "队伍业务培训", "森防", 12, 4])
    ws.write_row(3, 0, ["HD2", "YJ0003", "2025-05-02", "应急演练", "地震", -5, 1])
    ws.write_row(4, 0, ["", "YJ0003", "2025-05-03", "应急演练", "地震", 5, 1])
    wb.close()
    [report] = load(registry, path)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 1, 2)
    with open_reader(registry) as con:
        assert con.execute("select kind, discipline, hours from core.outreach_events").fetchall() == [
            ("team_training", "forest_fire", 4.0)]
        assert sorted(r[0] for r in con.execute("select rule from meta.rejects").fetchall()) == [
            "missing_event_id", "negative_participants"]
        assert con.execute("select count(*) from raw.outreach_rows").fetchall()[0][0] == 3


def test_a_mapping_file_reads_a_hazard_register_nobody_foresaw(registry, tmp_path):
    mapping = tmp_path / "hazards.toml"
    mapping.write_text("""kind = "hazards"
[columns]
hazard_id = "Ref"
station_id = "Unit"
found_on = "Inspected"
level = "Risk"
deadline_on = "Fix by"
[values.level]
"High" = "serious"
"Low" = "general"
""", encoding="utf-8")
    path = write(tmp_path / "inspections.csv", "Ref,Unit,Inspected,Risk,Fix by\nR1,YJ0001,2025-05-01,High,2025-05-31\n"
                 "R2,YJ0002,2025-05-02,Low,2025-04-01\n")
    [report] = ingest([path], registry, mapping=mapping)
    assert (report.kind, report.rows_loaded, report.rows_rejected, report.by_rule) == (
        "hazards", 1, 1, {"deadline_before_found": 1})
    with open_reader(registry) as c:
        assert c.execute("select hazard_id, level, deadline_on from core.hazards").fetchall() == [
            ("R1", "serious", dt.date(2025, 5, 31))]


def test_explain_reads_a_patrol_export(tmp_path):
    path = write(tmp_path / "巡查.csv", "巡查编号,站点编号,开始时间,场所类型\nXC1,YJ0001,2025-05-01 09:00,出租屋\n", "gb18030")
    text = explain(path)
    assert "patrols" in text and "'场所类型' → place_type" in text and "rental_housing" in text


# ---- the standard ------------------------------------------------------------------------------

def test_the_standard_reaches_the_warehouse(registry):
    std = settings.prevention_standard()
    with open_reader(registry) as con:
        stored = {(m, k): v for m, k, v in con.execute("select * from meta.prevention_standard").fetchall()}
    assert stored[("patrols_per_week", "all")] == std.patrols_per_week
    assert stored[("drills_per_quarter", "all")] == std.drills_per_quarter
    assert {k for m, k in stored if m == "rectify_days"} == {"general", "major", "serious"}
    assert stored[("forest_training_hours", "forest_fire")] == std.forest_training_hours["forest_fire"]


@pytest.mark.parametrize("bad, says", [
    ("[prevention.training_hours]\nfencing = 4\n", "fencing"),
    ("[prevention]\npatrols_per_week = -1\n", "patrols_per_week"),
    ("[prevention.rectify_days]\ngeneral = 7\n", "every level"),
])
def test_a_mistyped_standard_stops_with_its_key(tmp_path, bad, says):
    path = tmp_path / "standard.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(settings.SettingsError, match=says):
        settings.prevention_standard(path)


# ---- the named queries against plain Python on a small world -----------------------------------
# Three stations, a year of their prevention registers drawn with a fixed seed, and fires in their
# streets. Each expected figure is worked out below from these rows, by the definitions in the
# queries' descriptions, without the warehouse's SQL.

STATIONS = {  # id: (type, district, street, staff, forest)
    "YJ0001": ("community", "futian", "园岭", 10, False),
    "YJ0002": ("street_center", "futian", "梅林", 20, False),
    "YJ0003": ("community", "dapeng", "葵涌", 12, True),
}
PLACES = {"三小场所": "small_venue", "出租屋/城中村": "rental_housing", "学校": "school", "林区": "forest"}
LEVELS = {"一般": "general", "较大": "major", "重大": "serious"}
KINDS = {"入户宣传": "door_to_door", "进社区/校园/企业": "community_event", "应急演练": "drill", "队伍业务培训": "team_training"}
DISCIPLINES = {"消防": "fire", "三防": "three_preventions", "森防": "forest_fire", "地震": "earthquake", "救护": "first_aid"}
SERVICES = {"应急药品": "medicine", "短时充电": "phone_charging", "紧急咨询": "urgent_enquiry"}
YEAR_START = dt.date(2025, 1, 1)
PERIOD = (dt.date(2025, 3, 1), dt.date(2025, 5, 31))


def _world(seed: int = 11) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    day = lambda: YEAR_START + dt.timedelta(days=rng.randrange(0, 230))  # noqa: E731 (to 2025-08-18)
    ids = list(STATIONS)
    patrols = []
    for n in range(240):
        station = rng.choice(ids)
        start = dt.datetime.combine(day(), dt.time(rng.randrange(8, 17)))
        patrols.append({"id": f"XC{n}", "station": station, "start": start, "end": start + dt.timedelta(hours=2),
                        "street": rng.choice([STATIONS[station][2] + "街道", ""]), "place": rng.choice(list(PLACES)),
                        "places": rng.randrange(0, 25), "staff": rng.randrange(2, 5), "found": rng.randrange(0, 4)})
    hazards = []
    for n in range(90):
        station, found = rng.choice(ids), day()
        level = rng.choice(list(LEVELS))
        deadline = found + dt.timedelta(days=rng.randrange(3, 40)) if rng.random() < 0.7 else None
        fate = rng.random()
        rectified = found + dt.timedelta(days=rng.randrange(0, 60)) if fate < 0.6 else None
        status = "已整改" if rectified or fate > 0.9 else "未整改"
        hazards.append({"id": f"YH{n}", "station": station, "found": found, "level": level, "deadline": deadline,
                        "rectified": rectified, "status": status, "place": rng.choice(list(PLACES)),
                        "street": STATIONS[station][2] + "街道"})
    outreach = []
    for n in range(120):
        station = rng.choice(ids)
        outreach.append({"id": f"HD{n}", "station": station, "date": day(), "kind": rng.choice(list(KINDS)),
                         "discipline": rng.choice(list(DISCIPLINES)), "participants": rng.randrange(0, 80),
                         "hours": rng.choice([1, 1.5, 2, 4])})
    desk = []
    for n in range(80):
        station = rng.choice(ids)
        desk.append({"station": station, "at": dt.datetime.combine(day(), dt.time(8 + n % 12, n % 60)),
                     "service": rng.choice(list(SERVICES)), "count": rng.randrange(1, 6)})
    incidents = []
    for n in range(150):
        station = rng.choice(ids)
        incidents.append({"id": f"JQ{n}", "station": station, "at": dt.datetime.combine(day(), dt.time(12)),
                          "type": rng.choice(["火灾扑救", "电梯困人"]), "street": STATIONS[station][2] + "街道",
                          "district": {"futian": "福田区", "dapeng": "大鹏新区"}[STATIONS[station][1]]})
    return {"patrols": patrols, "hazards": hazards, "outreach": outreach, "desk": desk, "incidents": incidents}


WORLD = _world()
AS_OF = max([p["start"].date() for p in WORLD["patrols"]] + [h["found"] for h in WORLD["hazards"]]
            + [h["rectified"] for h in WORLD["hazards"] if h["rectified"]] + [e["date"] for e in WORLD["outreach"]]
            + [d["at"].date() for d in WORLD["desk"]] + [i["at"].date() for i in WORLD["incidents"]])


def _csv(rows: list[list[object]]) -> str:
    return "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("world")
    registry = [["站点编号", "站点类型", "所属区", "街道", "建成日期", "队员人数", "是否林区站"]] + [
        [sid, {"community": "社区服务站", "street_center": "街道中心站"}[t], d, street + "街道", "2024-01-01", staff, "是" if forest else "否"]
        for sid, (t, d, street, staff, forest) in STATIONS.items()]
    w = WORLD
    files = [
        write(folder / "站点台账.csv", _csv(registry)),
        write(folder / "安全巡查记录.csv", _csv(
            [["巡查编号", "站点编号", "开始时间", "结束时间", "街道", "场所类型", "巡查场所数", "巡查人数", "发现隐患数"]]
            + [[p["id"], p["station"], f"{p['start']:%Y-%m-%d %H:%M}", f"{p['end']:%Y-%m-%d %H:%M}", p["street"], p["place"],
                p["places"], p["staff"], p["found"]] for p in w["patrols"]]), "gb18030"),
        write(folder / "隐患台账.csv", _csv(
            [["隐患编号", "站点编号", "发现日期", "场所类型", "街道", "隐患类型", "隐患等级", "整改期限", "整改完成日期", "整改状态"]]
            + [[h["id"], h["station"], h["found"], h["place"], h["street"], "燃气隐患", h["level"], h["deadline"], h["rectified"],
                h["status"]] for h in w["hazards"]]), "gb18030"),
        write(folder / "宣传培训与演练.csv", _csv(
            [["活动编号", "站点编号", "活动日期", "活动类型", "专业类别", "参与人数", "时长(小时)"]]
            + [[e["id"], e["station"], e["date"], e["kind"], e["discipline"], e["participants"], e["hours"]] for e in w["outreach"]])),
        write(folder / "便民服务登记.csv", _csv(
            [["站点编号", "服务时间", "服务项目", "服务人次"]]
            + [[d["station"], f"{d['at']:%Y-%m-%d %H:%M}", d["service"], d["count"]] for d in w["desk"]])),
        write(folder / "出警记录.csv", _csv(
            [["警情编号", "警情类型", "所属区", "街道", "接警时间", "出警站点编号"]]
            + [[i["id"], i["type"], i["district"], i["street"], f"{i['at']:%Y-%m-%d %H:%M:%S}", i["station"]]
               for i in w["incidents"]]), "gb18030"),
    ]
    warehouse = folder / "w.duckdb"
    reports = ingest(files, warehouse)
    assert [(r.kind, r.rows_rejected) for r in reports if r.rows_rejected] == []
    return warehouse


@pytest.fixture()
def con(world):
    c = open_reader(world)
    yield c
    c.close()


def _run(con, name, **params):
    return queries.run(con, f"prevention/{name}", params).to_dicts()


def test_as_of_is_the_last_day_any_export_speaks_of(con):
    assert con.execute("select as_of_date from data_as_of").fetchall()[0][0] == AS_OF


def test_patrols_per_station_week(con):
    start, end = PERIOD
    weeks = ((end - start).days + 1) / 7
    per_week = settings.prevention_standard().patrols_per_week
    got = {r["station_id"]: r for r in _run(con, "patrols_per_station_week", start_date=start, end_date=end)}
    assert set(got) == set(STATIONS)
    for sid in STATIONS:
        n = sum(1 for p in WORLD["patrols"] if p["station"] == sid and start <= p["start"].date() <= end)
        assert got[sid]["patrols"] == n
        assert got[sid]["patrols_per_week"] == pytest.approx(n / weeks, abs=0.006)
        assert got[sid]["meets_standard"] == (n / weeks >= per_week)


def test_hazards_per_1000_places(con):
    start, end = PERIOD
    picked = [p for p in WORLD["patrols"] if start <= p["start"].date() <= end]
    got = {(r["place_type"], r["is_total"]): r for r in _run(con, "hazard_rate", start_date=start, end_date=end)}
    for label, code in PLACES.items():
        rows = [p for p in picked if p["place"] == label]
        places, found = sum(p["places"] for p in rows), sum(p["found"] for p in rows)
        assert (got[(code, False)]["places_visited"], got[(code, False)]["hazards_found"]) == (places, found)
        assert got[(code, False)]["hazards_per_1000_places"] == pytest.approx(1000 * found / places, abs=0.06)
    total = got[(None, True)]
    assert total["hazards_per_1000_places"] == pytest.approx(
        1000 * sum(p["found"] for p in picked) / sum(p["places"] for p in picked), abs=0.06)


def _due(h) -> dt.date:
    days = settings.prevention_standard().rectify_days
    return h["deadline"] or h["found"] + dt.timedelta(days=days[LEVELS[h["level"]]])


def _open_on(h, day: dt.date) -> bool:
    if h["found"] > day:
        return False
    if h["rectified"]:
        return h["rectified"] > day
    return h["status"] != "已整改"


def test_rectification_on_time_by_level(con):
    start, end = PERIOD
    got = {r["level"]: r for r in _run(con, "rectification_on_time", start_date=start, end_date=end)}
    for level in [*LEVELS, None]:
        due = [h for h in WORLD["hazards"] if start <= _due(h) <= end and (level is None or h["level"] == level)]
        on_time = sum(1 for h in due if h["rectified"] and h["rectified"] <= _due(h))
        late = sum(1 for h in due if h["rectified"] and _due(h) < h["rectified"] <= end)
        overdue = sum(1 for h in due if _open_on(h, end))
        undated = sum(1 for h in due if not h["rectified"] and h["status"] == "已整改")
        row = got[LEVELS.get(level)]
        assert (row["due"], row["on_time"], row["late"], row["overdue"], row["undated"]) == (
            len(due), on_time, late, overdue, undated), level
        assert row["on_time_rate"] == pytest.approx(on_time / len(due), abs=1e-4)
    assert sum(got[c]["due"] for c in LEVELS.values()) == got[None]["due"]


@pytest.mark.parametrize("as_of", [None, dt.date(2025, 6, 1)])
def test_overdue_list_oldest_first(con, as_of):
    day = as_of or AS_OF
    expected = sorted((h for h in WORLD["hazards"] if _due(h) < day and _open_on(h, day)),
                      key=lambda h: (_due(h), h["street"].removesuffix("街道"), h["station"], h["id"]))
    got = _run(con, "overdue_hazards", as_of=as_of)
    assert [r["hazard_id"] for r in got] == [h["id"] for h in expected]
    assert [r["days_overdue"] for r in got] == [(day - _due(h)).days for h in expected]
    assert len(expected) > 3  # the world has some to list


def test_outreach_reach_per_10k_residents(con):
    start, end = PERIOD
    got = {r["district"]: r for r in _run(con, "outreach_reach", start_date=start, end_date=end)}
    assert set(got) == set(profiles.current().districts)
    for code, district in profiles.current().districts.items():
        people = sum(e["participants"] for e in WORLD["outreach"]
                     if STATIONS[e["station"]][1] == code and start <= e["date"] <= end and KINDS[e["kind"]] != "team_training")
        assert got[code]["people_reached"] == people
        assert got[code]["reach_per_10k"] == pytest.approx(10000 * people / district.population, abs=0.006)


def test_drills_by_station_type_and_quarter(con):
    per_quarter = settings.prevention_standard().drills_per_quarter
    got = {(r["quarter"], r["station_type"]): r for r in _run(con, "drills", year=2025)}
    quarters = [q for q in (1, 2, 3, 4) if dt.date(2025, 3 * q - 2, 1) <= AS_OF]
    assert {q for q, _ in got} == set(quarters)
    for q in quarters:
        first = dt.date(2025, 3 * q - 2, 1)
        last = min(dt.date(2025 + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1), AS_OF)
        for station_type in {t for t, *_ in STATIONS.values()}:
            members = [sid for sid, (t, *_) in STATIONS.items() if t == station_type]
            drills = {sid: sum(1 for e in WORLD["outreach"] if e["station"] == sid and KINDS[e["kind"]] == "drill"
                               and first <= e["date"] <= last) for sid in members}
            row = got[(q, station_type)]
            assert (row["stations"], row["drills"]) == (len(members), sum(drills.values()))
            assert row["stations_meeting"] == sum(1 for n in drills.values() if n >= per_quarter)
            assert row["is_complete"] == (last < AS_OF or last == dt.date(2025, 3 * q + 1 if q < 4 else 12, 1) - dt.timedelta(days=1 if q < 4 else -30))


def test_drills_by_station_type_and_discipline(con):
    got = {(r["station_type"], r["discipline"]): r for r in _run(con, "drills_by_discipline", year=2025)}
    expected: dict[tuple[str, str], dict] = {}
    for sid, (station_type, _, _, _, forest) in STATIONS.items():
        for discipline in DISCIPLINES.values():
            if discipline == "forest_fire" and not forest:
                continue  # only forest stations are asked to drill for forest fire
            drills = sum(1 for e in WORLD["outreach"] if e["station"] == sid and KINDS[e["kind"]] == "drill"
                         and DISCIPLINES[e["discipline"]] == discipline and YEAR_START <= e["date"] <= AS_OF)
            cell = expected.setdefault((station_type, discipline), {"stations": 0, "drills": 0, "drilled": 0})
            cell["stations"] += 1
            cell["drills"] += drills
            cell["drilled"] += drills > 0
    assert set(got) == set(expected)
    for key, cell in expected.items():
        row = got[key]
        assert (row["stations"], row["drills"], row["stations_drilled"]) == (cell["stations"], cell["drills"], cell["drilled"]), key
        assert row["is_forest_only"] == (key[1] == "forest_fire")


def test_training_hours_by_station_type_and_discipline(con):
    std = settings.prevention_standard()
    share = min(1.0, ((AS_OF - YEAR_START).days + 1) / 365)
    got = {(r["station_type"], r["discipline"]): r for r in _run(con, "training", year=2025)}
    expected: dict[tuple[str, str], dict] = {}
    for sid, (station_type, _, _, staff, forest) in STATIONS.items():
        required = dict(std.training_hours) | (dict(std.forest_training_hours) if forest else {})
        for discipline, hours in required.items():
            staff_hours = sum(e["hours"] * e["participants"] for e in WORLD["outreach"]
                              if e["station"] == sid and KINDS[e["kind"]] == "team_training"
                              and DISCIPLINES[e["discipline"]] == discipline and YEAR_START <= e["date"] <= AS_OF)
            cell = expected.setdefault((station_type, discipline), {"stations": 0, "staff": 0, "staff_hours": 0, "meeting": 0})
            cell["stations"] += 1
            cell["staff"] += staff
            cell["staff_hours"] += staff_hours
            cell["meeting"] += staff_hours / staff >= hours * share
    assert set(got) == set(expected)
    assert ("community", "forest_fire") in got and ("street_center", "forest_fire") not in got  # forest stations only
    for key, cell in expected.items():
        row = got[key]
        assert (row["stations"], row["staff"], row["stations_meeting"]) == (cell["stations"], cell["staff"], cell["meeting"]), key
        assert row["staff_hours"] == pytest.approx(cell["staff_hours"])
        assert row["hours_per_staff"] == pytest.approx(cell["staff_hours"] / cell["staff"], abs=0.006)


def test_convenience_services_by_kind(con):
    start, end = PERIOD
    weeks = ((end - start).days + 1) / 7
    got = {r["service"]: r for r in _run(con, "desk_services", start_date=start, end_date=end)}
    for label, code in SERVICES.items():
        rows = [d for d in WORLD["desk"] if d["service"] == label and start <= d["at"].date() <= end]
        stations = {d["station"] for d in rows}
        assert (got[code]["times_served"], got[code]["stations"]) == (sum(d["count"] for d in rows), len(stations))
        assert got[code]["per_station_week"] == pytest.approx(sum(d["count"] for d in rows) / len(stations) / weeks, abs=0.006)


def _quarter(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def test_payoff_by_street_and_quarter(con):
    city = profiles.current()
    got = {(r["district"], r["street"], r["quarter_start"]): r for r in _run(con, "payoff")}
    for sid, (_, district, street, _, _) in STATIONS.items():
        residents = city.districts[district].population / len(city.districts[district].streets)
        for q in sorted({_quarter(p["start"].date()) for p in WORLD["patrols"]}):
            end = (q.replace(day=28) + dt.timedelta(days=70)).replace(day=1) - dt.timedelta(days=1)
            nxt = end + dt.timedelta(days=1)
            nxt_end = (nxt.replace(day=28) + dt.timedelta(days=70)).replace(day=1) - dt.timedelta(days=1)
            here = [s for s, (_, d, st, _, _) in STATIONS.items() if (d, st) == (district, street)]
            patrols = sum(1 for p in WORLD["patrols"] if p["station"] in here and q <= p["start"].date() <= end)
            hazards = [h for h in WORLD["hazards"] if h["station"] in here]
            fires = sum(1 for i in WORLD["incidents"] if i["station"] in here and i["type"] == "火灾扑救"
                        and nxt <= i["at"].date() <= nxt_end)
            row = got[(district, street, q)]
            assert row["patrols"] == patrols
            assert row["hazards_found"] == sum(1 for h in hazards if q <= h["found"] <= end)
            assert row["hazards_rectified"] == sum(1 for h in hazards if h["rectified"] and q <= h["rectified"] <= end)
            judged = min(end, AS_OF)  # the quarter under way is judged on the as-of date
            assert row["overdue_at_quarter_end"] == sum(1 for h in hazards if _due(h) < judged and _open_on(h, judged))
            assert row["fires_next_quarter"] == fires
            assert row["patrols_per_10k"] == pytest.approx(10000 * patrols / residents, abs=0.006)
            assert row["fires_next_quarter_per_10k"] == pytest.approx(10000 * fires / residents, abs=0.0006)
            assert row["next_quarter_complete"] == (nxt_end <= AS_OF)
    assert "association" in queries.get("prevention/payoff").description.lower()


def test_every_prevention_query_runs_and_keeps_to_a_district(con):
    from emss.roles import Scope

    for name in [n for n in queries.catalogue() if n.startswith("prevention/")]:
        frame = queries.run(con, name, {}, Scope("district", ("dapeng",)))
        if "district" in frame.columns:
            assert set(frame["district"].drop_nulls().to_list()) <= {"dapeng"}, name


# ---- the demo ----------------------------------------------------------------------------------

def test_the_demo_writes_every_prevention_export_and_all_of_it_loads(demo_exports, reader):
    from emss import demo

    assert [p.name for p in demo_exports["patrols"]] == [demo.PATROL_FILE]
    assert len(demo_exports["hazards"]) == 2  # the register as exported mid-year, then at the end
    assert demo_exports["patrols"][0].read_bytes().decode("gb18030").startswith(",".join(demo.PATROL_HEADERS))
    batches = reader.execute("""select kind, sum(rows_read), sum(rows_loaded), sum(rows_rejected) from batches
                                where kind in ('patrols', 'hazards', 'outreach', 'desk_services') group by kind""").fetchall()
    assert {k for k, *_ in batches} == {"patrols", "hazards", "outreach", "desk_services"}
    for kind, read, loaded, rejected in batches:
        assert read == loaded and rejected == 0, kind
    # the later register revised the hazards rectified since the first: raw keeps both versions
    raw, core = reader.execute("select (select count(*) from raw.hazard_rows), (select count(*) from core.hazards)").fetchall()[0]
    assert raw > core
    revised = reader.execute("""select count(*) from raw.hazard_rows r join core.hazards h using (hazard_id)
                                where r.status = '未整改' and h.status = 'rectified'""").fetchall()[0][0]
    assert revised > 0


def test_the_demo_story_shows_in_the_payoff_query(reader):
    """One street lets its hazards go overdue in the second-to-last complete quarter and patrols less;
    it has more fires the quarter after than in any quarter before."""
    as_of = reader.execute("select as_of_date from data_as_of").fetchall()[0][0]
    current = _quarter(as_of)
    story_quarter = dt.date(current.year - (current.month <= 6), (current.month - 7) % 12 + 1, 1)
    rows = queries.run(reader, "prevention/payoff").to_dicts()
    that_quarter = sorted((r for r in rows if r["quarter_start"] == story_quarter),
                          key=lambda r: r["overdue_at_quarter_end"], reverse=True)
    top, second = that_quarter[0], that_quarter[1]
    assert top["overdue_at_quarter_end"] > 2 * second["overdue_at_quarter_end"]
    history = [r for r in rows if (r["district"], r["street"]) == (top["district"], top["street"])]
    before = [r for r in history if r["quarter_start"] < story_quarter]
    assert before and top["fires_next_quarter"] > max(r["fires_next_quarter"] for r in before)
    assert top["patrols"] < min(r["patrols"] for r in before)
    assert top["next_quarter_complete"]


# ---- words ---------------------------------------------------------------------------------------

def test_every_prevention_rule_and_code_has_words_in_both_languages():
    from emss import messages
    from etl import rules

    for kind in ("patrols", "hazards", "outreach", "desk_services"):
        assert messages.text(f"kind_{kind}", "en") != f"kind_{kind}"
        for rule in rules.RULES[kind]:
            zh, en = messages.rule_label(rule.name, "zh"), messages.rule_label(rule.name, "en")
            assert zh != rule.name and en != rule.name, (kind, rule.name)
    city = profiles.current()
    for dimension in ("place_type", "hazard_type", "hazard_level", "hazard_status", "outreach_kind", "discipline",
                      "desk_service"):
        for code in city.dimensions[dimension]:
            assert city.label(dimension, code, "zh") == messages.text(f"{dimension}_{code}", "zh")
            assert city.label(dimension, code, "en") == messages.text(f"{dimension}_{code}", "en") != code


# ---- the weekly snapshot ---------------------------------------------------------------------------

def test_the_weekly_snapshot_has_a_prevention_section_drawn_from_the_named_queries(demo_warehouse, tmp_path):
    import polars as pl

    from emss import messages, snapshot
    from emss.snapshot.tables import week_rows

    warehouse = tmp_path / "emss.duckdb"
    copy_warehouse(demo_warehouse, warehouse)  # the snapshot records its history in the warehouse
    taken = snapshot.take(warehouse, out_dir=tmp_path / "snapshots", pdf=False)
    week, folder = taken.week, taken.folder
    with open_reader(warehouse) as c:
        patrols = queries.run(c, "prevention/patrols_per_station_week", {"start_date": week.start, "end_date": week.end})
        on_time = queries.run(c, "prevention/rectification_on_time", {"start_date": week.start, "end_date": week.end})
        overdue = queries.run(c, "prevention/overdue_hazards", {"as_of": week.end})
        overdue_before = queries.run(c, "prevention/overdue_hazards", {"as_of": week.previous().end})
    for stem in ("prevention_patrols", "prevention_rectification", "prevention_overdue"):
        assert (folder / "tables" / f"{stem}.parquet").exists()
    stored = pl.read_parquet(folder / "tables" / "prevention_overdue.parquet")
    assert week_rows(stored, week)["hazard_id"].to_list() == overdue["hazard_id"].to_list()

    summary = pl.read_excel(folder / f"kpi_{week.label}.xlsx", sheet_name=messages.text("snap_sheet_summary", "zh"),
                            read_options={"dtypes": {"本周": "float", "上周": "float", "变化": "float"}})
    by_label = {r[0]: r for r in summary.rows()}
    met = by_label[messages.text("snap_kpi_patrol_standard_met", "zh")]
    assert met[1] == pytest.approx(patrols["meets_standard"].mean())
    rate = by_label[messages.text("prevention_on_time_rate", "zh")]
    assert rate[1] == pytest.approx(on_time.filter(pl.col("is_total"))["on_time_rate"][0])
    count = by_label[messages.text("prevention_overdue", "zh")]
    assert (count[1], count[2]) == (overdue.height, overdue_before.height)

    sheet = pl.read_excel(folder / f"kpi_{week.label}.xlsx", sheet_name=messages.text("snap_sheet_prevention", "zh"))
    assert sheet.height == overdue.height > 0
    html = (folder / f"report_{week.label}.html").read_text(encoding="utf-8")
    assert messages.text("snap_section_prevention", "zh", n=10) in html
    assert "prevention/overdue_hazards" in html  # the footer names the queries the pack drew on
