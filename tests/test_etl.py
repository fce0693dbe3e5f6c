"""ETL on small hand-made exports whose right answer is known row by row."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from etl import readers, vocabulary
from etl.load import ingest
from warehouse import build
from warehouse.connection import open_reader

INCIDENT_HEADER = ("警情编号,警情类型,接警渠道,所属区,经度,纬度,坐标系,接警时间,派警时间,出动时间,到场时间,"
                   "处置完毕时间,出警站点编号,出警站点,报警人,联系电话")
# row numbers as a spreadsheet shows them: title row 1, header row 2, data from row 3
INCIDENT_ROWS = [
    # 3: JQ1 by YJ0001, 5 min exactly -> within target
    "JQ1,电梯困人,群众电话,宝安区,113.91,22.57,WGS-84,2025-05-21 01:00:00,2025-05-21 01:01:00,2025-05-21 01:02:00,2025-05-21 01:05:00,2025-05-21 01:30:00,YJ0001,A站,李先生,13800000001",
    # 4: JQ1 by YJ0002 arrives first (04:00) -> incident response 240 s
    "JQ1,电梯困人,群众电话,宝安区,113.91,22.57,WGS-84,2025-05-21 01:00:00,2025-05-21 01:01:30,2025-05-21 01:02:00,2025-05-21 01:04:00,2025-05-21 01:30:00,YJ0002,B站,李先生,13800000001",
    # 5: JQ2, other timestamp spelling, 9 min
    "JQ2,火灾扑救,119平台调度,福田区,114.07,22.55,WGS-84,2025/5/22 10:00,2025/5/22 10:01,2025/5/22 10:03,2025/5/22 10:09,2025/5/22 11:00,YJ0002,B站,王女士,13900000002",
    # 6: arrival before departure -> rejected (order)
    "JQ3,火灾扑救,119平台调度,福田区,114.07,22.55,WGS-84,2025-05-23 10:00:00,2025-05-23 10:01:00,2025-05-23 10:03:00,2025-05-23 10:02:00,,YJ0002,B站,,",
    # 7: unknown type, no arrival -> kept, flagged twice
    "JQ4,外星人,到站求助,福田区,114.07,22.55,WGS-84,2025年5月24日 10:00,2025年5月24日 10:00,2025年5月24日 10:01,,,YJ0002,B站,,",
    # 8: no station -> rejected
    "JQ5,电梯困人,群众电话,福田区,114.07,22.55,WGS-84,2025-05-24 11:00:00,,,,,,,,",
    # 9: unreadable received time -> rejected
    "JQ6,电梯困人,群众电话,福田区,114.07,22.55,WGS-84,昨天上午,,,,,YJ0001,A站,,",
    # 10: exact duplicate of row 5 -> rejected as duplicate
    "JQ2,火灾扑救,119平台调度,福田区,114.07,22.55,WGS-84,2025/5/22 10:00,2025/5/22 10:01,2025/5/22 10:03,2025/5/22 10:09,2025/5/22 11:00,YJ0002,B站,王女士,13900000002",
    # 11: GCJ-02 coordinates with lat/lon swapped
    "JQ7,排水排涝,街道办指挥,宝安区,22.57,113.91,GCJ-02,2025-05-25 08:00:00,2025-05-25 08:00:30,2025-05-25 08:01:00,2025-05-25 08:03:00,2025-05-25 09:00:00,YJ0001,A站,,",
]


def write_incidents(path: Path, rows=INCIDENT_ROWS, encoding="gb18030") -> Path:
    text = "\r\n".join(["2025年5月出警记录,,,", INCIDENT_HEADER, *rows, "合计,8,,,,,,,,,,,,,,"]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_stations(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("站点台账")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["站点编号", "站点名称", "站点类型", "所属区", "经度", "纬度", "坐标系", "建成日期", "值班模式",
                        "队员人数", "队长", "副队长", "通信员", "安全员", "应急处置车辆数", "是否林区站"])
    rows = [
        ["YJ0001", "A站", "社区服务站", "宝安区", 113.9, 22.56, "WGS-84", dt.datetime(2023, 6, 1), "24小时", 12, 1, 1, 1, 1, 2, "否"],
        ["YJ0002", "B站", "小型站", "福田区", 114.06, 22.54, "GCJ-02", dt.datetime(2024, 3, 1), "24小时", 8, 1, 0, 1, 1, 1, "否"],
    ]
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            ws.write_datetime(i, j, v, date) if isinstance(v, dt.datetime) else ws.write(i, j, v)
    wb.close()
    return path


@pytest.fixture()
def loaded(tmp_path):
    stations = write_stations(tmp_path / "站点台账.xlsx")
    incidents = write_incidents(tmp_path / "出警记录.csv")
    warehouse = tmp_path / "w.duckdb"
    reports = ingest([incidents, stations], warehouse)
    return warehouse, {r.source_file: r for r in reports}, tmp_path


def test_encoding_detection():
    assert readers.detect_encoding("警情编号".encode("gb18030")) == "gb18030"
    assert readers.detect_encoding("警情编号".encode("utf-8")) == "utf-8"
    assert readers.detect_encoding("\ufeff警情编号".encode("utf-8")) == "utf-8-sig"
    assert readers.detect_encoding("警情编号".encode("utf-16")) == "utf-16"


@pytest.mark.parametrize("header, field", [
    ("到场时间(秒)", "arrive_at"), ("到场时间（秒）", "arrive_at"), (" 接警 时间 ", "call_at"),
    ("警情ＩＤ", "incident_id"), ("On Scene", "arrive_at"), ("incident_number", "incident_id"),
])
def test_header_words_are_recognised_in_their_variants(header, field):
    assert vocabulary.map_headers([header, "警情编号", "接警时间", "出警站点编号"], "incidents").columns.get(header) == field


def test_kind_is_detected_from_headers():
    assert vocabulary.detect_kind(INCIDENT_HEADER.split(",")) == "incidents"
    assert vocabulary.detect_kind(["年度", "站点类型", "目标数量"]) == "targets"
    assert vocabulary.detect_kind(["站点编号", "物资名称", "库存数量", "盘点日期"]) == "inventory"
    assert vocabulary.detect_kind(["名字", "年龄"]) is None


def test_title_row_skipped_and_totals_row_dropped(tmp_path):
    export = readers.read_export(write_incidents(tmp_path / "x.csv"))
    assert export.kind == "incidents" and export.encoding == "gb18030"
    assert export.header_row == 2
    from warehouse.connection import connect_memory

    con = connect_memory()
    assert readers.materialise(export, con, "delivered", tmp_path) == len(INCIDENT_ROWS)
    rows = [r[0] for r in con.execute("select source_row from delivered order by source_row").fetchall()]
    assert rows == list(range(3, 3 + len(INCIDENT_ROWS)))


def test_rows_keep_their_line_numbers_past_blank_rows_and_personal_columns_are_not_kept(tmp_path):
    # line 1 title, line 2 header (with a column named RowID), lines 3-8 below: 5 and 7 blank, 8 a totals row
    lines = ["2025年5月出警记录,,,",
             "警情编号,RowID,接警时间,报警人,联系电话",
             "JQ1,a,2025-05-20 08:00:00,张三,13800000001",
             "JQ2,b,2025-05-20 09:00:00,李四,13800000002",
             ",,,,",
             "JQ3,c,2025-05-20 10:00:00,王五,13800000003",
             " , ,,,",
             "合计,3,,,"]
    path = tmp_path / "出警记录.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    export = readers.read_export(path)
    from warehouse.connection import connect_memory

    con = connect_memory()
    assert readers.materialise(export, con, "delivered", tmp_path) == 3
    assert con.execute('select source_row, "警情编号", "RowID" from delivered order by source_row').fetchall() == [
        (3, "JQ1", "a"), (4, "JQ2", "b"), (6, "JQ3", "c")]
    held = [(t, c) for t, c in con.execute("select table_name, column_name from duckdb_columns() where database_name = 'temp'").fetchall()]
    assert not [c for _, c in held if c in ("报警人", "联系电话")]
    values = con.execute("select * from delivered_cells").fetchall()
    assert not [v for row in values for v in row if v and ("张三" in v or "138" in v)]
    readers.release(con, "delivered")
    assert con.execute("select count(*) from duckdb_tables() where database_name = 'temp'").fetchall()[0][0] == 0
    assert con.execute("select count(*) from duckdb_views() where database_name = 'temp'").fetchall()[0][0] == 0


def test_load_report_counts_each_rule(loaded):
    _, reports, _ = loaded
    r = reports["出警记录.csv"]
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (9, 5, 4)
    assert r.by_rule["order"] == 1
    assert r.by_rule["missing_station_id"] == 1
    assert r.by_rule["bad_call_at"] == 1
    assert r.by_rule["duplicate_in_file"] == 1
    assert r.by_rule["unknown_category"] == 1


def test_rejects_keep_row_rule_and_raw_values(loaded):
    warehouse, _, _ = loaded
    con = open_reader(warehouse)
    rejects = con.execute("select source_row, rule from rejects where source_file = '出警记录.csv' order by 1, 2").fetchall()
    assert rejects == [(6, "order"), (8, "missing_station_id"), (9, "bad_call_at"), (10, "duplicate_in_file")]
    raw = con.execute("select raw->>'$.call_at' from rejects where rule = 'bad_call_at'").fetchone()[0]
    assert raw == "昨天上午"
    # nothing lost: every data row is in the raw layer, loaded or not
    assert con.execute("select count(*) from raw.incident_rows").fetchone()[0] == len(INCIDENT_ROWS)


def test_first_arrival_is_minimum_over_stations(loaded):
    con = open_reader(loaded[0])
    rows = dict(con.execute("select incident_id, response_s from incidents").fetchall())
    assert rows == {"JQ1": 240, "JQ2": 540, "JQ4": None, "JQ7": 180}
    assert con.execute("select first_station_id from incidents where incident_id = 'JQ1'").fetchone()[0] == "YJ0002"


def test_timestamps_in_several_spellings(loaded):
    con = open_reader(loaded[0])
    got = dict(con.execute("select incident_id, call_at from incidents").fetchall())
    assert got["JQ2"] == dt.datetime(2025, 5, 22, 10, 0)
    assert got["JQ4"] == dt.datetime(2025, 5, 24, 10, 0)


def test_unknown_category_kept_as_written_and_flagged(loaded):
    con = open_reader(loaded[0])
    assert con.execute("select incident_type from incidents where incident_id = 'JQ4'").fetchone()[0] == "外星人"
    flags = {r[0] for r in con.execute("select rule from meta.flags where source_row = 7").fetchall()}
    assert flags == {"unknown_category", "no_arrival"}


def test_gcj02_converted_and_swap_detected(loaded):
    from emss import geo

    con = open_reader(loaded[0])
    lon, lat = con.execute("select lon, lat from incidents where incident_id = 'JQ7'").fetchone()
    # forward-convert the stored WGS-84 point: it must land on the delivered GCJ-02 point
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    assert abs(glon - 113.91) < 1e-6 and abs(glat - 22.57) < 1e-6
    assert 200 < geo.haversine_m(lon, lat, 113.91, 22.57) < 800
    slon, slat = con.execute("select lon, lat from stations where station_id = 'YJ0002'").fetchone()
    assert 200 < geo.haversine_m(slon, slat, 114.06, 22.54) < 800
    assert con.execute("select lon, lat from stations where station_id = 'YJ0001'").fetchone() == (113.9, 22.56)


def test_personal_data_never_stored(loaded):
    data = loaded[0].read_bytes()
    for secret in ("13800000001", "13900000002", "李先生", "王女士"):
        assert secret.encode("utf-8") not in data and secret.encode("gb18030") not in data


def test_same_file_twice_changes_nothing(loaded):
    warehouse, _, folder = loaded
    before = (warehouse.stat().st_ino, hashlib.sha256(warehouse.read_bytes()).hexdigest())
    reports = ingest([folder / "出警记录.csv", folder / "站点台账.xlsx"], warehouse)
    assert {r.outcome for r in reports} == {"unchanged"}
    assert (warehouse.stat().st_ino, hashlib.sha256(warehouse.read_bytes()).hexdigest()) == before


def test_revised_export_updates_and_keeps_previous_version(loaded):
    warehouse, _, folder = loaded
    revised = [INCIDENT_ROWS[2].replace("2025/5/22 10:09", "2025/5/22 10:04")]  # JQ2 arrives at 4 min
    ingest([write_incidents(folder / "出警记录_修订.csv", revised)], warehouse)
    con = open_reader(warehouse)
    assert con.execute("select response_s from incidents where incident_id = 'JQ2'").fetchone()[0] == 240
    assert con.execute("select count(*) from incidents").fetchone()[0] == 4  # no double count
    versions = con.execute("select count(*) from raw.incident_rows where incident_id = 'JQ2'").fetchone()[0]
    assert versions == 3  # two deliveries in the first file (one a duplicate) and the revision


def test_failed_load_leaves_warehouse_as_it_was(loaded, monkeypatch):
    warehouse, _, folder = loaded
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    def boom(con, **kwargs):
        raise RuntimeError("simulated failure while rebuilding marts")

    monkeypatch.setattr(build, "rebuild_derived", boom)
    with pytest.raises(RuntimeError):
        ingest([write_incidents(folder / "new.csv", [INCIDENT_ROWS[0].replace("JQ1", "JQ9")])], warehouse)
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not list(folder.glob("w.duckdb.tmp*"))


def test_unreadable_file_refused_with_reason_others_load(tmp_path):
    junk = tmp_path / "notes.csv"
    junk.write_text("名字,年龄\n张三,30\n", encoding="utf-8")
    good = write_stations(tmp_path / "s.xlsx")
    reports = {r.source_file: r for r in ingest([junk, good], tmp_path / "w.duckdb")}
    assert reports["notes.csv"].outcome == "refused"
    assert "表头" in reports["notes.csv"].message
    assert reports["s.xlsx"].outcome == "loaded"


def test_load_times_are_the_citys_wall_clock_whatever_the_servers_zone(tmp_path, monkeypatch):
    """A load's start and end (and a refusal's) are kept in the city's time: a server kept on UTC
    must not write a Shenzhen load 8 hours early."""
    import time
    from zoneinfo import ZoneInfo

    monkeypatch.setenv("TZ", "America/New_York")  # a zone far from the city's, whatever this machine's is
    time.tzset()
    try:
        junk = tmp_path / "notes.csv"
        junk.write_text("名字,年龄\n张三,30\n", encoding="utf-8")
        before = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
        ingest([junk, write_stations(tmp_path / "s.xlsx")], tmp_path / "w.duckdb")
        after = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    finally:
        monkeypatch.undo()
        time.tzset()
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    times = con.execute("select outcome, started_at, finished_at from meta.batches order by batch_id").fetchall()
    con.close()
    assert [t[0] for t in times] == ["refused", "loaded"]
    for _, started, finished in times:
        assert before - dt.timedelta(seconds=1) <= started <= finished <= after + dt.timedelta(seconds=1)


def test_missing_required_column_refused(tmp_path):
    f = tmp_path / "inc.csv"
    f.write_text("警情编号,接警时间,警情类型\nJQ1,2025-01-01 00:00:00,火灾扑救\n", encoding="utf-8")
    reports = ingest([f], tmp_path / "w.duckdb", kind="incidents")
    assert reports[0].outcome == "refused" and "出警站点编号" in reports[0].message
    assert not (tmp_path / "w.duckdb").exists()


def test_no_spelling_means_two_codes():
    seen = {}
    from emss import profiles

    for dimension, spelling, code in profiles.current().lookup_table():
        key = (dimension, spelling.strip().lower())
        assert seen.setdefault(key, code) == code, f"{key} means both {seen[key]} and {code}"


def test_h3_cells_match_the_h3_library(loaded):
    import h3

    con = open_reader(loaded[0])
    rows = con.execute("select lat, lon, h3_r8 from incidents").fetchall()
    assert rows
    for lat, lon, cell in rows:
        assert cell == h3.latlng_to_cell(lat, lon, 8)
