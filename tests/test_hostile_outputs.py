"""Outputs that cannot attack their readers: CSV / formula injection.

A station registry and an incident export whose station names, districts,
streets, host venues and addresses are formula payloads are loaded the real way
(xlsx files -> etl ingest -> DuckDB). Every CSV and xlsx the product hands out
must then carry those texts as text: a leading ' on any text cell starting with
= + - @ tab or CR, no formula (<f>) and no hyperlink in an xlsx, while numbers,
dates and booleans stay typed. The expected cells are written out by hand below.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

# payload -> the cell a spreadsheet must get (by hand, not through the code under test)
PAYLOADS: dict[str, str] = {
    '=HYPERLINK("http://127.0.0.1:9/x","点我")': '\'=HYPERLINK("http://127.0.0.1:9/x","点我")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
}
HEADLINE = '=HYPERLINK("http://127.0.0.1:9/x","点我")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
WEEK = "2026-W11"  # the data run from Monday 2026-03-02 to Sunday 2026-03-15

SS_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


# ---- the hostile exports and their warehouse -------------------------------------------------

REGISTRY_HEADERS = ["站点编号", "站点名称", "站点类型", "所属区", "街道", "依托场所", "经度", "纬度", "坐标系",
                    "建成日期", "撤销日期", "值班模式", "队员人数", "队长", "副队长", "通信员", "安全员",
                    "应急处置车辆数", "是否林区站"]
INCIDENT_HEADERS = ["警情编号", "警情类型", "接警渠道", "所属区", "街道", "事发地址", "经度", "纬度", "坐标系",
                    "接警时间", "派警时间", "出动时间", "到场时间", "处置完毕时间", "出警站点编号", "出警站点",
                    "出动人数", "出动车辆数"]


def _write_xlsx(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    """An export as saved from Excel: every cell a string, payloads included verbatim."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    ws = wb.add_worksheet("Sheet1")
    for c, h in enumerate(headers):
        ws.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    wb.close()
    return path


def _stations() -> list[dict[str, str]]:
    out = []
    for i, payload in enumerate(PAYLOADS):
        out.append({"id": f"ZD{i:03d}", "name": payload, "district": payload, "street": payload, "venue": payload})
    out.append({"id": "ZD100", "name": "福田区福保街道应急管理服务站", "district": "福田区", "street": "福保街道",
                "venue": "社区工作站"})
    out.append({"id": "ZD101", "name": "罗湖区桂园街道应急管理服务站", "district": "罗湖区", "street": "桂园街道",
                "venue": "社区工作站"})
    return out


@pytest.fixture(scope="module")
def hostile_warehouse(tmp_path_factory) -> Path:
    from etl.load import ingest

    folder = tmp_path_factory.mktemp("hostile")
    stations = _stations()
    registry = [[s["id"], s["name"], "社区服务站", s["district"], s["street"], s["venue"],
                 f"{114.00 + i * 0.01:.6f}", "22.540000", "WGS-84", "2025-06-01", "", "24小时",
                 "10", "1", "1", "1", "1", "2", "否"] for i, s in enumerate(stations)]
    incidents, n = [], 0
    for day in range(14):  # two full ISO weeks: 2026-W10 and 2026-W11
        date = dt.date(2026, 3, 2) + dt.timedelta(days=day)
        for i, s in enumerate(stations):
            n += 1
            call = dt.datetime.combine(date, dt.time(9, i))
            at = lambda seconds: (call + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
            incidents.append([f"JQ2026{n:06d}", "火灾扑救", "119平台调度", s["district"], s["street"], s["name"],
                              f"{114.00 + i * 0.01:.6f}", "22.550000", "WGS-84", at(0), at(30), at(60),
                              at(200 + 15 * day), at(3600), s["id"], s["name"], "4", "1"])
    files = [_write_xlsx(folder / "站点台账.xlsx", REGISTRY_HEADERS, registry),
             _write_xlsx(folder / "出警记录.xlsx", INCIDENT_HEADERS, incidents)]
    warehouse = folder / "emss.duckdb"
    reports = ingest(files, warehouse)
    assert all(r.outcome == "loaded" for r in reports), [(r.source_file, r.outcome, r.message) for r in reports]
    return warehouse


@pytest.fixture(scope="module")
def loaded_payloads(hostile_warehouse) -> dict[str, str]:
    """The payloads that reached the warehouse as written (the loader may refuse some; those are its business)."""
    con = duckdb.connect(str(hostile_warehouse), read_only=True)
    try:
        names = {r[0] for r in con.execute("select station_name from stations").fetchall()}
        districts = {r[0] for r in con.execute("select district from stations").fetchall()}
    finally:
        con.close()
    present = {p: q for p, q in PAYLOADS.items() if p in names and p in districts}
    assert HEADLINE in present, "the =HYPERLINK payload did not load: the test has nothing to attack with"
    return present


@pytest.fixture(scope="module")
def hostile_snapshot(hostile_warehouse, tmp_path_factory) -> Path:
    from emss import snapshot

    snap = snapshot.take(hostile_warehouse, out_dir=tmp_path_factory.mktemp("snapshots"), pdf=False)
    assert snap.week.label == WEEK
    return snap.folder


# ---- reading outputs back, independently of emss.spreadsheet ---------------------------------

def _unescape_ooxml(text: str) -> str:
    """OOXML writes control characters as _xHHHH_ (a CR is _x000D_)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _xlsx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist() if name.endswith(".xml")}


def _xlsx_strings(parts: dict[str, str]) -> list[str]:
    """Every text an xlsx holds in cells: shared strings and inline strings."""
    out = []
    for name, xml in parts.items():
        if name == "xl/sharedStrings.xml":
            for si in ET.fromstring(xml).iter(f"{SS_NS}si"):
                out.append(_unescape_ooxml("".join(t.text or "" for t in si.iter(f"{SS_NS}t"))))
        elif name.startswith("xl/worksheets/sheet"):
            for is_ in ET.fromstring(xml).iter(f"{SS_NS}is"):
                out.append(_unescape_ooxml("".join(t.text or "" for t in is_.iter(f"{SS_NS}t"))))
    return out


def _xlsx_formulas(parts: dict[str, str]) -> list[str]:
    return [f.text or "" for name, xml in parts.items() if name.startswith("xl/worksheets/sheet")
            for f in ET.fromstring(xml).iter(f"{SS_NS}f")]


def assert_xlsx_is_harmless(data: bytes, expected_cells: list[str]) -> None:
    parts = _xlsx_parts(data)
    formulas = _xlsx_formulas(parts)
    for body in ("HYPERLINK", "cmd|", "SUM(A1)", "1+1", "2+3"):
        assert not any(body in f for f in formulas), f"a payload became a formula: {formulas}"
    for name, xml in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            assert "<hyperlink" not in xml, f"{name} holds a hyperlink"
    strings = _xlsx_strings(parts)
    for cell in expected_cells:
        assert cell in strings, f"{cell!r} is not a text cell of the workbook"
    for s in strings:
        assert not s.startswith(DANGEROUS), f"text cell {s!r} would be read as a formula"


def _csv_rows(text: str) -> list[list[str]]:
    return [row for row in csv.reader(io.StringIO(text, newline="")) if row]  # print() adds a last blank line


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_csv_is_harmless(rows: list[list[str]]) -> None:
    """Every cell starting with = + - @ tab or CR is a number (a typed negative figure), never text."""
    for row in rows:
        for cell in row:
            if cell.startswith(DANGEROUS):
                assert _is_number(cell), f"text cell {cell!r} would be read as a formula"


def _column(rows: list[list[str]], name: str) -> list[str]:
    i = rows[0].index(name)
    return [r[i] for r in rows[1:]]


# ---- the neutraliser itself ------------------------------------------------------------------

@pytest.mark.parametrize("payload,expected", list(PAYLOADS.items()))
def test_each_dangerous_start_gets_a_quote(payload, expected):
    from emss.spreadsheet import neutralise

    assert neutralise(payload) == expected


@pytest.mark.parametrize("value,expected", [
    ("=1", "'=1"), ("+", "'+"), ("-", "'-"), ("@", "'@"), ("\t", "'\t"), ("\r", "'\r"),
    ("-2", "'-2"),          # a negative number written as text is text: quoted
    ("-2.5", "'-2.5"),
])
def test_single_characters_and_numbers_as_text(value, expected):
    from emss.spreadsheet import neutralise

    assert neutralise(value) == expected


@pytest.mark.parametrize("value", [
    -2, -2.5, 0, 3, True, False, None, dt.date(2026, 3, 9), dt.datetime(2026, 3, 9, 10, 0),
    "福田区", "", "a=b", "1+1", "2026-03-09", "'=already quoted", "http://example.org", " 空格开头", "\n换行开头",
])
def test_harmless_values_are_unchanged(value):
    from emss.spreadsheet import neutralise

    assert neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_a_frame_keeps_its_types_and_quotes_its_text_and_headers():
    from emss.spreadsheet import for_spreadsheet

    frame = pl.DataFrame({
        "行政区": ["=1+1", "福田区", None],
        "@SUM(A1)": [-2, 5, None],                       # a header can be data (e.g. a station as a column)
        "变化": [-0.25, 0.5, None],
        "日期": [dt.date(2026, 3, 9)] * 3,
        "达标": [True, False, None],
        "类型": pl.Series(["-2+3", "社区服务站", "社区服务站"], dtype=pl.Categorical),
        "缺项": [["=x", "灭火器"], [], None],
        "明细": [[{"item": "@a", "actual": 1.0}], [], None],
        "记录": [{"k": "=v"}, {"k": "b"}, None],
    })
    out = for_spreadsheet(frame)
    assert out.columns == ["行政区", "'@SUM(A1)", "变化", "日期", "达标", "类型", "缺项", "明细", "记录"]
    assert out["行政区"].to_list() == ["'=1+1", "福田区", None]
    assert out["'@SUM(A1)"].dtype == pl.Int64 and out["'@SUM(A1)"].to_list() == [-2, 5, None]
    assert out["变化"].dtype == pl.Float64 and out["变化"].to_list() == [-0.25, 0.5, None]
    assert out["日期"].dtype == pl.Date
    assert out["达标"].dtype == pl.Boolean
    assert out["类型"].to_list() == ["'-2+3", "社区服务站", "社区服务站"]
    assert out["缺项"].to_list() == ["'=x；灭火器", "", None]    # joined first, then the joined text quoted
    assert out["明细"].to_list() == ['{"item":"@a","actual":1.0}', "", None]
    assert out["记录"].to_list() == ['{"k":"=v"}', '{"k":"b"}', None]


# ---- the weekly snapshot ---------------------------------------------------------------------

def test_snapshot_workbook_holds_payloads_as_quoted_text(hostile_snapshot, loaded_payloads):
    from dashboard import i18n

    path = hostile_snapshot / f"kpi_{WEEK}.xlsx"
    assert_xlsx_is_harmless(path.read_bytes(), list(loaded_payloads.values()))

    # read back by a spreadsheet reader: the district is text with its quote, the count still a number
    sheet = pl.read_excel(path, sheet_name=i18n.text("snap_sheet_stations", "zh"))
    district, in_service = i18n.text("col_district", "zh"), i18n.text("col_in_service", "zh")
    assert set(loaded_payloads.values()) <= set(sheet[district].to_list())
    assert sheet[in_service].dtype.is_integer()


def test_snapshot_tables_csv_are_quoted(hostile_snapshot, loaded_payloads):
    from emss.snapshot.tables import TABLES

    files = sorted((hostile_snapshot / "tables").glob("*.csv"))
    assert {f.stem for f in files} == {t.stem for t in TABLES}   # every table of the pack, and nothing else
    for path in files:
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), f"{path.name}: no BOM"
        assert_csv_is_harmless(_csv_rows(data.decode("utf-8-sig")))
    for stem in ("response_by_district", "stations_by_district"):
        rows = _csv_rows((hostile_snapshot / "tables" / f"{stem}.csv").read_bytes().decode("utf-8-sig"))
        assert set(loaded_payloads.values()) <= set(_column(rows, "district")), stem
    # the Parquet beside it keeps the data as it is
    raw = pl.read_parquet(hostile_snapshot / "tables" / "stations_by_district.parquet")
    assert set(loaded_payloads) <= set(raw["district"].to_list())


# ---- emss query --format csv -----------------------------------------------------------------

def test_cli_register_csv_works_and_is_quoted(hostile_warehouse, loaded_payloads):
    out = subprocess.run([sys.executable, "-m", "emss.cli", "query", "stations/register", "--format", "csv",
                          "-w", str(hostile_warehouse)], capture_output=True)  # bytes: a CR in a cell stays a CR
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    assert not out.stdout.startswith(b"\xef\xbb\xbf")  # stdout is for pipes: no BOM
    rows = _csv_rows(out.stdout.decode("utf-8"))
    assert_csv_is_harmless(rows)
    for column in ("station_name", "district", "street", "host_venue"):
        assert set(loaded_payloads.values()) <= set(_column(rows, column)), column
    assert "shortfalls" in rows[0]  # the list-of-records column, now text


def test_cli_csv_to_a_file_is_quoted(hostile_warehouse, loaded_payloads, tmp_path):
    target = tmp_path / "by_district.csv"
    out = subprocess.run([sys.executable, "-m", "emss.cli", "query", "response/by_district", "--format", "csv",
                          "--out", str(target), "-w", str(hostile_warehouse)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    with target.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert_csv_is_harmless(rows)
    assert set(loaded_payloads.values()) <= set(_column(rows, "district"))


def test_every_named_query_as_csv_is_quoted(hostile_warehouse, loaded_payloads, capsys):
    import queries
    from emss import cli

    seen: set[str] = set()
    for name in queries.catalogue():
        assert cli.main(["query", name, "--format", "csv", "-w", str(hostile_warehouse)]) == 0, name
        rows = _csv_rows(capsys.readouterr().out)
        assert_csv_is_harmless(rows)
        seen |= {cell for row in rows for cell in row}
    assert set(loaded_payloads.values()) <= seen


def test_cli_json_keeps_the_data_as_it_is(hostile_warehouse, loaded_payloads):
    """JSON is data for programs, not a spreadsheet: it keeps the names exactly as loaded."""
    out = subprocess.run([sys.executable, "-m", "emss.cli", "query", "stations/register", "--format", "json",
                          "-w", str(hostile_warehouse)], capture_output=True, text=True, encoding="utf-8")
    assert out.returncode == 0, out.stderr
    assert set(loaded_payloads) <= {r["station_name"] for r in json.loads(out.stdout)}


# ---- the dashboard's downloads ---------------------------------------------------------------

@pytest.fixture(scope="module")
def shown_register(hostile_warehouse) -> pl.DataFrame:
    """The register as a page shows it: Chinese headers, a list column, one header a station's name."""
    import queries
    from warehouse.connection import open_reader

    con = open_reader(hostile_warehouse)
    try:
        frame = queries.run(con, "stations/register", {})
    finally:
        con.close()
    return (frame.select("station_id", "station_name", "district", "host_venue", "staff_count", "opened_on",
                         "is_compliant", "shortfalls")
            .rename({"station_id": "站点编号", "station_name": "站点名称", "district": "行政区",
                     "host_venue": "依托场所", "staff_count": "队员人数", "opened_on": "建成日期",
                     "is_compliant": "达标", "shortfalls": "缺项"})
            .with_columns(pl.lit(-3).alias("=cmd|' /C calc'!A0"), pl.lit("http://127.0.0.1:9/x").alias("链接")))


def test_dashboard_csv_download_is_quoted(shown_register, loaded_payloads):
    from dashboard import export

    data = export.csv_bytes(shown_register)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(data.decode("utf-8-sig"))
    assert_csv_is_harmless(rows)
    assert rows[0][-2] == "'=cmd|' /C calc'!A0"
    assert set(_column(rows, "'=cmd|' /C calc'!A0")) == {"-3"}  # a number stays a number
    for column in ("站点名称", "行政区", "依托场所"):
        assert set(loaded_payloads.values()) <= set(_column(rows, column)), column


def test_dashboard_excel_download_is_text(shown_register, loaded_payloads):
    from dashboard import export

    data = export.excel_bytes(shown_register, "站点台账")
    assert_xlsx_is_harmless(data, [*loaded_payloads.values(), "'=cmd|' /C calc'!A0", "http://127.0.0.1:9/x"])
    back = pl.read_excel(io.BytesIO(data))
    assert back["'=cmd|' /C calc'!A0"].to_list() == [-3] * shown_register.height
    assert back["队员人数"].dtype.is_integer()
    assert set(loaded_payloads.values()) <= set(back["站点名称"].to_list())
