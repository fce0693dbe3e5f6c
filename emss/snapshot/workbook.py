"""The week's Excel workbook: Chinese sheet names and headers, number formats, 本周 / 上周 / 变化.

Durations are written as Excel times (seconds / 86400) with an [m]:ss format,
so they read as minutes:seconds and still sum and sort; their changes are plain
seconds, because Excel cannot show a negative time. Rates are fractions with a
percent format; their changes are percentage points. The workbook's creation
date is the data's cut, not the clock (xlsxwriter stamps the zip entries with a
fixed 1980 date), so the same week on the same data gives the same bytes.

Text comes from the data (district and station-type names as the exports wrote
them) and is written as text only: the workbook turns xlsxwriter's string
conversions off and every text cell, headers included, goes through
`emss.spreadsheet.neutralise` (a leading = + - @ tab or CR gets a '). The
workbook has no formulas of its own.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from emss import messages, spreadsheet, tables
from emss.snapshot.report import ReportInfo
from emss.snapshot.tables import SummaryRow, week_rows

SECONDS_PER_DAY = 86400


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook, lang: str):
        pp = messages.text("snap_pp", lang, delta="").strip()
        seconds = "秒" if lang == "zh" else "s"
        self.header = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1, "text_wrap": True,
                                     "valign": "top"})
        self.text = wb.add_format({})
        # the same formats as the dashboard's downloads (emss.tables); durations as Excel times here
        self.int = wb.add_format({"num_format": tables.XLSX_COUNT})
        self.pct = wb.add_format({"num_format": tables.XLSX_RATE})
        self.duration = wb.add_format({"num_format": tables.XLSX_CLOCK})
        self.date = wb.add_format({"num_format": tables.XLSX_DATE})
        self.change = {
            "int": wb.add_format({"num_format": "+#,##0;-#,##0;0"}),
            "pct": wb.add_format({"num_format": f'+0.0" {pp}";-0.0" {pp}";0.0" {pp}"'}),
            "duration": wb.add_format({"num_format": f'+0" {seconds}";-0" {seconds}";0" {seconds}"'}),
        }
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.seconds = wb.add_format({"num_format": f'0" {seconds}"', "align": "left"})

    def value(self, kind: str):
        return {"int": self.int, "pct": self.pct, "duration": self.duration}[kind]


def _cell(value: float | None, kind: str) -> float | None:
    """A KPI as Excel stores it: durations as fractions of a day."""
    if value is None:
        return None
    return value / SECONDS_PER_DAY if kind == "duration" else value


def _change_cell(value: float | None, kind: str) -> float | None:
    if value is None:
        return None
    return value * 100 if kind == "pct" else value  # percentage points; seconds


def _write_row(ws: Worksheet, row: int, cells: list[tuple[object, object]]) -> None:
    for col, (value, fmt) in enumerate(cells):
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, spreadsheet.neutralise(value), fmt)
        else:
            ws.write(row, col, value, fmt)


def _sheet(wb: xlsxwriter.Workbook, fmt: _Formats, name: str, headers: list[str], widths: list[int]) -> Worksheet:
    ws = wb.add_worksheet(name)
    for col, header in enumerate(headers):
        ws.write_string(0, col, spreadsheet.neutralise(header), fmt.header)
    ws.freeze_panes(1, 0)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    return ws


def _summary(wb, fmt: _Formats, summary: list[SummaryRow], lang: str) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    ws = _sheet(wb, fmt, t("snap_sheet_summary"),
                [t("snap_col_kpi"), t("snap_col_this_week"), t("snap_col_last_week"), t("snap_col_change")],
                [30, 14, 14, 16])
    for i, r in enumerate(summary, start=1):
        _write_row(ws, i, [(t(r.label_key), fmt.text), (_cell(r.this_week, r.kind), fmt.value(r.kind)),
                           (_cell(r.last_week, r.kind), fmt.value(r.kind)),
                           (_change_cell(r.change, r.kind), fmt.change[r.kind])])


def _by_district(wb, fmt: _Formats, tables, week, lang: str, min_sample: int) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    this = week_rows(tables["response_by_district"], week)
    last = {r["district"]: r for r in week_rows(tables["response_by_district"], week.previous()).iter_rows(named=True)}
    columns = [("incidents", "col_incidents", "int"), ("within_target_rate", "col_rate", "pct"),
               ("p90_response_s", "col_p90", "duration")]
    headers = [t("col_district")]
    for _, key, _ in columns:
        name = t(key)
        headers += [t("snap_this", name=name), t("snap_last", name=name), t("snap_change", name=name)]
    headers += [t("col_arrived"), t("col_note")]
    ws = _sheet(wb, fmt, t("snap_sheet_district"), headers, [14] + [12] * (len(headers) - 2) + [10])
    for i, r in enumerate(this.iter_rows(named=True), start=1):
        prev = last.get(r["district"], {})
        cells: list[tuple[object, object]] = [(messages.label("district", r["district"], lang), fmt.text)]
        for column, _, kind in columns:
            a, b = r[column], prev.get(column)
            change = None if a is None or b is None else a - b
            cells += [(_cell(a, kind), fmt.value(kind)), (_cell(b, kind), fmt.value(kind)),
                      (_change_cell(change, kind), fmt.change[kind])]
        few = (r["arrived"] or 0) < min_sample
        cells += [(r["arrived"], fmt.int), (t("note_small") if few else None, fmt.text)]
        _write_row(ws, i, cells)


def _build_out(wb, fmt: _Formats, tables, week, lang: str) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    this = week_rows(tables["stations_vs_target"], week)
    last = {r["station_type"]: r for r in week_rows(tables["stations_vs_target"], week.previous()).iter_rows(named=True)}
    in_service = t("col_in_service")
    headers = [t("col_station_type"), t("snap_this", name=in_service), t("snap_last", name=in_service),
               t("snap_change", name=in_service), t("col_opened_this_year"), t("col_target"), t("col_progress")]
    ws = _sheet(wb, fmt, t("snap_sheet_build"), headers, [16, 12, 12, 12, 12, 12, 10])
    for i, r in enumerate(this.iter_rows(named=True), start=1):
        prev = last.get(r["station_type"], {}).get("in_service")
        _write_row(ws, i, [
            (messages.label("station_type", r["station_type"], lang), fmt.text),
            (r["in_service"], fmt.int), (prev, fmt.int),
            (None if prev is None else r["in_service"] - prev, fmt.change["int"]),
            (r["opened_this_year"], fmt.int), (r["target_count"], fmt.int), (r["target_progress"], fmt.pct),
        ])


def _trend(wb, fmt: _Formats, tables, lang: str) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    ws = _sheet(wb, fmt, t("snap_sheet_trend"),
                [t("axis_week"), t("col_incidents"), t("col_arrived"), t("col_rate"), t("col_p90")],
                [14, 10, 10, 12, 12])
    for i, r in enumerate(tables["response_weekly_trend"].iter_rows(named=True), start=1):
        _write_row(ws, i, [(r["week_start"], fmt.date), (r["incidents"], fmt.int), (r["arrived"], fmt.int),
                           (r["within_target_rate"], fmt.pct), (_cell(r["p90_response_s"], "duration"), fmt.duration)])


def _histogram(wb, fmt: _Formats, tables, lang: str) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    ws = _sheet(wb, fmt, t("snap_sheet_hist"), [t("snap_col_bin"), t("col_incidents"), t("hist_within")], [16, 10, 10])
    for i, r in enumerate(tables["response_histogram"].iter_rows(named=True), start=1):
        _write_row(ws, i, [(_cell(r["bin_start_s"], "duration"), fmt.duration), (r["incidents"], fmt.int),
                           (t("yes") if r["is_within_target"] else t("no"), fmt.text)])


def _stations(wb, fmt: _Formats, tables, lang: str) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    ws = _sheet(wb, fmt, t("snap_sheet_stations"), [t("col_district"), t("col_station_type"), t("col_in_service")],
                [14, 16, 10])
    for i, r in enumerate(tables["stations_by_district"].iter_rows(named=True), start=1):
        _write_row(ws, i, [(messages.label("district", r["district"], lang), fmt.text),
                           (messages.label("station_type", r["station_type"], lang), fmt.text), (r["in_service"], fmt.int)])


def _prevention(wb, fmt: _Formats, tables, week, lang: str) -> None:
    """The hazards overdue at the week's end, oldest deadline first (prevention/overdue_hazards)."""
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    ws = _sheet(wb, fmt, t("snap_sheet_prevention"),
                [t("col_district"), t("col_street"), t("col_station_id"), t("col_station_name"), t("col_hazard_type"),
                 t("col_hazard_level"), t("col_due_on"), t("prevention_days_overdue")], [12, 10, 10, 22, 22, 8, 12, 10])
    for i, r in enumerate(week_rows(tables["prevention_overdue"], week).iter_rows(named=True), start=1):
        _write_row(ws, i, [(messages.label("district", r["district"], lang), fmt.text), (r["street"] or "", fmt.text),
                           (r["station_id"], fmt.text), (r["station_name"] or "", fmt.text),
                           (messages.label("hazard_type", r["hazard_type"], lang), fmt.text),
                           (messages.label("hazard_level", r["level"], lang), fmt.text),
                           (r["due_on"], fmt.date), (r["days_overdue"], fmt.int)])


def _about(wb, fmt: _Formats, info: ReportInfo, lang: str) -> None:
    t = lambda key, **kw: messages.text(key, lang, **kw)  # noqa: E731
    ws = wb.add_worksheet(t("snap_sheet_about"))
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 90)
    ws.write_string(0, 0, spreadsheet.neutralise(t("snap_report_title")), fmt.title)
    week = info.week
    rows = [
        (t("snap_about_week"), week.label),
        (t("snap_about_dates"), f"{week.start.isoformat()} – {week.end.isoformat()}"),
        (t("snap_about_as_of"), info.as_of.isoformat()),
        (t("snap_about_cut"), info.cut_at.isoformat(sep=" ") if info.cut_at else messages.DASH),
        (t("snap_about_revision"), str(info.revision)),
        (t("snap_about_version"), info.data_version),
        (t("snap_about_software"), info.software),
        (t("snap_about_target"), info.rules.default_target_s),
        ("", t("snap_about_durations")),
        ("", t("snap_response_note", target=info.rules.default_target_s)),
        ("", t("snap_readiness_note", date=info.as_of.isoformat())),
    ]
    for i, (key, value) in enumerate(rows, start=2):
        value_format = fmt.text if isinstance(value, str) else fmt.seconds  # the target: a number of seconds
        _write_row(ws, i, [(key, fmt.header if key else fmt.text), (value, value_format)])


def write_workbook(path: Path, tables: dict[str, pl.DataFrame], summary: list[SummaryRow], info: ReportInfo,
                   lang: str = "zh") -> None:
    created = info.cut_at or dt.datetime.combine(info.as_of, dt.time())
    wb = spreadsheet.workbook(str(path))
    wb.set_properties({
        "title": f"{messages.text('snap_report_title', lang)} {info.week.label}",
        "author": "emss", "company": "", "comments": f"emss {info.software}",
        "created": created,  # fixed: a rerun on the same data writes the same bytes
    })
    fmt = _Formats(wb, lang)
    _summary(wb, fmt, summary, lang)
    _by_district(wb, fmt, tables, info.week, lang, info.rules.min_incidents)
    _build_out(wb, fmt, tables, info.week, lang)
    _trend(wb, fmt, tables, lang)
    _histogram(wb, fmt, tables, lang)
    _stations(wb, fmt, tables, lang)
    _prevention(wb, fmt, tables, info.week, lang)
    _about(wb, fmt, info, lang)
    wb.close()
