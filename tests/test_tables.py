"""The one table formatter (emss.tables) and the downloads built on it (dashboard.export).

Expected values are written by hand. The pages are run with AppTest on the shared fixture warehouse
(tests/conftest.py) in both languages: no table cell, header or markdown text shows None, NaN or
null, and the by-group table keeps its incident counts in English. Downloads are caught as the
pages offer them (st.download_button) and read back: CSV with polars, xlsx with polars.read_excel
(fastexcel).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import fastexcel
import pandas as pd
import polars as pl
import pytest
from conftest import open_dashboard
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from dashboard import export, filters, i18n, printing, response_text
from emss import tables
from emss.tables import COUNT, DATE, DATETIME, DURATION, LINK, NUMBER, POPULATION, RATE, TEXT, Column

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = ("overview", "response_times", "incidents", "stations", "station", "inventory", "map", "coverage", "quality",
         "snapshots", "workbench")
# what a reader must never see for a missing value
NOT_A_VALUE = re.compile(r"\b(None|NaN|nan|null|NaT)\b")


# ---- one value ----------------------------------------------------------------------------------

@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
@pytest.mark.parametrize("kind", sorted(tables.KINDS))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_missing_value_is_a_dash(missing, kind, lang):
    assert tables.cell_text(missing, kind, lang) == "—"


@pytest.mark.parametrize("value, kind, lang, options, expected", [
    (1234567, COUNT, "zh", {}, "1,234,567"),
    (1234567.0, COUNT, "en", {}, "1,234,567"),
    (-3, COUNT, "zh", {}, "-3"),
    (5, COUNT, "en", {"signed": True}, "+5"),
    (301, DURATION, "zh", {}, "5:01"),
    (301, DURATION, "en", {}, "5:01"),
    (59.6, DURATION, "zh", {}, "1:00"),
    (0, DURATION, "zh", {}, "0:00"),
    (3725, DURATION, "en", {}, "62:05"),          # minutes go on past the hour, as Excel's [m]:ss
    (-5, DURATION, "zh", {}, "-0:05"),
    (0.497, RATE, "zh", {}, "49.7%"),
    (0.497, RATE, "en", {}, "49.7%"),
    (0.5, RATE, "zh", {"digits": 0}, "50%"),
    (1, RATE, "en", {}, "100.0%"),
    (0.01234, RATE, "zh", {"digits": 2}, "1.23%"),
    (4_476_600, POPULATION, "zh", {}, "447.7万"),
    (10_000, POPULATION, "zh", {}, "1.0万"),
    (9_876, POPULATION, "zh", {}, "9,876"),
    (4_476_600, POPULATION, "en", {}, "4,476,600"),
    (1234.56, NUMBER, "zh", {"digits": 1}, "1,234.6"),
    (114.058123, NUMBER, "en", {"digits": 5}, "114.05812"),
    (1.234, NUMBER, "zh", {"digits": 2, "signed": True}, "+1.23"),
    (-1.234, NUMBER, "en", {"digits": 2, "signed": True}, "-1.23"),
    (7.0, NUMBER, "en", {}, "7"),
    (dt.date(2026, 11, 2), DATE, "zh", {}, "2026-11-02"),
    (dt.datetime(2026, 11, 2, 14, 3, 5), DATETIME, "en", {}, "2026-11-02 14:03:05"),
    (pd.Timestamp("2026-11-02"), DATE, "zh", {}, "2026-11-02"),
    (True, TEXT, "zh", {}, "是"),
    (False, TEXT, "en", {}, "No"),
    ("宝安区", TEXT, "zh", {}, "宝安区"),
])
def test_cell_text(value, kind, lang, options, expected):
    assert tables.cell_text(value, kind, lang, **options) == expected


def test_a_table_of_nothing_shows_dashes_and_exports_empty_cells():
    columns = [Column("区", "d"), Column("警情数", "n", COUNT), Column("到场率", "r", RATE),
               Column("中位数", "p", DURATION), Column("人口", "pop", POPULATION), Column("日期", "day", DATE),
               Column("链接", "u", LINK)]
    table = tables.build([{"d": None, "n": None, "r": float("nan"), "p": None, "pop": None, "day": None, "u": None}],
                         columns, "zh")
    assert tables.display(table).row(0) == ("—",) * 7
    out = tables.export_frame(table)
    assert out.columns == ["区", "警情数", "到场率（比例，1=100%）", "中位数（秒）", "人口", "日期"]  # no link column
    assert out.row(0) == (None,) * 6
    text = export.csv_bytes(table).decode("utf-8-sig")
    assert not NOT_A_VALUE.search(text)
    assert text.splitlines()[1] == ",,,,,"


def test_csv_carries_numbers_dates_and_times_as_a_spreadsheet_reads_them():
    table = tables.build([{"at": dt.datetime(2026, 11, 2, 14, 3, 5), "on": dt.date(2026, 11, 2), "s": 301.0,
                           "rate": 0.575, "pop": 4_476_600.4}], [
        Column("Call received", "at", DATETIME), Column("Counted", "on", DATE), Column("Response", "s", DURATION),
        Column("5-minute rate", "rate", RATE), Column("Residents", "pop", POPULATION)], "en")
    assert export.csv_bytes(table).decode("utf-8-sig").splitlines() == [
        "Call received,Counted,Response (s),5-minute rate (fraction: 1 = 100%),Residents",
        "2026-11-02 14:03:05,2026-11-02,301,0.575,4476600",
    ]



def test_the_printed_copy_is_the_formatter_s_text_escaped_and_capped():
    """dashboard/printing.py: the static table a page prints instead of the grid."""
    table = tables.build([{"name": f"站<{i}>", "s": 301.0 + i, "rate": None, "u": "/incidents?x=1" if i else None}
                          for i in range(5)],
                         [Column("站点 & 名称", "name"), Column("响应", "s", DURATION), Column("到场率", "rate", RATE),
                          Column("警情", "u", LINK, link_text="查看")], "zh")
    out = printing.printed_html(table, max_rows=3)
    assert out.startswith('<table class="emss-print"><thead><tr><th>站点 &amp; 名称</th><th>响应</th>')
    rows = re.findall(r"<tr>(.*?)</tr>", out)[1:]
    assert rows == [f"<td>站&lt;{i}&gt;</td><td>5:0{i + 1}</td><td>—</td><td>{'查看' if i else '—'}</td>" for i in range(3)]
    assert out.endswith(f'<p class="emss-print-note">{i18n.text("print_rows_left_out", "zh", shown=3, n=2)}</p>')
    assert "emss-print-note" not in printing.printed_html(table)  # all rows printed: nothing said

def test_a_labels_column_shows_each_code_as_the_city_s_word():
    """Column(labels=...): the profile's words for the codes (profile.toml, read by hand), a code the city
    does not list as written, no code as 未知 / unknown."""
    rows = [{"d": "futian"}, {"d": "luohu"}, {"d": "futian"}, {"d": "nowhere"}, {"d": None}]
    zh = tables.build(rows, [Column("区", "d", labels="district")], "zh")
    en = tables.build(rows, [Column("District", "d", labels="district")], "en")
    assert zh.frame["区"].to_list() == ["福田区", "罗湖区", "福田区", "nowhere", "未知"]
    assert en.frame["District"].to_list() == ["Futian", "Luohu", "Futian", "nowhere", "unknown"]


def test_the_on_screen_text_is_what_pandas_own_styler_would_show():
    """export.on_screen hands Streamlit the formatter's text without pandas laying out each cell's HTML:
    Streamlit's display values are the same as through pandas' own Styler.format, cell for cell, and the
    values underneath stay numbers and dates (so columns sort as such)."""
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    table = tables.build([{"name": f"站{i}", "n": 1234 * i, "s": 301.0 + 60 * i, "rate": i / 7 if i != 2 else None,
                           "pop": 4_476_600.4 / (i + 1), "on": dt.date(2026, 11, i + 1)} for i in range(4)],
                         [Column("站点", "name"), Column("警情数", "n", COUNT), Column("响应", "s", DURATION),
                          Column("到场率", "rate", RATE), Column("人口", "pop", POPULATION), Column("日期", "on", DATE)],
                         "zh")

    def shown(styler) -> pd.DataFrame:
        proto = ArrowData()
        marshall_styler(proto, styler, "t")
        return dataframe_util.convert_arrow_bytes_to_pandas_df(proto.styler.display_values)

    ours = shown(export.on_screen(table))
    pandas_own = shown(table.frame.to_pandas().style.format(
        {c.label: tables.formatter(c, "zh") for c in table.columns}, na_rep=tables.DASH))
    assert ours.equals(pandas_own)
    assert ours.iloc[1].tolist() == ["站1", "1,234", "6:01", "14.3%", "223.8万", "2026-11-02"]
    assert ours.iloc[2, 3] == "—"
    data = export.on_screen(table).data
    assert data["警情数"].tolist() == [0, 1234, 2468, 3702] and data["响应"].iloc[3] == 481.0


# ---- labels --------------------------------------------------------------------------------------

def test_two_columns_with_one_label_are_refused():
    with pytest.raises(tables.DuplicateLabel):
        tables.build([], [Column("Incidents", "incidents", COUNT), Column("Incidents", "link", LINK)], "en")


def _by_group_rows() -> pl.DataFrame:
    """Two districts as response/by_group returns them, written by hand."""
    return pl.DataFrame([
        {"group_code": "baoan", "group_name": None, "incidents": 12, "arrived": 10, "timed": 10, "within_target": 7,
         "within_target_rate": 0.7, "p50_response_s": 251.0, "p90_response_s": 412.5, "p50_call_processing_s": 30.0,
         "p50_turnout_s": 65.0, "p50_travel_s": 150.0, "slowest_phase": "travel", "slowest_phase_excess_s": 31.0,
         "share_of_misses": 0.75, "is_small_sample": False},
        {"group_code": "dapeng", "group_name": None, "incidents": 3, "arrived": 0, "timed": 0, "within_target": 0,
         "within_target_rate": None, "p50_response_s": None, "p90_response_s": None, "p50_call_processing_s": None,
         "p50_turnout_s": None, "p50_travel_s": None, "slowest_phase": None, "slowest_phase_excess_s": None,
         "share_of_misses": 0.25, "is_small_sample": True},
    ])


def test_the_by_group_table_in_english_keeps_both_incident_columns():
    f = filters.Filters(start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 29), lang="en")
    table = response_text.by_group_table(_by_group_rows(), "district", f, "en")
    assert table.frame["Incidents"].to_list() == [12, 3]
    assert table.frame["Incident list"].to_list()[0].startswith("incidents?start=2026-11-02&end=2026-11-29")
    shown = tables.display(table)
    assert shown["Median"].to_list() == ["4:11", "—"]
    assert shown["90th percentile"].to_list() == ["6:52", "—"]
    assert shown["5-minute rate"].to_list() == ["70.0%", "—"]
    assert shown["Slowest phase vs whole scope"].to_list() == ["Travel +31 s", "—"]

    csv = pl.read_csv(io.BytesIO(export.csv_bytes(table)))
    assert csv["Incidents"].to_list() == [12, 3]
    assert csv["5-minute rate (fraction: 1 = 100%)"].to_list() == [0.7, None]
    assert csv["Median (s)"].to_list() == [251, None]
    assert csv["90th percentile (s)"].to_list() == [412.5, None]  # not whole: kept as measured
    assert "Incident list" not in csv.columns and "Open" not in csv.columns


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("dimension", ["district", "incident_type", "station_type", "channel", "station"])
def test_the_by_group_table_has_unique_labels_whatever_the_split(dimension, lang):
    f = filters.Filters(start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 29), lang=lang)
    table = response_text.by_group_table(_by_group_rows(), dimension, f, lang)  # raises on two equal labels
    assert len(set(tables.export_frame(table).columns)) == len(table.columns) - 1  # all but the link


def test_file_names_carry_the_period_and_the_filters():
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 29)
    name = "分组对比_行政区"
    assert export.file_stem(name, filters.Filters(start, end), export.PERIOD, "zh") == \
        "分组对比_行政区_2026-11-02_2026-11-29"
    assert export.file_stem(name, filters.Filters(start, end, districts=("baoan",)), export.PERIOD, "zh") == \
        "分组对比_行政区_2026-11-02_2026-11-29_宝安区"
    assert export.file_stem(name, filters.Filters(start, end, districts=("baoan", "futian"),
                                                  station_types=("community", "small")), export.PERIOD, "zh") == \
        "分组对比_行政区_2026-11-02_2026-11-29_宝安区+福田区_社区服务站+小型站"
    four = filters.Filters(start, end, districts=("baoan", "futian", "luohu", "nanshan"))
    assert export.file_stem("By group_District", four, export.PERIOD, "en") == \
        "By group_District_2026-11-02_2026-11-29_4 districts"
    # made safe for Windows and Excel; a table filtered by nothing names no period
    assert export.file_stem("站点/台账:*", four, export.UNFILTERED, "zh") == "站点 台账"


def test_every_label_key_pair_a_page_shares_is_told_apart():
    """The keys that once collided in one table now differ in both languages."""
    for lang in ("zh", "en"):
        assert i18n.text("col_incidents", lang) != i18n.text("tbl_col_incident_link", lang)
        p90 = ("tbl_col_p90_response", "tbl_col_p90_turnout", "tbl_col_p90_travel")
        assert len({i18n.text(k, lang) for k in p90}) == 3


# ---- Excel ------------------------------------------------------------------------------------------

def _sheet_rows(data: bytes, sheet_id: int) -> dict[str, str]:
    frame = pl.read_excel(io.BytesIO(data), sheet_id=sheet_id, has_header=False)
    return dict(zip(frame[frame.columns[0]].to_list(), frame[frame.columns[1]].to_list()))


def test_excel_keeps_numbers_and_quotes_text():
    table = tables.build([{"name": "=HYPERLINK(\"http://x\",\"点我\")", "n": -3, "rate": 0.25, "s": 301}], [
        Column("站点名称", "name"), Column("警情数", "n", COUNT), Column("到场率", "rate", RATE),
        Column("响应时间", "s", DURATION)], "zh")
    data = export.excel_bytes(table, "=表", about=[("表格", "=表"), ("统计期间", "2026-11-02 至 2026-11-29（28 天）")])
    assert fastexcel.read_excel(data).sheet_names == ["说明", "=表"]
    assert _sheet_rows(data, 1)["表格"] == "'=表"
    back = pl.read_excel(io.BytesIO(data), sheet_id=2)
    assert back.row(0) == ("'=HYPERLINK(\"http://x\",\"点我\")", -3, 0.25, 301)
    assert back.columns == ["站点名称", "警情数", "到场率", "响应时间（秒）"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = z.read("xl/styles.xml").decode()
    assert 'formatCode="0.0%"' in styles and 'formatCode="#,##0.000"' not in styles


# ---- the pages -----------------------------------------------------------------------------------

@pytest.fixture
def downloads(monkeypatch) -> list[dict]:
    """Every download a page offers in a run: its label, bytes and file name."""
    from streamlit.delta_generator import DeltaGenerator

    seen: list[dict] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, file_name=None, *args, **kwargs):
        # a page's files are made when clicked (a callable): made here, as a click would
        seen.append({"label": label, "data": data() if callable(data) else data, "file_name": file_name,
                     "key": kwargs.get("key")})
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    return seen


@pytest.fixture
def app(demo_warehouse, monkeypatch):
    monkeypatch.setenv("EMSS_WAREHOUSE", str(demo_warehouse))

    def make(page: str | None = None, warehouse: Path | None = None, **query: str) -> AppTest:
        if warehouse:
            monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
        return open_dashboard(page, timeout=120, **query)

    return make


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def shown_cells(element) -> list[str]:
    """Every header and cell of an st.dataframe as the browser draws it: a missing value as the
    placeholder (Streamlit's own is "None"), else the Styler's display text when there is one."""
    proto = element.proto
    raw = element.value
    styler = proto.arrow_data.styler if proto.arrow_data.HasField("styler") else None
    display = (dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
               if styler is not None and styler.display_values else None)
    placeholder = proto.placeholder if proto.HasField("placeholder") else "None"
    out = [str(c) for c in raw.columns]
    for j in range(raw.shape[1]):
        for i in range(raw.shape[0]):
            value = raw.iat[i, j]
            missing = value is None or (not isinstance(value, (list, dict)) and pd.isna(value) is True)
            out.append(placeholder if missing else str(display.iat[i, j]) if display is not None else str(value))
    return out


def shown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(element, text) of everything a page writes as words (titles, captions, markdown, alerts, metrics,
    labels and help), SQL shown as code left out."""
    out = []
    for node in _walk(at._tree):
        kind, proto = getattr(node, "type", None), getattr(node, "proto", None)
        if proto is None or kind in ("code", "dataframe"):
            continue
        for field in ("body", "label", "help", "delta", "placeholder"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                out.append((f"{kind}.{field}", value))
    return out


def assert_nothing_shows_a_missing_value(at: AppTest, where: str) -> None:
    for element in at.dataframe:
        bad = [c for c in shown_cells(element) if NOT_A_VALUE.search(c)]
        assert not bad, f"{where}: table {list(element.value.columns)[:3]}: {bad[:5]}"
    bad = [(k, v) for k, v in shown_texts(at) if NOT_A_VALUE.search(v)]
    assert not bad, f"{where}: {bad[:5]}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_none_nan_null_or_an_english_select_all(app, page, lang):
    at = app(None if page == "overview" else page, lang=lang)
    assert at.dataframe or page == "map", page
    assert_nothing_shows_a_missing_value(at, f"{page} ({lang})")
    # Streamlit's multiselect offers a bulk "Select all" written in English whatever the page's language;
    # an empty filter already means all here, so none offers it
    offered = [m.label for m in at.multiselect if m.proto.select_all != 0]
    assert not offered, f"{page}: {offered}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_incident_timeline_shows_no_missing_value(app, reader, lang):
    """An incident with a station that never arrived: its arrival, travel and total are missing, shown as dashes."""
    incident = reader.execute("""
        select incident_id from responses group by incident_id
        order by count(*) filter (where arrive_at is null) desc, count(*) desc, incident_id limit 1""").fetchall()[0][0]
    at = app("incidents", incident=incident, start="2020-01-01", lang=lang)
    assert len(at.dataframe) == 2  # the list and the incident's responses
    assert_nothing_shows_a_missing_value(at, f"incidents ({lang})")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_quality_page_shows_rejected_rows_without_null(app, tmp_path, lang):
    """Rejected rows are kept as JSON, where an empty field is null: the page writes them in words."""
    from etl.load import ingest

    corpus = Path(__file__).resolve().parent / "corpus"
    warehouse = tmp_path / "w.duckdb"
    for name in ("utf8.csv", "order_violation.csv", "duplicate_rows.csv", "missing_arrival.csv"):
        ingest([corpus / name], warehouse)
    at = app("quality", warehouse=warehouse, lang=lang)
    rejected = [d.value for d in at.dataframe if i18n.text("col_raw", lang) in d.value.columns]
    assert rejected and len(rejected[0])
    assert_nothing_shows_a_missing_value(at, f"quality ({lang})")


def test_the_english_by_group_download_keeps_the_incident_counts(app, downloads):
    at = app("response_times", lang="en")
    table = next(d.value for d in at.dataframe if "Incident list" in d.value.columns and "Median" in d.value.columns)
    assert {"Incidents", "Incident list"} <= set(table.columns)
    assert table["Incidents"].dtype.kind == "i" and table["Incidents"].sum() > 0
    csv = next(d for d in downloads if d["key"] == "response_by_group_csv")
    back = pl.read_csv(io.BytesIO(csv["data"]))
    assert back["Incidents"].to_list() == table["Incidents"].to_list()
    assert back["District"].to_list() == table["District"].to_list()
    rates = back["5-minute rate (fraction: 1 = 100%)"].drop_nulls()
    assert rates.len() and rates.min() >= 0 and rates.max() <= 1


def test_the_excel_download_is_numbers_named_by_its_period_and_filters(app, downloads, reader):
    import queries

    as_of = reader.execute("select as_of_date from data_as_of").fetchall()[0][0]
    start = as_of - dt.timedelta(days=27)
    at = app("response_times", district="baoan")
    assert not at.exception
    offered = {d["key"]: d for d in downloads}
    xlsx, csv = offered["response_by_group_xlsx"], offered["response_by_group_csv"]
    stem = f"分组对比_行政区_{start.isoformat()}_{as_of.isoformat()}_宝安区"
    assert (xlsx["file_name"], csv["file_name"]) == (f"{stem}.xlsx", f"{stem}.csv")

    data = xlsx["data"]
    assert fastexcel.read_excel(data).sheet_names == ["说明", "分组对比_行政区"]
    about = _sheet_rows(data, 1)
    assert about["表格"] == "分组对比_行政区"
    assert about["统计期间（接警日期）"] == f"{start.isoformat()} 至 {as_of.isoformat()}（28 天）"
    assert about["行政区"] == "宝安区"
    assert about["站点类型"] == "全部"
    assert about["数据截至"] == as_of.isoformat()

    sheet = pl.read_excel(io.BytesIO(data), sheet_id=2)
    assert sheet.columns[:6] == ["行政区", "警情数", "到场数", "5分钟内到场", "5分钟到场率", "中位数（秒）"]
    assert sheet["警情数"].dtype.is_integer()
    assert sheet["5分钟到场率"].dtype.is_float()
    assert sheet["中位数（秒）"].dtype.is_numeric() and sheet["90分位（秒）"].dtype.is_numeric()
    expected = queries.run(reader, "response/by_group", {"start_date": start, "end_date": as_of,
                                                         "districts": ["baoan"], "group_by": "district"})
    assert sheet["警情数"].to_list() == expected["incidents"].to_list()
    assert sheet["5分钟到场率"].to_list() == pytest.approx(expected["within_target_rate"].to_list())
    assert sheet["中位数（秒）"].to_list() == pytest.approx(expected["p50_response_s"].to_list())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert 'formatCode="0.0%"' in z.read("xl/styles.xml").decode()
