"""Every table on a page can leave it: CSV, Excel (with the headers as shown) and Parquet.

Pages pass the frame exactly as they display it (headers already in the
user's language), so the download says what the screen says. CSV and Excel
cells go through `emss.spreadsheet`: lists and records flattened to text, and
text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
quoted with a leading '.
"""

from __future__ import annotations

import re

import polars as pl
import streamlit as st

from dashboard import i18n
from emss import spreadsheet


def safe_name(name: str) -> str:
    """A table's name usable as a file and sheet name: no []:*?/\\ (Excel and Windows refuse them)."""
    return re.sub(r'[\[\]:*?/\\<>|"]+', " ", name).strip() or "table"


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The CSV download: UTF-8 with BOM so Excel on Chinese Windows opens it, cells neutralised."""
    return spreadsheet.csv_bytes(frame)


def excel_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """An .xlsx with one sheet, frozen header row, and columns sized to their text; cells neutralised."""
    return spreadsheet.excel_bytes(frame, safe_name(sheet)[:31], autofit=True, freeze_panes=(1, 0),
                                   header_format={"bold": True}, include_header=True)


def download_buttons(frame: pl.DataFrame, name: str, key: str) -> None:
    """CSV and Excel downloads of a shown table."""
    left, right, _ = st.columns([1, 1, 4])
    name = safe_name(name)
    left.download_button(i18n.t("download_csv"), csv_bytes(frame),
                         file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv")
    right.download_button(i18n.t("download_excel"), excel_bytes(frame, name), file_name=f"{name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")
