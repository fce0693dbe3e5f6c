"""Prevention (事前预防): the four exports through the ETL, the standard, and every named query of
queries/prevention/ against the same figure worked out by hand (or in plain Python) from small
exports written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from etl.explain import explain
from etl.load import ingest
from warehouse.connection import open_reader

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
        assert con.execute("select level, status from core.hazards").fetchone() == ("major", "open")
    with open_reader(tmp_path / "desk_services.duckdb") as con:
        assert con.execute("select service, service_count from core.desk_services").fetchone() == ("phone_charging", 2)


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
        assert con.execute("select count(*) from raw.hazard_rows where hazard_id = 'YH1'").fetchone()[0] == 2


def test_unknown_station_is_flagged_and_kept(registry, tmp_path):
    path = write(tmp_path / "巡查.csv", "巡查编号,站点编号,开始时间,巡查场所数\nXC1,YJ0001,2025-05-01 09:00,3\n"
                 "XC2,ZZ9999,2025-05-01 09:00,4\n")
    [report] = load(registry, path)
    assert (report.rows_loaded, report.rows_rejected, report.rows_flagged) == (2, 0, 1)
    assert report.by_rule == {"unknown_station": 1}
    with open_reader(registry) as con:
        assert con.execute("select is_flagged from core.patrols where patrol_id = 'XC2'").fetchone()[0] is True
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
        assert con.execute("select count(*) from raw.outreach_rows").fetchone()[0] == 3


def test_explain_reads_a_patrol_export(tmp_path):
    path = write(tmp_path / "巡查.csv", "巡查编号,站点编号,开始时间,场所类型\nXC1,YJ0001,2025-05-01 09:00,出租屋\n", "gb18030")
    text = explain(path)
    assert "patrols" in text and "'场所类型' → place_type" in text and "rental_housing" in text


# ---- the standard ------------------------------------------------------------------------------

def test_the_standard_reaches_the_warehouse(registry):
    from emss import settings

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
    from emss import settings

    path = tmp_path / "standard.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(settings.SettingsError, match=says):
        settings.prevention_standard(path)
