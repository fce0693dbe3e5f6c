"""Printing a page on A4 for the weekly meeting, with nothing cut.

Two things do not print as they show on screen, and are handled here and in the stylesheet
(dashboard/print.css):

- **Charts** (Vega-Lite SVGs and maps) keep the pixel width they were drawn at: the stylesheet stacks
  the columns that hold them and shrinks each SVG, whole, to the printed column's width.
- **Tables** (`st.dataframe`) are a canvas grid that prints only the rows and columns in view. Each
  table drawn through `export.show` (and any page's `table_for_print(...)`) also gets a static table,
  hidden on screen and printed instead of the grid, its cells wrapping to the paper's width. Its text
  is the formatter's (`emss.tables`). It goes to the browser as one HTML element (`st.html`), every
  header and cell escaped (`html.escape`): a name from the data is text, never markup. Not `st.table`:
  that renders every cell as markdown in the browser, and a few hundred rows of it kept a page's
  first figure waiting for seconds.

`install()` runs once per page run, from the entry script (dashboard/app.py): it injects the
stylesheet. `export.show` draws every table's printed rendering beside it; a table drawn with
`st.dataframe` directly (the Overview's build-out) asks with `table_for_print`.
"""

from __future__ import annotations

import html
from pathlib import Path

import streamlit as st

from dashboard import i18n
from emss import tables

CSS = Path(__file__).resolve().parent / "print.css"
PRINT_ROWS = 300  # more rows than this print as their first PRINT_ROWS and a line saying how many are left out
PRINT_KEY = "emss_print_"  # the key of a table's printed rendering starts so: its class is st-key-emss_print_…


def install() -> None:
    """The print stylesheet on this page."""
    st.html(f"<style>{CSS.read_text(encoding='utf-8')}</style>")


def printed_cells(table: tables.Table, max_rows: int = PRINT_ROWS) -> list[list[str]]:
    """`table`'s first `max_rows` rows as the reader sees them, a list of texts per column: the
    formatter's text; a link column shows its link text."""
    columns = []
    for c in table.columns:
        values = table.frame[c.label].head(max_rows).to_list()
        if c.kind == tables.LINK:
            columns.append([tables.DASH if v is None else c.link_text or "" for v in values])
        else:
            columns.append([tables.formatter(c, table.lang)(v) for v in values])
    return columns


def printed_html(table: tables.Table, max_rows: int = PRINT_ROWS) -> str:
    """`table`'s printed rendering: one HTML table of its first `max_rows` rows (and a line saying how
    many are left out), every header and cell escaped."""
    esc = html.escape
    head = "".join(f"<th>{esc(c.label)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(text)}</td>" for text in row) + "</tr>"
                   for row in zip(*printed_cells(table, max_rows)))
    out = f'<table class="emss-print"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    if table.frame.height > max_rows:
        left_out = i18n.text("print_rows_left_out", table.lang, shown=max_rows, n=table.frame.height - max_rows)
        out += f'<p class="emss-print-note">{esc(left_out)}</p>'
    return out


def table_for_print(table: tables.Table, key: str) -> None:
    """The printed rendering of a table shown on screen under `key`: a static table of every row (up to
    PRINT_ROWS), hidden on screen (see print.css)."""
    with st.container(key=f"{PRINT_KEY}{key}"):
        st.html(printed_html(table))
