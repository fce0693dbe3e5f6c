"""Every table on a page can leave it: CSV, Excel (with the headers as shown) and Parquet.

Pages pass the frame exactly as they display it (headers already in the
user's language), so the download says what the screen says.
"""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

from dashboard import i18n


def excel_bytes(frame: pl.DataFrame, sheet: str) -> bytes:
    """An .xlsx with one sheet, frozen header row, and columns sized to their text."""
    buffer = io.BytesIO()
    frame = frame.with_columns(  # Excel has no list type: shortfalls and the like become text
        pl.col(c).cast(pl.List(pl.String)).list.join("；") for c, t in frame.schema.items() if isinstance(t, pl.List)
    )
    frame.write_excel(buffer, worksheet=sheet[:31], autofit=True, freeze_panes=(1, 0),
                      header_format={"bold": True}, include_header=True)
    return buffer.getvalue()


def download_buttons(frame: pl.DataFrame, name: str, key: str) -> None:
    """CSV (UTF-8 with BOM so Excel on Chinese Windows opens it) and Excel downloads of a shown table."""
    left, right, _ = st.columns([1, 1, 4])
    flat = frame.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join("；") for c, t in frame.schema.items() if isinstance(t, pl.List)
    )
    left.download_button(i18n.t("download_csv"), ("\ufeff" + flat.write_csv()).encode("utf-8"),
                         file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv")
    right.download_button(i18n.t("download_excel"), excel_bytes(frame, name), file_name=f"{name}.xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx")
