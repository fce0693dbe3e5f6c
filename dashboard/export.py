"""Every table on a page can leave it: CSV, Excel (with the headers as shown) and Parquet.

Pages pass the frame exactly as they display it (headers already in the
user's language), so the download says what the screen says.
"""

from __future__ import annotations

import io
import re

import polars as pl
import streamlit as st

from dashboard import i18n


def safe_name(name: str) -> str:
    """A table's name usable as a file and sheet name: no []:*?/\\ (Excel and Windows refuse them)."""
    return re.sub(r'[\[\]:*?/\\<>|"]+', " ", name).strip() or "table"


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV and Excel have no lists or records: lists become text joined by "；", records JSON."""
    def as_text(column: str, dtype: pl.DataType) -> pl.Expr:
        if isinstance(dtype, pl.Struct):
            return pl.col(column).struct.json_encode()
        inner = dtype.inner
        element = pl.element().struct.json_encode() if isinstance(inner, pl.Struct) else pl.element().cast(pl.String)
        return pl.col(column).list.eval(element).list.join("；")

    return frame.with_columns(
        as_text(c, t).alias(c) for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Struct))
    )


def excel_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """An .xlsx with one sheet, frozen header row, and columns sized to their text."""
    buffer = io.BytesIO()
    frame = flat(frame)
    frame.write_excel(buffer, worksheet=safe_name(sheet)[:31], autofit=True, freeze_panes=(1, 0),
                      header_format={"bold": True}, include_header=True)
    return buffer.getvalue()


def download_buttons(frame: pl.DataFrame, name: str, key: str) -> None:
    """CSV (UTF-8 with BOM so Excel on Chinese Windows opens it) and Excel downloads of a shown table."""
    left, right, _ = st.columns([1, 1, 4])
    name = safe_name(name)
    left.download_button(i18n.t("download_csv"), ("\ufeff" + flat(frame).write_csv()).encode("utf-8"),
                         file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv")
    right.download_button(i18n.t("download_excel"), excel_bytes(frame, name), file_name=f"{name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")
