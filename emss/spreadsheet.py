"""Cells that spreadsheets read: the one place every CSV and xlsx the product hands out is made safe.

Station names, districts and addresses come from other people's exports. A
spreadsheet opening a CSV (or a user editing an xlsx cell) treats text that
starts with `=`, `+`, `-` or `@` as a formula, and a leading tab or carriage
return can hide one; a name like `=HYPERLINK("http://…","点我")` would then
run in the reader's Excel. OWASP's rule is followed: any *text* cell starting
with one of those characters gets a leading single quote, which Excel shows as
text and does not evaluate. Numbers, dates and booleans keep their types, so a
negative number stays a number; only text that happens to start with `-` is
quoted. Column headers are text too (a table's headers can be station names).

CSV and Excel have no lists or records: lists become text joined by "；",
records JSON, before the cells are neutralised.

xlsx files are written with xlsxwriter's conversions off (a string is written
as a string, never as a formula, a hyperlink or a number). polars'
`write_excel` already turns formula conversion off but leaves `http://…`
strings as live hyperlinks, so its tables go through `excel_bytes` here,
which hands it a workbook made by `workbook`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import xlsxwriter

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
LIST_SEPARATOR = "；"

# A string is written as a string: no formula, no hyperlink, no number made of it.
WORKBOOK_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

_DANGEROUS_PATTERN = r"^[=+\-@\t\r]"


# ---- one value ---------------------------------------------------------------------------------

def neutralise(value: Any) -> Any:
    """One cell as a spreadsheet should get it: text starting with = + - @ tab or CR gets a leading '.

    Anything that is not text (numbers, dates, booleans, None) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return QUOTE + value
    return value


# ---- frames ------------------------------------------------------------------------------------

def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _nested_as_text(frame: pl.DataFrame, column: str, dtype: pl.DataType) -> pl.Expr | pl.Series:
    if isinstance(dtype, pl.Struct):  # a missing record stays an empty cell, not the text "null"
        return pl.when(pl.col(column).is_not_null()).then(pl.col(column).struct.json_encode())
    inner = dtype.inner
    values = pl.col(column).arr.to_list() if isinstance(dtype, pl.Array) else pl.col(column)
    if isinstance(inner, pl.Struct):
        return values.list.eval(pl.element().struct.json_encode()).list.join(LIST_SEPARATOR)
    if not inner.is_nested():
        return values.list.eval(pl.element().cast(pl.String)).list.join(LIST_SEPARATOR)
    # lists of lists: each element as JSON text
    return pl.Series(column, [None if v is None else LIST_SEPARATOR.join(_json_text(x) for x in v)
                              for v in frame[column].to_list()], dtype=pl.String)


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV and Excel have no lists or records: lists become text joined by "；", records JSON."""
    nested = [(c, t) for c, t in frame.schema.items() if t.is_nested()]
    if not nested:
        return frame
    return frame.with_columns(_nested_as_text(frame, c, t).alias(c) for c, t in nested)


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def _safe_names(columns: list[str]) -> dict[str, str]:
    """Neutralised headers, kept distinct (a quoted name may already be another column's name)."""
    taken = set(columns)
    renames: dict[str, str] = {}
    for name in columns:
        safe = neutralise(name)
        if safe == name:
            continue
        candidate, n = safe, 2
        while candidate in taken:
            candidate, n = f"{safe} ({n})", n + 1
        taken.add(candidate)
        renames[name] = candidate
    return renames


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column and every column name neutralised; other columns keep their types.

    Categorical and enum columns come back as text. Nested columns are left as
    they are: `flatten` them first (or use `for_spreadsheet`, which does both).
    """
    text = [c for c, t in frame.schema.items() if _is_text(t)]
    if text:
        frame = frame.with_columns(
            pl.when(pl.col(c).cast(pl.String).str.contains(_DANGEROUS_PATTERN))
            .then(pl.lit(QUOTE) + pl.col(c).cast(pl.String))
            .otherwise(pl.col(c).cast(pl.String))
            .alias(c)
            for c in text
        )
    renames = _safe_names(frame.columns)
    return frame.rename(renames) if renames else frame


def for_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame ready for CSV or Excel: flattened, then neutralised."""
    return neutralise_frame(flatten(frame))


# ---- CSV ---------------------------------------------------------------------------------------

def csv_text(frame: pl.DataFrame, **write_csv: Any) -> str:
    """The frame as CSV text, flattened and neutralised (polars' `write_csv` options pass on)."""
    return for_spreadsheet(frame).write_csv(**write_csv)


def csv_bytes(frame: pl.DataFrame, *, bom: bool = True, **write_csv: Any) -> bytes:
    """The frame as UTF-8 CSV; with a BOM (the default) so Excel on Chinese Windows reads it as UTF-8."""
    return (("\ufeff" if bom else "") + csv_text(frame, **write_csv)).encode("utf-8")


# ---- xlsx --------------------------------------------------------------------------------------

def workbook(target: Any, options: dict[str, Any] | None = None) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that writes strings as strings (plus any further `options`).

    Text still has to be neutralised (`neutralise`) before it is written: a
    string cell starting with = becomes a formula as soon as a user edits it.
    """
    return xlsxwriter.Workbook(target, {**(options or {}), **WORKBOOK_OPTIONS})


def _about(wb: xlsxwriter.Workbook, sheet: str, rows: Sequence[tuple[str, Any]]) -> None:
    """A sheet of (label, value) lines: what a table is of (its period, filters, as-of date, units)."""
    ws = wb.add_worksheet(sheet)
    label_format = wb.add_format({"bold": True, "valign": "top"})
    value_format = wb.add_format({"text_wrap": True, "valign": "top"})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd", "align": "left", "valign": "top"})
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 80)
    for row, (label, value) in enumerate(rows):
        ws.write_string(row, 0, neutralise(str(label)), label_format)
        if value is None or value == "":
            ws.write_blank(row, 1, None, value_format)
        elif isinstance(value, dt.date):
            moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            ws.write_datetime(row, 1, moment, date_format)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(row, 1, value, value_format)
        else:
            ws.write_string(row, 1, neutralise(str(value)), value_format)


def excel_bytes(frame: pl.DataFrame, sheet: str, *, about: Sequence[tuple[str, Any]] | None = None,
                about_sheet: str = "About", column_formats: Mapping[str, str] | None = None,
                **write_excel: Any) -> bytes:
    """The frame as an .xlsx, through polars' `write_excel` (its keyword options pass on).

    With `about`, a first sheet `about_sheet` holds those (label, value) lines (what the table
    is of) before the table's sheet. `column_formats` (header -> Excel number format) follow
    the headers through neutralisation. The frame is flattened and neutralised, and the
    workbook writes no hyperlinks or formulas from strings.
    """
    buffer = io.BytesIO()
    wb = workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    if about is not None:
        _about(wb, about_sheet, about)
    if column_formats:
        renames = _safe_names(flatten(frame).columns)
        write_excel["column_formats"] = {renames.get(c, c): f for c, f in column_formats.items()}
    for_spreadsheet(frame).write_excel(wb, worksheet=sheet, **write_excel)
    wb.close()
    return buffer.getvalue()
