"""Entry script of the dashboard (`emss serve` runs it): navigation, shared filters, then the page.

The filters live in the sidebar and in the URL, so any view can be shared as a
link; pages read them with `dashboard.filters.current()`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import data, filters, i18n, plain

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

# No page_icon: an emoji or material favicon is fetched from a CDN, and the
# users' machines have no internet; Streamlit's own favicon is served locally.
st.set_page_config(layout="wide", page_title=i18n.text("app_title", i18n.DEFAULT_LANG) + " · EMSS")

if not data.available():
    path = plain.md(data.warehouse())  # a path is text: its `_` or `*` are no markdown
    st.error(i18n.text("no_warehouse", i18n.DEFAULT_LANG, path=path) + "\n\n" + i18n.text("no_warehouse", "en", path=path))
    st.stop()

# A4 printing without the app's chrome (sidebar, toolbar, buttons)
st.markdown(f"<style>{(Path(__file__).resolve().parent / 'print.css').read_text(encoding='utf-8')}</style>",
            unsafe_allow_html=True)

data.use_city()  # the city the warehouse records: its districts, words, clock and map
data_range = data.data_range()
filters.load_from_url(data_range)  # before anything is labelled: the URL may choose the language

# No page icons either: the active page's icon becomes the favicon, fetched from a CDN.
page = st.navigation([
    st.Page(PAGES_DIR / "overview.py", title=i18n.t("page_overview"), url_path="overview", default=True),
    st.Page(PAGES_DIR / "response_times.py", title=i18n.t("page_response"), url_path="response"),
    st.Page(PAGES_DIR / "incidents.py", title=i18n.t("page_incidents"), url_path="incidents"),
    st.Page(PAGES_DIR / "stations.py", title=i18n.t("page_stations"), url_path="stations"),
    st.Page(PAGES_DIR / "station.py", title=i18n.t("page_station"), url_path="station"),
    st.Page(PAGES_DIR / "inventory.py", title=i18n.t("page_inventory"), url_path="inventory"),
    st.Page(PAGES_DIR / "map.py", title=i18n.t("page_map"), url_path="map"),
    st.Page(PAGES_DIR / "coverage.py", title=i18n.t("page_coverage"), url_path="coverage"),
    st.Page(PAGES_DIR / "quality.py", title=i18n.t("page_quality"), url_path="quality"),
    st.Page(PAGES_DIR / "snapshots.py", title=i18n.t("page_snapshots"), url_path="snapshots"),
    st.Page(PAGES_DIR / "workbench.py", title=i18n.t("page_workbench"), url_path="workbench"),
])

current = filters.sidebar(data_range)
notice = filters.period_notice(current, data_range)
if notice:
    st.info(notice)

if data_range.incidents == 0 and data_range.stations == 0:
    st.info(i18n.t("no_data_at_all"))
    st.stop()

page.run()
