"""周报快照 Weekly snapshots: the weeks kept in the warehouse, any two side by side, the pack to download.

Named queries: snapshots/weeks, snapshots/compare, snapshots/kpi_history.
"""

from pathlib import Path

import duckdb
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import data, i18n, plain
from dashboard.filters import current
from emss import snapshot
from emss.snapshot.report import fmt_change, fmt_value
from emss.snapshot.tables import KPI_LABELS

QUERIES = ["snapshots/weeks", "snapshots/compare", "snapshots/kpi_history"]

f = current()
lang = f.lang
st.title(i18n.t("snapshots_title"))
st.caption(i18n.t("queries_used", names=", ".join(f"`{n}`" for n in QUERIES)))
st.markdown(i18n.t("snapshots_intro"))

try:
    weeks = data.run("snapshots/weeks")
except duckdb.CatalogException:  # a warehouse built before snapshots existed: `emss snapshot` adds the table
    weeks = pl.DataFrame()
if weeks.height == 0:
    st.info(i18n.t("snapshots_none"))
    st.stop()

# ---- what is stored -------------------------------------------------------------
st.subheader(i18n.t("snapshots_stored"))
st.dataframe(pl.DataFrame([{
    i18n.t("col_week"): r["week"],
    i18n.t("col_revision"): r["revision"],
    i18n.t("col_incidents"): r["incidents"],
    i18n.t("kpi_rate"): i18n.fmt_pct(r["within_target_rate"]),
    i18n.t("snap_kpi_in_service"): r["in_service"],
    i18n.t("col_as_of_date"): r["as_of_date"],
    i18n.t("col_cut_at"): r["cut_at"],
    i18n.t("col_taken_at"): r["taken_at"],
    i18n.t("col_data_version"): (r["data_version"] or "")[:12],
} for r in weeks.iter_rows(named=True)], strict=False), hide_index=True, key="snapshots_weeks")
for r in weeks.filter(pl.col("is_latest") & (pl.col("revisions") > 1)).iter_rows(named=True):
    st.caption(i18n.t("snapshots_revised", week=r["week"], n=r["revisions"]))

# ---- two weeks side by side ------------------------------------------------------
st.subheader(i18n.t("snapshots_compare"))
options = [(r["week"], r["revision"]) for r in weeks.iter_rows(named=True)]
older = next((i for i, (w, _) in enumerate(options) if w != options[0][0]), 0)


def option_label(option: tuple[str, int]) -> str:
    return i18n.t("snapshots_week_option", week=option[0], revision=option[1])


left, right = st.columns(2)
week_a, revision_a = left.selectbox(i18n.t("snapshots_week_a"), options, index=0, format_func=option_label,
                                    key="snapshots_a")
week_b, revision_b = right.selectbox(i18n.t("snapshots_week_b"), options, index=older, format_func=option_label,
                                     key="snapshots_b")
compare = data.run("snapshots/compare", week_a=week_a, revision_a=revision_a, week_b=week_b, revision_b=revision_b)


def scope_label(dimension: str, code: str) -> str:
    return i18n.t("scope_city") if dimension == "city" else i18n.label(dimension, code)


rows = []
for r in compare.iter_rows(named=True):
    label_key, kind = KPI_LABELS.get(r["kpi"], (None, "int"))
    rows.append({
        i18n.t("col_kpi"): i18n.t(label_key) if label_key else r["kpi"],
        i18n.t("col_scope"): scope_label(r["dimension"], r["code"]),
        f"{week_a} (r{revision_a})": fmt_value(r["value_a"], kind, lang),
        f"{week_b} (r{revision_b})": fmt_value(r["value_b"], kind, lang),
        i18n.t("col_change"): fmt_change(r["change"], kind, lang),
    })
st.dataframe(pl.DataFrame(rows, strict=False), hide_index=True, key="snapshots_compare")

# ---- the 5-minute rate as first reported and as last revised ---------------------
history = data.run("snapshots/kpi_history", kpi="within_target_rate")
if history.height > 1:
    fig = go.Figure()
    fig.add_scatter(x=history["week"].to_list(), y=history["first_value"].to_list(), mode="lines+markers",
                    name=i18n.t("snapshots_first_reported"))
    fig.add_scatter(x=history["week"].to_list(), y=history["latest_value"].to_list(), mode="lines+markers",
                    name=i18n.t("snapshots_latest_revision"), line={"dash": "dot"})
    fig.update_layout(title=i18n.t("snapshots_history_title"), yaxis_tickformat=".0%", height=320,
                      margin={"l": 10, "r": 10, "t": 60, "b": 10})
    st.plotly_chart(fig, key="snapshots_history")

# ---- the pack ----------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=8)
def _pack(folder: str, manifest_version: int) -> bytes:
    return snapshot.pack_zip(Path(folder))


root = snapshot.snapshots_dir()
for week in dict.fromkeys((week_a, week_b)):
    folder = root / week
    manifest = folder / snapshot.MANIFEST
    if manifest.is_file():
        st.download_button(i18n.t("snapshots_download", week=week), _pack(str(folder), manifest.stat().st_mtime_ns),
                           file_name=f"emss_{week}.zip", mime="application/zip", key=f"snapshots_pack_{week}")
    else:
        st.caption(i18n.t("snapshots_no_pack", week=week, dir=plain.md(root)))
