"""Data as plain text: what the warehouse or a URL holds is shown as written, never as markup.

A station name, an address, a district or an incident number comes from files the
city's systems hand over, and a URL parameter from whoever wrote the link. Streamlit
renders markdown in titles, headers, captions, alerts and `st.markdown`; in metric labels,
values and deltas; in widget labels and help, radio options, button and toggle labels;
in expander and tab labels. So a name like `![x](http://host/x.png)` would make every
viewer's browser fetch that address, and `[请重新登录](http://host/)` would put a link in
the page.

- `md(value)`: for anything Streamlit renders as markdown. Pages put it around each
  value from the data or the URL, never around the template (`i18n.t(..., name=md(x))`).

The charts are Vega-Lite, which draws every text as written; names go into their rows only,
never into a spec (emss/figures.py). The weekly report's Plotly figures escape theirs with
`emss.figures.literal`.

Shown as text already, and so left alone (a backslash there would be seen): tables
(`st.dataframe` cells and headers), the options of selectboxes and multiselects,
`st.text`, `st.code`, and pydeck's `text` tooltips (dashboard.maps.TOOLTIP).
tests/test_hostile_dashboard.py checks the pages, in AppTest and in Chromium.
"""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped
# one is always literal text. Escaping all of them covers markdown and GFM (links, images,
# emphasis, code, tables, strikethrough, headings, lists, quotes, HTML, entities) and
# Streamlit's additions: `:red[..]` colour directives, `:material/..:` icons, `:smile:`
# emoji, `$..$` LaTeX.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# Some of Streamlit's markdown plugins match the text *after* escapes are resolved:
# GFM autolinks (`http://..`, `www.x.y`, `a@b.c`), `:material_x:` icons, `:streamlit:`,
# emoji shortcodes. An invisible WORD JOINER (U+2060) after `:` and `@` (unless a space
# follows) and before the dot of `www.` breaks each of those patterns without changing
# what is seen.
_JOINER = "\u2060"
_AFTER = re.compile(r"(\\[:@])(?!\s)")
_WWW = re.compile(r"(?i)(www)(\\\.)")
# Line breaks and tabs would start new blocks (a heading, a list, a code block): one space.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")


def md(value: object) -> str:
    """`value` as text that renders literally inside Streamlit markdown (None -> "")."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", str(value)).strip()
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = _AFTER.sub(r"\1" + _JOINER, text)
    return _WWW.sub(r"\1" + _JOINER + r"\2", text)
