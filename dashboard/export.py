"""Every table on a page: drawn through the one table formatter (`emss.tables`) and offered as CSV and Excel.

On screen, `st.dataframe` gets the raw values, so columns sort as numbers and dates, with the
formatter's text over them (a pandas Styler's display values: 1,234 · 5:01 · 57.5% · 447.7万) and
a dash where a value is missing (`placeholder`). Streamlit's own number formats (column_config)
cannot write m:ss or 万 and follow the browser's locale, and they would override the Styler: numeric
columns get a NumberColumn only for the help on their header; link columns get a LinkColumn.

Downloads carry numbers (`emss.tables.export_frame`): durations in seconds and rates as fractions
0–1, the unit in the header; Excel with number formats (rates as percentages) and a first sheet
naming the table, its period, its filters, the data's as-of date and the units. File names carry
the period and the filters. CSV and Excel cells go through `emss.spreadsheet`: lists and records
flattened to text, and text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
quoted with a leading '.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import polars as pl
import streamlit as st

from dashboard import data, filters, i18n, printing, signin
from emss import spreadsheet, tables

# What a table is filtered by: the shared period and scope; only the period (one station's incidents);
# only the districts and station types (counted on a date); or none of them (a load's batches, one station).
PERIOD, DATES, SCOPE, UNFILTERED = "period", "dates", "scope", "unfiltered"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_NAMED = 3  # more districts or station types than this are counted in a file name, not listed


def safe_name(name: str) -> str:
    """A table's name usable as a file and sheet name: no []:*?/\\ (Excel and Windows refuse them)."""
    return re.sub(r'[\[\]:*?/\\<>|"]+', " ", name).strip() or "table"


# ---- bytes ------------------------------------------------------------------------------------

def csv_bytes(frame: pl.DataFrame | tables.Table) -> bytes:
    """The CSV download: UTF-8 with BOM so Excel on Chinese Windows opens it, cells neutralised.
    A table goes out as numbers (seconds, fractions 0–1), the unit in the header."""
    if isinstance(frame, tables.Table):
        # times as a spreadsheet reads them (polars would write 2026-11-02T14:03:05.000000)
        return spreadsheet.csv_bytes(tables.export_frame(frame, "csv"), datetime_format="%Y-%m-%d %H:%M:%S")
    return spreadsheet.csv_bytes(frame)


def excel_bytes(frame: pl.DataFrame | tables.Table, sheet: str,
                about: Sequence[tuple[str, Any]] | None = None) -> bytes:
    """An .xlsx: the table's sheet with a frozen header row and columns sized to their text, cells
    neutralised; a table with its number formats; with `about`, a first sheet saying what it is of."""
    sheet = safe_name(sheet)[:31]
    about_sheet = i18n.text("tbl_about_sheet", frame.lang if isinstance(frame, tables.Table) else i18n.current_lang())
    if about is not None and sheet.casefold() == about_sheet.casefold():
        sheet = f"{sheet} 1"
    column_formats = None
    if isinstance(frame, tables.Table):
        column_formats = tables.xlsx_formats(frame)
        frame = tables.export_frame(frame, "xlsx")
    return spreadsheet.excel_bytes(frame, sheet, about=about, about_sheet=about_sheet,
                                   column_formats=column_formats,
                                   # a raw float keeps its digits (polars would show three decimals)
                                   dtype_formats={pl.Float64: "General", pl.Float32: "General"},
                                   autofit=True, freeze_panes=(1, 0), header_format={"bold": True},
                                   include_header=True)


# ---- what a table is of: its file name and its Excel's first sheet ------------------------------

def _codes_text(dimension: str, codes: Sequence[str], lang: str, *, sep: str | None = None,
                count_key: str | None = None) -> str:
    if count_key and len(codes) > MAX_NAMED:
        return i18n.text(count_key, lang, n=len(codes))
    sep = sep if sep is not None else "、" if lang == "zh" else ", "
    return sep.join(i18n.label(dimension, c, lang) for c in codes)


def file_stem(name: str, f: filters.Filters, filtered_by: str = PERIOD, lang: str | None = None) -> str:
    """A download's file name without extension: the table's name, its period (or the data's as-of date)
    and the districts and station types chosen, e.g. 响应时间_按区_2026-11-02_2026-11-29_宝安区."""
    lang = lang or i18n.current_lang()
    parts = [name]
    if filtered_by in (PERIOD, DATES):
        parts += [f.start.isoformat(), f.end.isoformat()]
    elif filtered_by == SCOPE:
        parts.append(data.data_range().as_of.isoformat())
    if filtered_by in (PERIOD, SCOPE):
        for dimension, codes, count_key in (("district", f.districts, "tbl_n_districts"),
                                            ("station_type", f.station_types, "tbl_n_types")):
            if codes:
                parts.append(_codes_text(dimension, codes, lang, sep="+", count_key=count_key))
    return safe_name("_".join(parts))


def about_rows(name: str, f: filters.Filters, filtered_by: str = PERIOD,
               extra: Sequence[tuple[str, Any]] = (), lang: str | None = None) -> list[tuple[str, Any]]:
    """The Excel's first sheet: the table, the period, the districts and station types, any further
    choices of the page (`extra`), the data's as-of date and the units."""
    lang = lang or i18n.current_lang()
    t = lambda key, **kw: i18n.text(key, lang, **kw)  # noqa: E731
    na = t("tbl_not_applicable")
    period = (t("tbl_about_period_value", start=f.start.isoformat(), end=f.end.isoformat(), days=f.days)
              if filtered_by in (PERIOD, DATES) else na)
    scoped = filtered_by in (PERIOD, SCOPE)
    return [
        (t("tbl_about_table"), name),
        (t("period"), period),
        (t("districts"), (_codes_text("district", f.districts, lang) or t("all")) if scoped else na),
        (t("station_types"), (_codes_text("station_type", f.station_types, lang) or t("all")) if scoped else na),
        *extra,
        (t("col_as_of_date"), data.data_range().as_of.isoformat()),
        (t("tbl_about_units"), t("tbl_about_units_text")),
    ]


# ---- on the page ------------------------------------------------------------------------------

def _column_config(table: tables.Table, *, as_text: bool = False) -> dict[str, Any]:
    """Links as links; numbers (unless shown `as_text`) as number columns, with their unit as header help."""
    config: dict[str, Any] = {}
    for c in table.columns:
        if c.kind == tables.LINK:
            config[c.label] = st.column_config.LinkColumn(display_text=c.link_text, help=c.help)
        elif as_text:
            if c.help:
                config[c.label] = st.column_config.Column(help=c.help)
        elif c.kind == tables.DURATION:
            config[c.label] = st.column_config.NumberColumn(help=c.help or i18n.text("tbl_help_duration", table.lang))
        elif c.kind == tables.RATE:
            config[c.label] = st.column_config.NumberColumn(help=c.help or i18n.text("tbl_help_rate", table.lang))
        elif c.kind in tables.NUMERIC:
            config[c.label] = st.column_config.NumberColumn(help=c.help)
        elif c.help:
            config[c.label] = st.column_config.Column(help=c.help)
    return config


def _too_big_to_style(table: tables.Table) -> bool:
    return table.frame.height * max(len(table.columns), 1) > int(pd.get_option("styler.render.max_elements"))


def on_screen(table: tables.Table) -> Any:
    """What st.dataframe gets: the raw values with the formatter's text over them (a pandas Styler).

    A table past pandas' limit of styled cells goes as the formatter's text instead (it sorts as text)."""
    if _too_big_to_style(table):
        return tables.display(table)
    return _text_over(table.frame.to_pandas(), tables.display(table))


def _text_over(values: pd.DataFrame, texts: pl.DataFrame) -> Any:
    """A pandas Styler of `values` whose display text is `texts`, cell for cell.

    Streamlit reads a Styler's display values from what `Styler._translate` returns: the body's cells,
    each with its id ("row<i>_col<j>") and text. pandas works that out by laying out every cell's HTML
    (ids, classes, attributes) through the formatter called cell by cell, which took half the server time
    of a page holding a league of a thousand stations; this Styler returns the same cells from the texts
    the formatter has already written, and nothing else (no CSS: the tables carry none)."""
    body = [[{"id": f"row{i}_col{j}", "display_value": text} for j, text in enumerate(row)]
            for i, row in enumerate(texts.iter_rows())]
    styler = values.style
    styler._translate = lambda *args, **kwargs: {"body": body}  # what Streamlit's marshall_styler reads
    return styler


def show(table: tables.Table, name: str, key: str, *, filtered_by: str = PERIOD,
         extra: Sequence[tuple[str, Any]] = (), downloads: bool = True,
         column_config: dict[str, Any] | None = None, **options: Any) -> Any:
    """Draw `table` (hidden index, a dash for what is missing) and, unless `downloads` is False, offer it
    as CSV and Excel named by its period and filters. Returns what st.dataframe returns (a selection)."""
    config = _column_config(table, as_text=_too_big_to_style(table)) | (column_config or {})
    event = st.dataframe(on_screen(table), hide_index=True, key=key, column_config=config,
                         placeholder=tables.DASH, **options)
    printing.table_for_print(table, key)  # the grid prints only what is in view: a static copy prints instead
    if downloads:
        download_buttons(table, name, key, filtered_by=filtered_by, extra=extra)
    return event


def download_buttons(frame: pl.DataFrame | tables.Table | Callable[[], tables.Table], name: str, key: str, *,
                     filtered_by: str = PERIOD, extra: Sequence[tuple[str, Any]] = ()) -> None:
    """CSV and Excel downloads of a shown table. A `Table` goes out as numbers with its period and filters
    in the file name and on the Excel's first sheet; a plain frame (a query's result) as it is. A function
    making a `Table` in the page's language (more rows than the page shows) is called only when clicked."""
    left, right, _ = st.columns([1, 1, 4])
    made = frame if callable(frame) else lambda: frame
    if callable(frame) or isinstance(frame, tables.Table):
        f, lang = filters.current(), frame.lang if isinstance(frame, tables.Table) else i18n.current_lang()
        stem = file_stem(name, f, filtered_by, lang)
        about = about_rows(name, f, filtered_by, extra, lang)
    else:
        stem, about = safe_name(name), None
    left.download_button(i18n.t("download_csv"), when_clicked(f"{stem}.csv", lambda: csv_bytes(made())),
                         file_name=f"{stem}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    right.download_button(i18n.t("download_excel"), when_clicked(f"{stem}.xlsx", lambda: excel_bytes(made(), name, about)),
                          file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}_xlsx", on_click="ignore")


def when_clicked(file_name: str, make: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download button's data, made only when the button is clicked (not on every run of the page,
    nor a rerun after the click), the download then written into the audit trail with its file name."""
    record = signin.recorder("download", file_name)

    def payload() -> bytes:
        record()
        return make()
    return payload
