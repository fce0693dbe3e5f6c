"""数据质量 Data quality: what each load read, loaded, rejected and flagged, and the rejected rows to fix.

Named queries: quality/batches, quality/rule_counts, quality/reasons_by_month, quality/rejected_rows.
"""

import json

import polars as pl
import streamlit as st

from dashboard import data, export, i18n, sections
from dashboard.filters import current
from emss import figures, messages, tables
from emss.tables import COUNT, DATETIME, RATE, Column

QUERIES = ["quality/batches", "quality/rule_counts", "quality/reasons_by_month", "quality/rejected_rows"]

f = current()
sections.header("quality_title", f, QUERIES)
st.caption(i18n.t("quality_intro"))

batches = data.run("quality/batches")
if batches.height == 0:
    st.info(i18n.t("quality_no_batches"))
    st.stop()

# ---- KPIs ---------------------------------------------------------------------------
loaded = batches.filter(pl.col("outcome") == "loaded")
read, rejected, flagged = (int(loaded[c].sum() or 0) for c in ("rows_read", "rows_rejected", "rows_flagged"))
cells = [
    (i18n.t("quality_files"), i18n.fmt_int(batches.height)),
    (i18n.t("quality_rows_read"), i18n.fmt_int(read)),
    (i18n.t("quality_rows_rejected"), f"{i18n.fmt_int(rejected)} ({i18n.fmt_pct(rejected / read if read else None, 2)})"),
    (i18n.t("quality_rows_flagged"), f"{i18n.fmt_int(flagged)} ({i18n.fmt_pct(flagged / read if read else None, 2)})"),
    (i18n.t("quality_refused"), i18n.fmt_int(batches.filter(pl.col("outcome") == "refused").height)),
]
row = sections.tile_row()
for label, value in cells:
    row.metric(label, value, border=True)

# ---- batches with their grade ------------------------------------------------------------
st.subheader(i18n.t("quality_batches"))
st.caption(i18n.t("quality_grade_rule"))


def raw_text(raw: str | None) -> str | None:
    """A rejected row as delivered (JSON) in words, 'field: value' each, a dash for an empty field (not JSON's null)."""
    try:
        row = json.loads(raw) if raw else None
    except ValueError:
        return raw
    if not isinstance(row, dict):
        return raw
    return "; ".join(f"{k}: {tables.DASH if v is None or v == '' else v}" for k, v in row.items())


export.show(tables.build(batches, [
    Column(i18n.t("col_batch"), "batch_id"),
    Column(i18n.t("col_source_file"), "source_file"),
    Column(i18n.t("col_kind"), lambda r: messages.kind_label(r["kind"], f.lang)),
    Column(i18n.t("col_grade"), lambda r: i18n.t(f"grade_{r['grade']}") if r["grade"] is not None else None),
    Column(i18n.t("col_rows_read"), "rows_read", COUNT),
    Column(i18n.t("col_rows_loaded"), "rows_loaded", COUNT),
    Column(i18n.t("col_rows_rejected"), "rows_rejected", COUNT),
    Column(i18n.t("col_rows_flagged"), "rows_flagged", COUNT),
    Column(i18n.t("col_problem_share"), "problem_share", RATE, digits=2),
    Column(i18n.t("col_loaded_at"), "finished_at", DATETIME),
    Column(i18n.t("col_message"), "message"),
], f.lang), i18n.t("quality_batches"), "quality_batches", filtered_by=export.UNFILTERED)

# ---- reasons ---------------------------------------------------------------------------
st.subheader(i18n.t("quality_reasons"))
counts = data.run("quality/rule_counts")
if counts.height == 0:
    st.success(i18n.t("quality_no_problems"))
else:
    left, right = st.columns([2, 3])
    with left:
        export.show(tables.build(counts, [
            Column(i18n.t("col_source_file"), "source_file"),
            Column(i18n.t("col_quality_action"), lambda r: i18n.t(f"action_{r['action']}")),
            Column(i18n.t("col_rule"), lambda r: i18n.rule_label(r["rule"])),
            Column(i18n.t("col_rows"), "rows", COUNT),
        ], f.lang), i18n.t("quality_reasons"), "quality_rule_counts", filtered_by=export.UNFILTERED)
    by_month = data.run("quality/reasons_by_month")
    if by_month.height:
        right.vega_lite_chart(figures.reject_months_vega(by_month, f.lang), key="quality_reasons_chart")  # no Plotly: see the figure

# ---- the rejected rows themselves ----------------------------------------------------------
st.subheader(i18n.t("quality_rejected_rows"))
rejected_files = sorted(counts.filter(pl.col("action") == "reject")["source_file"].unique().to_list()) if counts.height else []
if not rejected_files:
    st.success(i18n.t("quality_no_rejects"))
else:
    c1, c2 = st.columns(2)
    source_file = c1.selectbox(i18n.t("col_source_file"), rejected_files, key="quality_file")
    rules = sorted(counts.filter((pl.col("action") == "reject") & (pl.col("source_file") == source_file))["rule"].to_list())
    rule = c2.selectbox(i18n.t("col_rule"), rules, format_func=i18n.rule_label, key="quality_rule")
    rows = data.run("quality/rejected_rows", source_file=source_file, rule=rule, row_limit=500)
    table = tables.build(rows, [
        Column(i18n.t("col_source_row"), "source_row", COUNT),
        Column(i18n.t("col_message"), "message"),
        Column(i18n.t("col_raw"), lambda r: raw_text(r["raw"])),
    ], f.lang)
    export.show(table, f"{source_file}_{rule}", "quality_rejected_table", downloads=False)
    st.caption(i18n.t("quality_rejected_caption", n=rows.height))
    export.download_buttons(table, f"{source_file}_{rule}", "quality_rejects_dl", filtered_by=export.UNFILTERED,
                            extra=[(i18n.t("col_source_file"), source_file), (i18n.t("col_rule"), i18n.rule_label(rule))])
