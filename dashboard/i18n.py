"""The dashboard's language: which one this session reads, and the catalog's texts in it.

The words and the number formats live in `emss.messages` (catalog `emss/messages.toml`);
this module only adds the session's choice, so a page writes `t("overview_title")` or
`fmt_duration(s)` and gets the language picked in the sidebar. Chinese is the default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from emss import messages
from emss.messages import (  # noqa: F401  (re-exported for the pages)
    DASH,
    DEFAULT_LANG,
    LANG_NAMES,
    LANGS,
    RULE_LABELS,
    STRINGS,
    fmt_delta,
    fmt_int,
    fmt_pct,
    text,
)

# Shown while a slow computation runs (cached ones run once); fixed at import, so in both languages.
SPINNER = messages.both("spinner")
# The session-state key of the language switch (also its URL parameter).
LANG_KEY = "lang"


def current_lang() -> str:
    """The language chosen in this session (the sidebar switch), else Chinese."""
    try:
        import streamlit as st

        lang = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    except Exception:  # outside a Streamlit run
        return DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, **fmt: object) -> str:
    """The string `key` in the session's language."""
    return text(key, current_lang(), **fmt)


def label(dimension: str, code: str | None, lang: str | None = None) -> str:
    """A category code's label (station_type, district, incident_type, ...)."""
    return messages.label(dimension, code, lang or current_lang())


def shortfall(s: Mapping[str, object], lang: str | None = None) -> str:
    """One readiness shortfall (a struct of marts.station_readiness.shortfalls) in words."""
    return messages.shortfall(s, lang or current_lang())


def rule_label(rule: str, lang: str | None = None) -> str:
    """An ETL validation rule (etl/rules.py) in the users' words."""
    return messages.rule_label(rule, lang or current_lang())


def fmt_duration(seconds: object, lang: str | None = None) -> str:
    """Seconds as '4分12秒' / '4 min 12 s' (rounded to the second)."""
    return messages.fmt_duration(seconds, lang or current_lang())


def fmt_minutes(seconds: int, lang: str | None = None) -> str:
    """A whole number of minutes for axis ticks: '5分' / '5 min'."""
    return messages.fmt_minutes(seconds, lang or current_lang())


def fmt_date(d: dt.date | None, lang: str | None = None) -> str:
    return messages.fmt_date(d, lang or current_lang())


def install_widget_words() -> None:
    """Streamlit's own widget texts in the session's language, where Streamlit offers no setting:
    the file uploader's button and size line are re-lettered in Chinese, and the date picker's
    English quick-range list is hidden in both languages (the sidebar's 快捷期间 does that job)."""
    import streamlit as st

    css = '[data-testid="stDateInputQuickSelect"] { display: none; }'
    if current_lang() == "zh":
        upload = _css_string(t("widget_upload"))
        limit = _css_string(t("widget_upload_limit", mb=st.get_option("server.maxUploadSize")))
        css += (
            '[data-testid="stFileUploaderDropzone"] button p { font-size: 0; }'
            f'[data-testid="stFileUploaderDropzone"] button p::after {{ content: {upload}; font-size: 0.875rem; }}'
            '[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }'
            f'[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: {limit}; font-size: 0.875rem; }}'
        )
    st.html(f"<style>{css}</style>")


def _css_string(s: str) -> str:
    """`s` as a quoted CSS string: quotes, backslashes and angle brackets escaped."""
    return '"' + "".join(ch if ch.isalnum() or ch in " ·，。：" else f"\\{ord(ch):x} " for ch in s) + '"'
