"""物资与装备 Kit & supplies: stock against the required quantity, expiry, faults, and how old each
station's latest count is. Everything from the latest count of each station in service.

Named queries: inventory/stock_by_category, inventory/stock_by_item, inventory/expiry_summary,
inventory/expiring, inventory/faults, inventory/count_freshness.
"""

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from dashboard import data, filters, i18n, sections
from dashboard.export import download_buttons
from dashboard.filters import current
from emss import figures
from emss import categories

QUERIES = ["inventory/stock_by_category", "inventory/stock_by_item", "inventory/expiry_summary",
           "inventory/expiring", "inventory/faults", "inventory/count_freshness"]
WINDOWS = (30, 90)  # days: the expiry windows the field plans re-supply by

f = current()
lang = f.lang
sections.header("inventory_title", f, QUERIES)
as_of = data.data_range().as_of
st.caption(i18n.t("inventory_caption", date=i18n.fmt_date(as_of)))
yes = i18n.t("yes")


def show(table: pl.DataFrame, name: str, key: str, **options: object) -> None:
    st.dataframe(table, hide_index=True, key=key, **options)
    download_buttons(table, name, key)


def item_name(r: dict) -> str:
    return r["item_en"] if lang == "en" and r["item_en"] else r["item"]


def station_link(station_id: str) -> str:
    return "station?" + urlencode({"station": station_id, **filters.to_query(f)})


def station_columns(r: dict) -> dict:
    return {
        i18n.t("col_station_id"): r["station_id"],
        i18n.t("col_station_name"): r["station_name"],
        i18n.t("col_district"): i18n.label("district", r["district"]),
        i18n.t("col_station_type"): i18n.label("station_type", r["station_type"]),
    }


# ---- stock against the required quantity, by category ---------------------------------
st.subheader(i18n.t("section_stock_category"))
by_category = data.run("inventory/stock_by_category", **f.scope)
if by_category.height == 0:
    st.info(i18n.t("count_none"))
else:
    st.plotly_chart(figures.fill_rate_bars(by_category, lang), key="inventory_fill_rate")
    show(pl.DataFrame([{
        i18n.t("col_category"): i18n.label("item_category", r["category"]),
        i18n.t("col_stations"): r["stations"],
        i18n.t("col_lines"): r["lines"],
        i18n.t("col_lines_short"): r["lines_short"],
        i18n.t("col_quantity"): r["quantity"],
        i18n.t("col_usable"): r["usable_quantity"],
        i18n.t("col_required"): r["required_quantity"],
        i18n.t("col_fill_rate"): i18n.fmt_pct(r["fill_rate"]),
        i18n.t("col_faults"): r["lines_with_faults"],
    } for r in by_category.iter_rows(named=True)], strict=False), i18n.t("section_stock_category"),
        "inventory_by_category")

# ---- by item ------------------------------------------------------------------------------
st.subheader(i18n.t("section_stock_item"))
picked = st.multiselect(i18n.t("category_filter"), list(categories.ITEM_CATEGORIES), key=f"inventory_categories_{lang}",
                        format_func=lambda c: i18n.label("item_category", c, lang), placeholder=i18n.t("all"))
by_item = data.run("inventory/stock_by_item", categories=picked, **f.scope)
if by_item.height:
    show(pl.DataFrame([{
        i18n.t("col_category"): i18n.label("item_category", r["category"]),
        i18n.t("col_item"): item_name(r),
        i18n.t("col_unit"): r["unit"],
        i18n.t("col_stations"): r["stations"],
        i18n.t("col_quantity"): r["quantity"],
        i18n.t("col_usable"): r["usable_quantity"],
        i18n.t("col_required"): r["required_quantity"],
        i18n.t("col_stations_short"): r["stations_short"],
        i18n.t("col_faults"): r["stations_with_faults"],
    } for r in by_item.iter_rows(named=True)], strict=False), i18n.t("section_stock_item"), "inventory_by_item")

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
if expiring.height == 0:
    st.success(i18n.t("no_expiring"))
else:
    show(pl.DataFrame([{
        **station_columns(r),
        i18n.t("col_item"): item_name(r),
        i18n.t("col_category"): i18n.label("item_category", r["category"]),
        i18n.t("col_quantity"): r["quantity"],
        i18n.t("col_unit"): r["unit"],
        i18n.t("col_expires_on"): r["expires_on"],
        i18n.t("col_days_to_expiry"): r["days_to_expiry"],
        i18n.t("kpi_expired"): yes if r["is_expired"] else "",
        i18n.t("col_counted_on"): r["counted_on"],
    } for r in expiring.iter_rows(named=True)], strict=False),
        i18n.t("expiry_window_option", days=window), "inventory_expiring",
        column_config={i18n.t("col_expires_on"): st.column_config.DateColumn(format="YYYY-MM-DD"),
                       i18n.t("col_counted_on"): st.column_config.DateColumn(format="YYYY-MM-DD")})

# ---- damaged and in repair ---------------------------------------------------------------
st.subheader(i18n.t("section_faults"))
faults = data.run("inventory/faults", **f.scope)
if faults.height == 0:
    st.success(i18n.t("no_faults"))
else:
    show(pl.DataFrame([{
        **station_columns(r),
        i18n.t("col_item"): item_name(r),
        i18n.t("col_category"): i18n.label("item_category", r["category"]),
        i18n.t("col_kit_item"): r["kit_item"],
        i18n.t("col_quantity"): r["quantity"],
        i18n.t("col_unit"): r["unit"],
        i18n.t("col_item_status"): i18n.label("item_status", r["status"]),
        i18n.t("col_counted_on"): r["counted_on"],
    } for r in faults.iter_rows(named=True)], strict=False), i18n.t("section_faults"), "inventory_faults")

# ---- how old the counts are -----------------------------------------------------------------
st.subheader(i18n.t("section_freshness"))
freshness = data.run("inventory/count_freshness", **f.scope)
if freshness.height:
    stale_after = int(freshness["stale_after_days"][0])
    stale = int(freshness["is_count_stale"].sum())
    st.metric(i18n.t("kpi_stale"), i18n.fmt_int(stale), border=True,
              delta=f"{stale:,} / {freshness.height:,}", delta_color="off", delta_arrow="off")
    st.caption(i18n.t("stale_caption", days=stale_after))
    table = pl.DataFrame([{
        **station_columns(r),
        i18n.t("col_last_counted"): r["last_counted_on"],
        i18n.t("col_count_age"): r["count_age_days"],
        i18n.t("col_counts_on_record"): r["counts_on_record"],
        i18n.t("col_stale"): yes if r["is_count_stale"] else "",
        i18n.t("col_station_page"): station_link(r["station_id"]),
    } for r in freshness.iter_rows(named=True)], strict=False)
    st.dataframe(table, hide_index=True, key="inventory_freshness", column_config={
        i18n.t("col_station_page"): st.column_config.LinkColumn(display_text=i18n.t("link_open")),
        i18n.t("col_last_counted"): st.column_config.DateColumn(format="YYYY-MM-DD")})
    download_buttons(table.drop(i18n.t("col_station_page")), i18n.t("section_freshness"), "inventory_freshness")
