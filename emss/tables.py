"""Tables as people read them and as analysts compute with them: one formatter for every table the
product shows or hands out (dashboard pages, their CSV and Excel downloads, the weekly workbook's formats).

A table is described once, as a `Table`: its columns in order, each a `Column` with a label in the
reader's language, a kind (`COUNT`, `DURATION`, `RATE`, ...) and raw values (seconds, fractions
0–1, persons, counts; None where unknown). From that one description:

- `cell_text` / `display`: what a reader sees in a cell. Nothing missing is ever shown as None, NaN
  or null, but as a dash "—"; counts with thousands separators; durations as m:ss (分:秒);
  rates as percentages; populations in 万 in Chinese.
- `export_frame` / `xlsx_formats`: what a download carries. Numbers stay numbers: durations in
  seconds and rates as fractions 0–1 (CSV says so in the header; Excel shows them as percentages),
  populations in persons; link columns are left out.

Labels must be unique within a table, in both languages: rows built as dicts would silently keep
only the last of two columns with the same label (in English, "Incidents" once overwrote the
incident counts with a link column). `build` raises `DuplicateLabel` instead.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from emss import messages

# ---- kinds of column ----------------------------------------------------------------------------

TEXT = "text"              # words and codes, shown as written
COUNT = "count"            # whole numbers: 1,234
NUMBER = "number"          # measures with `digits` decimals: 12.5
DURATION = "duration"      # seconds; shown m:ss, exported as seconds
RATE = "rate"              # fractions 0–1; shown 57.5%, exported as the fraction
POPULATION = "population"  # persons; shown 447.7万 in Chinese, 4,476,600 in English
DATE = "date"              # 2026-11-02
DATETIME = "datetime"      # 2026-11-02 14:03:05
LINK = "link"              # a page address: shown as a link, never exported
KINDS = frozenset({TEXT, COUNT, NUMBER, DURATION, RATE, POPULATION, DATE, DATETIME, LINK})
NUMERIC = frozenset({COUNT, NUMBER, DURATION, RATE, POPULATION})

DASH = messages.DASH
TEN_THOUSAND = 10_000  # 万

# Excel number formats, shared by the downloads and the weekly workbook.
XLSX_COUNT = "#,##0"
XLSX_RATE = "0.0%"
XLSX_DATE = "yyyy-mm-dd"
XLSX_DATETIME = "yyyy-mm-dd hh:mm:ss"
XLSX_CLOCK = "[m]:ss"  # an Excel time (seconds / 86400) shown as minutes:seconds: the weekly workbook's


class DuplicateLabel(ValueError):
    """Two columns of one table have the same label: one would overwrite the other."""


@dataclass(frozen=True)
class Column:
    """One column: its label (in the reader's language), where each row's value comes from and its kind.

    `value` is a field of the source row, or a function of the row; None takes the field named
    like the label (a frame whose columns are already labelled). `digits`: decimals of a NUMBER,
    or of a RATE's percentage (default 1). `signed`: a + before positive numbers (changes).
    `link_text`: what a LINK column shows instead of the address. `help`: shown on the header.
    `labels`: the dimension whose labels stand for the values, which are its codes (district,
    station_type, ...): each code is shown as the city's word for it in the table's language.
    """

    label: str
    value: str | Callable[[Mapping[str, Any]], Any] | None = None
    kind: str = TEXT
    digits: int | None = None
    signed: bool = False
    link_text: str | None = None
    help: str | None = None
    labels: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.label!r}")


@dataclass(frozen=True)
class Table:
    """Raw values (one frame column per `Column`, named by its label) and how to show and export them."""

    columns: tuple[Column, ...]
    frame: pl.DataFrame
    lang: str

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def height(self) -> int:
        return self.frame.height

    def column(self, label: str) -> Column:
        return next(c for c in self.columns if c.label == label)


def check_unique(labels: Iterable[str]) -> None:
    """Raise `DuplicateLabel` when two labels are equal (one column would overwrite the other)."""
    seen: set[str] = set()
    for label in labels:
        if label in seen:
            raise DuplicateLabel(f"two columns share the label {label!r}")
        seen.add(label)


# ---- one value ----------------------------------------------------------------------------------

def is_missing(value: object) -> bool:
    """None, NaN (Python, NumPy), and pandas' NA and NaT (what st.dataframe's Styler hands over)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def clock(seconds: object) -> str:
    """Seconds as m:ss, minutes not wrapped at the hour (as Excel's [m]:ss): 301 -> '5:01', 3725 -> '62:05'."""
    if is_missing(seconds):
        return DASH
    s = int(round(float(seconds)))
    sign, s = ("-", -s) if s < 0 else ("", s)
    m, sec = divmod(s, 60)
    return f"{sign}{m}:{sec:02d}"


def population(persons: object, lang: str) -> str:
    """People: '447.7万' in Chinese from ten thousand up, else with thousands separators."""
    if is_missing(persons):
        return DASH
    v = float(persons)
    if lang == "zh" and abs(v) >= TEN_THOUSAND:
        return f"{v / TEN_THOUSAND:,.1f}万"
    return f"{round(v):,}"


def _number(value: float, digits: int | None, signed: bool) -> str:
    if digits is None:
        digits = 0 if float(value).is_integer() else 2
    return f"{value:{'+' if signed else ''},.{digits}f}"


def _date(value: object) -> str:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def cell_text(value: object, kind: str = TEXT, lang: str = messages.DEFAULT_LANG, *, digits: int | None = None,
              signed: bool = False) -> str:
    """One cell as a reader sees it; a dash for anything missing, never 'None', 'NaN' or 'null'."""
    if is_missing(value):
        return DASH
    if kind == COUNT:
        n = int(round(float(value)))
        return f"+{n:,}" if signed and n > 0 else f"{n:,}"
    if kind == NUMBER:
        return _number(float(value), digits, signed)
    if kind == DURATION:
        text = clock(value)
        return "+" + text if signed and float(value) > 0 else text
    if kind == RATE:
        pct = float(value) * 100
        return f"{pct:{'+' if signed else ''}.{1 if digits is None else digits}f}%"
    if kind == POPULATION:
        return population(value, lang)
    if kind == DATE:
        return _date(value)
    if kind == DATETIME:
        return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, dt.datetime) else _date(value)
    if isinstance(value, bool):
        return messages.text("yes" if value else "no", lang)
    return str(value)


# ---- building a table ---------------------------------------------------------------------------

def _values(column: Column, records: list[Mapping[str, Any]], lang: str) -> list[Any]:
    source = column.label if column.value is None else column.value
    values = [source(r) for r in records] if callable(source) else [r[source] for r in records]
    if column.labels:  # each code's word looked up once, not once a row
        words = {code: messages.label(column.labels, code, lang) for code in set(values)}
        values = [words[code] for code in values]
    return [None if is_missing(v) else v for v in values]


def _series(column: Column, values: list[Any], lang: str) -> pl.Series:
    kind = column.kind
    if kind == COUNT:
        return pl.Series(column.label, [None if v is None else int(round(float(v))) for v in values], dtype=pl.Int64)
    if kind in NUMERIC:
        return pl.Series(column.label, [None if v is None else float(v) for v in values], dtype=pl.Float64)
    if kind == DATE:
        return pl.Series(column.label, [v.date() if isinstance(v, dt.datetime) else v for v in values], dtype=pl.Date)
    if kind == DATETIME:
        return pl.Series(column.label, values, dtype=pl.Datetime("us"))
    texts = [None if v is None else messages.text("yes" if v else "no", lang) if isinstance(v, bool) else str(v)
             for v in values]
    return pl.Series(column.label, texts, dtype=pl.String)


def build(rows: pl.DataFrame | Iterable[Mapping[str, Any]], columns: Sequence[Column], lang: str) -> Table:
    """A table of `columns` over `rows` (a frame, or dicts). Raises `DuplicateLabel` if two labels are equal."""
    columns = tuple(columns)
    check_unique(c.label for c in columns)
    records = list(rows.iter_rows(named=True) if isinstance(rows, pl.DataFrame) else rows)
    series = [_series(c, _values(c, records, lang), lang) for c in columns]
    return Table(columns, pl.DataFrame(series), lang)


# ---- on screen ----------------------------------------------------------------------------------

def formatter(column: Column, lang: str) -> Callable[[object], str]:
    """The cell text of one column, as a function of its value."""
    return lambda value: cell_text(value, column.kind, lang, digits=column.digits, signed=column.signed)


def display(table: Table) -> pl.DataFrame:
    """Every cell as the reader sees it (text); links as their address."""
    return pl.DataFrame([
        pl.Series(c.label, [formatter(c, table.lang)(v) for v in table.frame[c.label].to_list()], dtype=pl.String)
        for c in table.columns
    ])


# ---- downloads ----------------------------------------------------------------------------------

def export_label(column: Column, lang: str, fmt: str = "csv") -> str:
    """The header a download gives a column: the unit named where the number alone would not say it."""
    if column.kind == DURATION:
        return messages.text("tbl_unit_seconds", lang, label=column.label)
    if column.kind == RATE and fmt == "csv":  # Excel shows the fraction as a percentage
        return messages.text("tbl_unit_fraction", lang, label=column.label)
    return column.label


def _whole(series: pl.Series) -> bool:
    values = series.drop_nulls()
    return values.len() == 0 or bool((values == values.round(0)).all())


def _exported(column: Column, series: pl.Series) -> pl.Series:
    if column.kind == POPULATION or (column.kind == DURATION and _whole(series)):
        return series.round(0).cast(pl.Int64)
    return series


def export_columns(table: Table) -> list[Column]:
    """The columns a download carries: all but the links."""
    return [c for c in table.columns if c.kind != LINK]


def export_frame(table: Table, fmt: str = "csv") -> pl.DataFrame:
    """The table for CSV ("csv") or Excel ("xlsx"): numbers as numbers, seconds, fractions, persons;
    headers with their unit; no link columns."""
    columns = export_columns(table)
    labels = [export_label(c, table.lang, fmt) for c in columns]
    check_unique(labels)
    return pl.DataFrame([_exported(c, table.frame[c.label]).alias(label) for c, label in zip(columns, labels)])


def xlsx_format(column: Column, series: pl.Series | None = None) -> str | None:
    """The Excel number format of a column (None: Excel's own)."""
    kind = column.kind
    if kind in (COUNT, POPULATION):
        return XLSX_COUNT
    if kind == DURATION:
        return XLSX_COUNT if series is None or _whole(series) else "#,##0.0"
    if kind == RATE:
        digits = 1 if column.digits is None else column.digits
        return "0" + ("." + "0" * digits if digits else "") + "%"
    if kind == NUMBER:
        if column.digits is None:
            return "General"
        body = "#,##0" + ("." + "0" * column.digits if column.digits else "")
        return f"+{body};-{body};{body}" if column.signed else body
    if kind == DATE:
        return XLSX_DATE
    if kind == DATETIME:
        return XLSX_DATETIME
    return None


def xlsx_formats(table: Table) -> dict[str, str]:
    """Exported header -> Excel number format, for the columns that have one."""
    out = {}
    for c in export_columns(table):
        fmt = xlsx_format(c, table.frame[c.label])
        if fmt:
            out[export_label(c, table.lang, "xlsx")] = fmt
    return out


def without_nan(frame: pl.DataFrame) -> pl.DataFrame:
    """A raw frame (a query's result shown as it is) with float NaN as missing, so it shows as a dash too."""
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.with_columns(pl.col(c).fill_nan(None) for c in floats) if floats else frame
