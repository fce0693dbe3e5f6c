"""物资与装备 Kit & supplies: stock against the required quantity, expiry, faults, and how old each
station's latest count is. Everything from the latest count of each station in service.

Named queries: inventory/stock_by_category, inventory/stock_by_item, inventory/expiry_summary,
inventory/expiring, inventory/faults, inventory/count_freshness.
"""

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from dashboard import data, export, filters, i18n, sections
from dashboard.filters import current
from emss import categories, figures, tables
from emss.tables import COUNT, DATE, LINK, RATE, Column

QUERIES = ["inventory/stock_by_category", "inventory/stock_by_item", "inventory/expiry_summary",
           "inventory/expiring", "inventory/faults", "inventory/count_freshness"]
WINDOWS = (30, 90)  # days: the expiry windows the field plans re-supply by

f = current()
lang = f.lang
sections.header("inventory_title", f, QUERIES)
as_of = data.data_range().as_of
st.caption(i18n.t("inventory_caption", date=i18n.fmt_date(as_of)))
yes = i18n.t("yes")


def show(columns: list[Column], rows: pl.DataFrame, name: str, key: str, **options: object) -> None:
    """A table of the page with its downloads: the latest counts in the chosen districts and station types."""
    export.show(tables.build(rows, columns, lang), name, key, filtered_by=export.SCOPE, **options)


def item_name(r: dict) -> str:
    return r["item_en"] if lang == "en" and r["item_en"] else r["item"]


def station_link(station_id: str) -> str:
    return "station?" + urlencode({"station": station_id, **filters.to_query(f)})


def station_columns() -> list[Column]:
    return [
        Column(i18n.t("col_station_id"), "station_id"),
        Column(i18n.t("col_station_name"), "station_name"),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_station_type"), "station_type", labels="station_type"),
    ]


# ---- stock against the required quantity, by category ---------------------------------
st.subheader(i18n.t("section_stock_category"))
by_category = data.run("inventory/stock_by_category", **f.scope)
with sections.either_or():
    if by_category.height == 0:
        st.info(i18n.t("count_none"))
    else:
        st.vega_lite_chart(figures.fill_rate_vega(by_category, lang), key="inventory_fill_rate")  # no Plotly: see the figure
        show([
            Column(i18n.t("col_category"), "category", labels="item_category"),
            Column(i18n.t("col_stations"), "stations", COUNT),
            Column(i18n.t("col_lines"), "lines", COUNT),
            Column(i18n.t("col_lines_short"), "lines_short", COUNT),
            Column(i18n.t("col_quantity"), "quantity", COUNT),
            Column(i18n.t("col_usable"), "usable_quantity", COUNT),
            Column(i18n.t("col_required"), "required_quantity", COUNT),
            Column(i18n.t("col_fill_rate"), "fill_rate", RATE),
            Column(i18n.t("col_faults"), "lines_with_faults", COUNT),
        ], by_category, i18n.t("section_stock_category"), "inventory_by_category")

# ---- by item ------------------------------------------------------------------------------
st.subheader(i18n.t("section_stock_item"))
picked = st.multiselect(i18n.t("category_filter"), list(categories.ITEM_CATEGORIES), key=f"inventory_categories_{lang}",
                        format_func=lambda c: i18n.label("item_category", c, lang), placeholder=i18n.t("all"),
                        select_all=False)
by_item = data.run("inventory/stock_by_item", categories=picked, **f.scope)
with sections.either_or():
    if by_item.height:
        show([
            Column(i18n.t("col_category"), "category", labels="item_category"),
            Column(i18n.t("col_item"), item_name),
            Column(i18n.t("col_unit"), "unit"),
            Column(i18n.t("col_stations"), "stations", COUNT),
            Column(i18n.t("col_quantity"), "quantity", COUNT),
            Column(i18n.t("col_usable"), "usable_quantity", COUNT),
            Column(i18n.t("col_required"), "required_quantity", COUNT),
            Column(i18n.t("col_stations_short"), "stations_short", COUNT),
            Column(i18n.t("col_faults"), "stations_with_faults", COUNT),
        ], by_item, i18n.t("section_stock_item"), "inventory_by_item",
            extra=[(i18n.t("category_filter"), "、".join(i18n.label("item_category", c) for c in picked))] if picked else ())

# ---- expiry -------------------------------------------------------------------------------
st.subheader(i18n.t("section_expiry"))
expiry = data.one("inventory/expiry_summary", **f.scope)
cells = [("kpi_expired", "expired"), ("kpi_within_30", "within_30"), ("kpi_within_90", "within_90")]
for col, (label, prefix) in zip(st.columns(len(cells)), cells):
    col.metric(i18n.t(label), i18n.fmt_int(expiry.get(f"{prefix}_lines")), border=True,
               delta=i18n.t("kpi_lines_stations", lines=i18n.fmt_int(expiry.get(f"{prefix}_lines")),
                            stations=i18n.fmt_int(expiry.get(f"{prefix}_stations"))),
               delta_color="off", delta_arrow="off")
window = st.radio(i18n.t("expiry_window"), WINDOWS, index=len(WINDOWS) - 1, horizontal=True, key="inventory_window",
                  format_func=lambda d: i18n.t("expiry_window_option", days=d))
expiring = data.run("inventory/expiring", within_days=window, **f.scope)
with sections.either_or():
    if expiring.height == 0:
        st.success(i18n.t("no_expiring"))
    else:
        show([
            *station_columns(),
            Column(i18n.t("col_item"), item_name),
            Column(i18n.t("col_category"), "category", labels="item_category"),
            Column(i18n.t("col_quantity"), "quantity", COUNT),
            Column(i18n.t("col_unit"), "unit"),
            Column(i18n.t("col_expires_on"), "expires_on", DATE),
            Column(i18n.t("col_days_to_expiry"), "days_to_expiry", COUNT),
            Column(i18n.t("kpi_expired"), lambda r: yes if r["is_expired"] else ""),
            Column(i18n.t("col_counted_on"), "counted_on", DATE),
        ], expiring, i18n.t("expiry_window_option", days=window), "inventory_expiring")

# ---- damaged and in repair ---------------------------------------------------------------
st.subheader(i18n.t("section_faults"))
faults = data.run("inventory/faults", **f.scope)
with sections.either_or():
    if faults.height == 0:
        st.success(i18n.t("no_faults"))
    else:
        show([
            *station_columns(),
            Column(i18n.t("col_item"), item_name),
            Column(i18n.t("col_category"), "category", labels="item_category"),
            Column(i18n.t("col_kit_item"), "kit_item"),
            Column(i18n.t("col_quantity"), "quantity", COUNT),
            Column(i18n.t("col_unit"), "unit"),
            Column(i18n.t("col_item_status"), "status", labels="item_status"),
            Column(i18n.t("col_counted_on"), "counted_on", DATE),
        ], faults, i18n.t("section_faults"), "inventory_faults")

# ---- how old the counts are -----------------------------------------------------------------
st.subheader(i18n.t("section_freshness"))
freshness = data.run("inventory/count_freshness", **f.scope)
with sections.either_or():
    if freshness.height:
        stale_after = int(freshness["stale_after_days"][0])
        stale = int(freshness["is_count_stale"].sum())
        st.metric(i18n.t("kpi_stale"), i18n.fmt_int(stale), border=True,
                  delta=f"{stale:,} / {freshness.height:,}", delta_color="off", delta_arrow="off")
        st.caption(i18n.t("stale_caption", days=stale_after))
        show([
            *station_columns(),
            Column(i18n.t("col_last_counted"), "last_counted_on", DATE),
            Column(i18n.t("col_count_age"), "count_age_days", COUNT),
            Column(i18n.t("col_counts_on_record"), "counts_on_record", COUNT),
            Column(i18n.t("col_stale"), lambda r: yes if r["is_count_stale"] else ""),
            Column(i18n.t("col_station_page"), lambda r: station_link(r["station_id"]), LINK, link_text=i18n.t("link_open")),
        ], freshness, i18n.t("section_freshness"), "inventory_freshness")
