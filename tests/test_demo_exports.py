import csv
import io
from collections import defaultdict
from datetime import date, datetime

import numpy as np
import polars as pl
import pytest

from emss import profiles
from emss.categories import ITEM_CATEGORIES, STATION_TYPES
from emss.demo import (
    INCIDENT_HEADERS,
    INVENTORY_HEADERS,
    STATION_HEADERS,
    TARGET_HEADERS,
    generate_exports,
)
from emss.geo import gcj02_to_wgs84, locate_district

N_STATIONS = 60
N_INCIDENTS = 3000
END = date(2026, 11, 22)
DISTRICT_CODE = {d.name_zh: d.code for d in profiles.current().districts.values()}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return generate_exports(out, n_stations=N_STATIONS, n_incidents=N_INCIDENTS)


@pytest.fixture(scope="module")
def stations(exports):
    return pl.read_excel(exports["stations"][0], sheet_name="站点台账")


@pytest.fixture(scope="module")
def responses(exports):
    """Incident rows as plain dicts, parsed without the project's ETL."""
    rows = []
    for path in exports["incidents"]:
        text = path.read_bytes().decode("gb18030")
        rows += list(csv.DictReader(io.StringIO(text, newline="")))
    return rows


def _time(text):
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S") if text else None


def test_headers_are_pinned():
    # The ETL's header vocabulary is written against these exact lists.
    assert STATION_HEADERS == [
        "站点编号", "站点名称", "站点类型", "所属区", "街道", "依托场所", "经度", "纬度", "坐标系",
        "建成日期", "撤销日期", "值班模式", "队员人数", "队长", "副队长", "通信员", "安全员",
        "应急处置车辆数", "是否林区站"]
    assert INCIDENT_HEADERS == [
        "警情编号", "警情类型", "接警渠道", "所属区", "街道", "事发地址", "经度", "纬度", "坐标系",
        "接警时间", "派警时间", "出动时间", "到场时间", "处置完毕时间", "出警站点编号", "出警站点",
        "出动人数", "出动车辆数", "报警人", "联系电话"]
    assert INVENTORY_HEADERS == ["站点编号", "物资名称", "物资类别", "库存数量", "标准配置数", "单位",
                                 "有效期至", "状态", "盘点日期"]
    assert TARGET_HEADERS == ["年度", "站点类型", "所属区", "目标数量"]


def test_file_names(exports):
    assert [p.name for p in exports["stations"]] == ["站点台账.xlsx"]
    assert [p.name for p in exports["incidents"]] == [
        "出警记录_2024.csv", "出警记录_2025.csv", "出警记录_2026.csv"]
    assert [p.name for p in exports["inventory"]] == ["物资盘点.csv"]
    assert [p.name for p in exports["targets"]] == ["年度建站目标.xlsx"]


def test_same_seed_gives_identical_bytes(exports, tmp_path):
    again = generate_exports(tmp_path, n_stations=N_STATIONS, n_incidents=N_INCIDENTS)
    for kind, paths in exports.items():
        for first, second in zip(paths, again[kind], strict=True):
            assert first.read_bytes() == second.read_bytes(), first.name


def test_different_seed_gives_different_data(exports, tmp_path):
    other = generate_exports(tmp_path, seed=7, n_stations=N_STATIONS, n_incidents=N_INCIDENTS)
    assert other["incidents"][1].read_bytes() != exports["incidents"][1].read_bytes()
    assert other["inventory"][0].read_bytes() != exports["inventory"][0].read_bytes()


def test_incident_files_are_gb18030_with_crlf(exports):
    for path in exports["incidents"]:
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("gb18030")
        assert raw.count(b"\n") == raw.count(b"\r\n") > 1
        assert text.split("\r\n", 1)[0].split(",") == INCIDENT_HEADERS


def test_inventory_is_utf8_with_bom(exports):
    raw = exports["inventory"][0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    assert raw[3:].decode("utf-8").split("\n", 1)[0].split(",") == INVENTORY_HEADERS


def test_registry(stations):
    assert stations.columns == STATION_HEADERS
    assert stations.height == N_STATIONS
    assert stations["站点编号"].n_unique() == N_STATIONS
    assert set(stations["站点类型"]) == {t.zh for t in STATION_TYPES.values()}
    assert set(stations["所属区"]) == set(DISTRICT_CODE)
    assert set(stations["坐标系"]) == {"GCJ-02"}
    closed = stations.filter(pl.col("撤销日期").is_not_null())
    assert closed.height >= 1
    assert (closed["撤销日期"] > closed["建成日期"]).all()
    assert stations["建成日期"].min() >= date(2023, 5, 1)
    assert stations["建成日期"].max() <= END
    short = stations.filter(
        (pl.col("队员人数") < 10) | (pl.col("应急处置车辆数") < 2) | (pl.col("值班模式") != "24小时")
        | (pl.min_horizontal("队长", "副队长", "通信员", "安全员") == 0))
    assert 1 <= short.height <= 0.15 * N_STATIONS


def test_stations_lie_in_their_district(stations):
    lon, lat = gcj02_to_wgs84(stations["经度"].to_numpy(), stations["纬度"].to_numpy())
    found = locate_district(lon, lat)
    expected = np.array([DISTRICT_CODE[d] for d in stations["所属区"]])
    assert (found == expected).all()


def test_forest_stations_only_in_the_east(stations):
    forest = stations.filter(pl.col("是否林区站") == "是")
    assert forest.height >= 2
    assert set(forest["所属区"]) <= {"大鹏新区", "盐田区", "龙岗区", "坪山区"}


def test_multi_station_incidents_share_their_details(responses):
    by_incident = defaultdict(list)
    for row in responses:
        by_incident[row["警情编号"]].append(row)
    assert len(by_incident) == N_INCIDENTS
    multi = [rows for rows in by_incident.values() if len(rows) > 1]
    assert 0.05 * N_INCIDENTS < len(multi) < 0.3 * N_INCIDENTS
    shared = ["警情类型", "接警渠道", "事发地址", "经度", "纬度", "接警时间"]
    for rows in multi:
        assert len({tuple(r[k] for k in shared) for r in rows}) == 1
        assert len({r["出警站点编号"] for r in rows}) == len(rows)


def test_every_response_comes_from_a_station_in_service(responses, stations):
    opened = dict(zip(stations["站点编号"], stations["建成日期"]))
    closed = dict(zip(stations["站点编号"], stations["撤销日期"]))
    for row in responses:
        day = _time(row["接警时间"]).date()
        station = row["出警站点编号"]
        assert opened[station] <= day, row
        assert closed[station] is None or day < closed[station], row


def test_malformed_rows_are_there(responses):
    out_of_order = missing_arrival = early_dispatch = 0
    for row in responses:
        received, dispatched = _time(row["接警时间"]), _time(row["派警时间"])
        departed, arrived = _time(row["出动时间"]), _time(row["到场时间"])
        if arrived is None:
            missing_arrival += 1
        elif arrived < departed:
            out_of_order += 1
        if dispatched < received:
            early_dispatch += 1
    assert out_of_order >= 3 and missing_arrival >= 3 and early_dispatch >= 3
    assert out_of_order + missing_arrival + early_dispatch < 0.02 * len(responses)


def _first_rows(responses) -> list[dict]:
    """Each incident's first row: its first station (an incident's rows are written first station first)."""
    seen, out = set(), []
    for row in responses:
        if row["警情编号"] not in seen:
            seen.add(row["警情编号"])
            out.append(row)
    return out


def _metres(lon1, lat1, lon2, lat2):
    x = (lon2 - lon1) * 111_320.0 * np.cos(np.radians(22.6))
    return np.hypot(x, (lat2 - lat1) * 111_320.0)


def test_incidents_lie_in_the_district_they_are_filed_under(responses):
    first = _first_rows(responses)
    lon, lat = gcj02_to_wgs84(np.array([float(r["经度"]) for r in first]), np.array([float(r["纬度"]) for r in first]))
    found = locate_district(lon, lat)
    expected = np.array([DISTRICT_CODE[r["所属区"]] for r in first])
    assert (found == expected).mean() > 0.995  # a point on a border may round into the neighbour


def test_the_nearest_station_in_service_goes_first(responses, stations):
    """Incidents are drawn from where people are, never from where the stations are; the nearest station in
    service answers (now and then the next one, the nearest being out). Walk-ins happen at the station the
    caller walked into, and forest fires call the forest stations, so both are left out here."""
    s_lon, s_lat = gcj02_to_wgs84(stations["经度"].to_numpy(), stations["纬度"].to_numpy())
    ids = stations["站点编号"].to_list()
    opened, closed = stations["建成日期"].to_list(), stations["撤销日期"].to_list()
    nearest = second = total = 0
    for row in _first_rows(responses):
        if row["接警渠道"] == "到站求助" or row["警情类型"] == "森林防灭火":
            continue
        day = _time(row["接警时间"]).date()
        live = np.array([o <= day and (c is None or day < c) for o, c in zip(opened, closed)])
        lon, lat = gcj02_to_wgs84(np.array([float(row["经度"])]), np.array([float(row["纬度"])]))
        d = np.where(live, _metres(s_lon, s_lat, lon[0], lat[0]), np.inf)
        rank = int((d < d[ids.index(row["出警站点编号"])]).sum())
        nearest += rank == 0
        second += rank <= 1
        total += 1
    assert total > 0.8 * N_INCIDENTS
    assert 0.85 < nearest / total < 0.99
    assert second / total > 0.99


def test_first_arrival_times_grow_with_the_distance_to_the_station(responses, stations):
    """A city service: most first arrivals within minutes, the late ones where the nearest station is far
    (a 60-station network over the whole city leaves much of it far from any station)."""
    s_lon, s_lat = gcj02_to_wgs84(stations["经度"].to_numpy(), stations["纬度"].to_numpy())
    where = {sid: (x, y) for sid, x, y in zip(stations["站点编号"], s_lon, s_lat)}
    first, distance = {}, {}
    for row in responses:
        departed, arrived = _time(row["出动时间"]), _time(row["到场时间"])
        if arrived is None or arrived < departed:
            continue
        total = (arrived - _time(row["接警时间"])).total_seconds()
        key = row["警情编号"]
        if total < first.get(key, float("inf")):
            first[key] = total
            lon, lat = gcj02_to_wgs84(np.array([float(row["经度"])]), np.array([float(row["纬度"])]))
            distance[key] = float(_metres(*where[row["出警站点编号"]], lon[0], lat[0]))
    totals = sorted(first.values())
    assert 150 < totals[len(totals) // 2] < 330
    near = [first[k] <= 300 for k in first if distance[k] < 500]
    far = [first[k] <= 300 for k in first if distance[k] > 1500]
    assert len(near) > 300 and len(far) > 30
    assert sum(near) / len(near) > 0.8 and sum(far) / len(far) < 0.3


def test_personal_data_is_present_as_in_real_exports(responses):
    phones = [r["联系电话"] for r in responses]
    assert all(len(p) == 11 and p.startswith("1") and p.isdigit() for p in phones)
    assert any(r["报警人"].endswith(("先生", "女士")) for r in responses)


def test_inventory(exports, stations):
    inv = pl.read_csv(exports["inventory"][0], infer_schema_length=0)
    assert set(inv["物资类别"]) <= {c.zh for c in ITEM_CATEGORIES.values()}
    active = set(stations.filter(pl.col("撤销日期").is_null())["站点编号"])
    assert set(inv["站点编号"]) == active
    counts = inv.group_by("站点编号").agg(pl.col("盘点日期").n_unique().alias("n"),
                                           pl.col("盘点日期").max().alias("latest"))
    assert counts.filter(pl.col("n") > 1).height >= 2  # earlier counts to be superseded
    assert counts.filter(pl.col("latest") < "2026-06-01").height >= 1  # a stale count
    latest = inv.join(counts, on="站点编号").filter(pl.col("盘点日期") == pl.col("latest"))
    expired = latest.filter(pl.col("有效期至").is_not_null() & (pl.col("有效期至") < pl.col("盘点日期")))
    assert expired.height >= 1
    assert latest.filter(pl.col("状态").is_in(["损坏", "维修中"])).height >= 1
    mandatory = latest.filter((pl.col("物资类别") == "必配装备") & (pl.col("库存数量").cast(int) > 0))
    per_station = mandatory.group_by("站点编号").agg(pl.col("物资名称").n_unique().alias("items"))
    assert per_station.filter(pl.col("items") < 7).height + (len(active) - per_station.height) >= 1


def test_targets(exports):
    targets = pl.read_excel(exports["targets"][0], sheet_name="年度建站目标")
    assert targets.columns == TARGET_HEADERS
    assert targets.height == 4 * len(STATION_TYPES)
    assert targets["所属区"].null_count() == targets.height
    assert sorted(set(targets["年度"])) == [2023, 2024, 2025, 2026]


def test_the_planted_stories_show_in_the_response_figures(reader):
    """With incidents drawn where people are, the stories the demo plants still read off the named queries
    and the travel model on the fixture warehouse: hornet and snake calls have the longest turnout,
    forest fires the longest travel, and the slow district's roads are slower than the busy one's."""
    import queries
    from emss import coverage
    from emss.demo import BUSY_DISTRICT_SPEED, demo_city
    from emss.settings import coverage as coverage_settings

    city = demo_city()
    busy = next(c for c, f in city.speed.items() if f == BUSY_DISTRICT_SPEED)
    end = reader.execute("select as_of_date from data_as_of").fetchall()[0][0]
    groups = queries.run(reader, "response/by_group", {"group_by": "incident_type", "start_date": date(2024, 11, 25),
                                                        "end_date": end})
    judged = groups.filter(pl.col("timed") >= 30)
    assert judged.sort("p50_turnout_s", descending=True)["group_code"][0] == "hazardous_organisms"
    assert judged.sort("p50_travel_s", descending=True)["group_code"][0] == "forest_fire"
    fits = coverage.calibrate(queries.run(reader, "coverage/travel_samples"), coverage_settings())
    speed = {r["district"]: (r["source"], r["speed_ms"]) for r in fits.filter(pl.col("band") == "all").iter_rows(named=True)}
    assert speed[city.slow_district][0] == "district" and speed[busy][0] == "district"
    assert speed[city.slow_district][1] < 0.95 * speed[busy][1] and speed[city.slow_district][1] < speed[None][1]
