"""Entry script of the dashboard (`emss serve` runs it): navigation, shared filters, then the page.

The filters live in the sidebar and in the URL, so any view can be shared as a
link; pages read them with `dashboard.filters.current()`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import queries
from dashboard import data, filters, i18n, plain, printing, signin
from emss.roles import ROLES

PAGES_DIR = Path(__file__).resolve().parent / "app_pages"

# No page_icon: an emoji or material favicon is fetched from a CDN, and the
# users' machines have no internet; Streamlit's own favicon is served locally.
st.set_page_config(layout="wide", page_title=i18n.text("app_title", i18n.DEFAULT_LANG) + " · EMSS")

if not data.available():
    path = plain.md(data.warehouse())  # a path is text: its `_` or `*` are no markdown
    st.error(i18n.text("no_warehouse", i18n.DEFAULT_LANG, path=path) + "\n\n" + i18n.text("no_warehouse", "en", path=path))
    st.stop()

# A4 printing without the app's chrome (sidebar, toolbar, buttons), charts and tables whole
printing.install()

data.use_city()  # the city the warehouse records: its districts, words, clock and map
signin.require()  # when the warehouse has accounts: nobody goes further unsigned, and queries keep to their scope


def outdated(error: queries.WarehouseOutdated) -> None:
    """A warehouse built by an earlier version: what to do, instead of the page."""
    query = plain.md(error.query)
    st.error(i18n.text("warehouse_outdated", i18n.DEFAULT_LANG, query=query) + "\n\n"
             + i18n.text("warehouse_outdated", "en", query=query))
    st.stop()


try:
    data_range = data.data_range()
except queries.WarehouseOutdated as e:
    outdated(e)
filters.load_from_url(data_range)  # before anything is labelled: the URL may choose the language

# (url path, file, title key): the pages a person's role offers; a page outside it is not routable
PAGES = [
    ("overview", "overview.py", "page_overview"),
    ("response", "response_times.py", "page_response"),
    ("incidents", "incidents.py", "page_incidents"),
    ("stations", "stations.py", "page_stations"),
    ("station", "station.py", "page_station"),
    ("inventory", "inventory.py", "page_inventory"),
    ("prevention", "prevention.py", "page_prevention"),
    ("map", "map.py", "page_map"),
    ("coverage", "coverage.py", "page_coverage"),
    ("quality", "quality.py", "page_quality"),
    ("snapshots", "snapshots.py", "page_snapshots"),
    ("workbench", "workbench.py", "page_workbench"),
    ("audit", "audit.py", "page_audit"),
    ("definitions", "definitions.py", "page_definitions"),
]
scope = data.scope()
allowed = [p for p in PAGES if (scope.may_open(p[0]) if scope else p[0] != "audit" or signin.store() is not None)]
# No page icons either: the active page's icon becomes the favicon, fetched from a CDN.
home = ROLES[scope.role].pages[0] if scope else "overview"  # a station's captain starts on their station
# The home page is served at "/"; its own path ("/overview") would otherwise open Streamlit's
# English "Page not found" notice, so it also answers there, unlisted.
page = st.navigation([st.Page(PAGES_DIR / file, title=i18n.t(title), url_path="home" if path == home else path,
                              default=path == home) for path, file, title in allowed]
                     + [st.Page(PAGES_DIR / file, title=i18n.t(title), url_path=path, visibility="hidden")
                        for path, file, title in allowed if path == home],
                     expanded=True)  # every page a role may open is listed, none behind "View more"

signin.sidebar()
current = filters.sidebar(data_range)
i18n.install_widget_words()
notice = filters.period_notice(current, data_range)
if notice:
    st.info(notice)

if data_range.incidents == 0 and data_range.stations == 0:
    st.info(i18n.t("no_data_at_all"))
    st.stop()

signin.page_viewed(page.url_path)
try:
    page.run()
except queries.OutOfScope:  # a link or a choice outside the signed-in person's scope: nothing of it is shown
    st.warning(i18n.t("out_of_scope"))
except queries.WarehouseOutdated as e:
    outdated(e)
