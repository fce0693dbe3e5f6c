"""周报快照 Weekly snapshots: the weeks kept in the warehouse, any two side by side, the pack to download.

Named queries: snapshots/weeks, snapshots/compare, snapshots/kpi_history.
"""


import duckdb
import polars as pl
import streamlit as st

from dashboard import data, export, i18n, plain
from dashboard.filters import current
from emss import figures, snapshot, tables
from emss.tables import COUNT, DATE, DATETIME, RATE, Column
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
export.show(tables.build(weeks, [
    Column(i18n.t("col_week"), "week"),
    Column(i18n.t("col_revision"), "revision", COUNT),
    Column(i18n.t("col_incidents"), "incidents", COUNT),
    Column(i18n.t("kpi_rate"), "within_target_rate", RATE),
    Column(i18n.t("snap_kpi_in_service"), "in_service", COUNT),
    Column(i18n.t("col_as_of_date"), "as_of_date", DATE),
    Column(i18n.t("col_cut_at"), "cut_at", DATETIME),
    Column(i18n.t("col_taken_at"), "taken_at", DATETIME),
    Column(i18n.t("col_data_version"), lambda r: (r["data_version"] or "")[:12] or None),
], lang), i18n.t("snapshots_stored"), "snapshots_weeks", downloads=False)
for r in weeks.filter(pl.col("is_latest") & (pl.col("revisions") > 1)).iter_rows(named=True):
    st.caption(i18n.t("snapshots_revised", week=r["week"], n=r["revisions"]))

# ---- two weeks side by side ------------------------------------------------------
st.subheader(i18n.t("snapshots_compare"))
options = [(r["week"], r["revision"]) for r in weeks.iter_rows(named=True)]  # newest week first, its latest revision first
# Compared by default: the newest week with the week before it (its latest revision); while only one week
# is stored, its latest revision with the one before. A week against itself only when nothing else is stored.
older = next((i for i, (w, _) in enumerate(options) if w != options[0][0]), min(1, len(options) - 1))


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




def kpi_kind(r: dict) -> str:
    return KPI_LABELS.get(r["kpi"], (None, "int"))[1]


label_a, label_b = f"{week_a} (r{revision_a})", f"{week_b} (r{revision_b})"
if label_a == label_b:  # the same revision of the same week twice: two columns all the same, told apart
    label_a, label_b = f"{i18n.t('snapshots_week_a')} · {label_a}", f"{i18n.t('snapshots_week_b')} · {label_b}"
# each row is another KPI, so the values are the weekly report's words (fmt_value), not one kind per column
export.show(tables.build(compare, [
    Column(i18n.t("col_kpi"), lambda r: i18n.t(KPI_LABELS[r["kpi"]][0]) if r["kpi"] in KPI_LABELS else r["kpi"]),
    Column(i18n.t("col_scope"), lambda r: scope_label(r["dimension"], r["code"])),
    Column(label_a, lambda r: fmt_value(r["value_a"], kpi_kind(r), lang)),
    Column(label_b, lambda r: fmt_value(r["value_b"], kpi_kind(r), lang)),
    Column(i18n.t("col_change"), lambda r: fmt_change(r["change"], kpi_kind(r), lang)),
], lang), i18n.t("snapshots_compare"), "snapshots_compare", downloads=False)

# ---- the 5-minute rate as first reported and as last revised ---------------------
history = data.run("snapshots/kpi_history", kpi="within_target_rate")
if history.height > 1:
    st.vega_lite_chart(figures.snapshot_history_vega(history, lang), key="snapshots_history")

# ---- the pack ----------------------------------------------------------------------
root = snapshot.snapshots_dir()
for week in dict.fromkeys((week_a, week_b)):
    folder = root / week
    manifest = folder / snapshot.MANIFEST
    if manifest.is_file():
        st.download_button(i18n.t("snapshots_download", week=week),  # zipped when clicked
                           export.when_clicked(f"emss_{week}.zip", lambda folder=folder: snapshot.pack_zip(folder)),
                           file_name=f"emss_{week}.zip", mime="application/zip", key=f"snapshots_pack_{week}",
                           on_click="ignore")
    else:
        st.caption(i18n.t("snapshots_no_pack", week=week, dir=plain.md(root)))
