"""数据质量 Data quality: what each load read, loaded, rejected and flagged, and the rejected rows to fix.

Named queries: quality/batches, quality/rule_counts, quality/reasons_by_month, quality/rejected_rows.
"""

import polars as pl
import streamlit as st

from dashboard import data, export, i18n, sections
from dashboard.filters import current

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
for col, (label, value) in zip(st.columns(len(cells)), cells):
    col.metric(label, value, border=True)

# ---- batches with their grade ------------------------------------------------------------
st.subheader(i18n.t("quality_batches"))
st.caption(i18n.t("quality_grade_rule"))
shown = batches.select(
    pl.col("batch_id").alias(i18n.t("col_batch")),
    pl.col("source_file").alias(i18n.t("col_source_file")),
    pl.col("kind").map_elements(lambda k: i18n.t(f"kind_{k}") if k in ("incidents", "stations", "inventory", "targets") else k,
                                return_dtype=pl.String).alias(i18n.t("col_kind")),
    pl.col("grade").map_elements(lambda g: i18n.t(f"grade_{g}"), return_dtype=pl.String).alias(i18n.t("col_grade")),
    pl.col("rows_read").alias(i18n.t("col_rows_read")),
    pl.col("rows_loaded").alias(i18n.t("col_rows_loaded")),
    pl.col("rows_rejected").alias(i18n.t("col_rows_rejected")),
    pl.col("rows_flagged").alias(i18n.t("col_rows_flagged")),
    (pl.col("problem_share") * 100).alias(i18n.t("col_problem_share")),
    pl.col("finished_at").alias(i18n.t("col_loaded_at")),
    pl.col("message").alias(i18n.t("col_message")),
)
st.dataframe(shown, hide_index=True, key="quality_batches",
             column_config={i18n.t("col_problem_share"): st.column_config.NumberColumn(format="%.2f%%")})
export.download_buttons(shown, i18n.t("quality_batches"), key="quality_batches_dl")

# ---- reasons ---------------------------------------------------------------------------
st.subheader(i18n.t("quality_reasons"))
counts = data.run("quality/rule_counts")
if counts.height == 0:
    st.success(i18n.t("quality_no_problems"))
else:
    left, right = st.columns([2, 3])
    left.dataframe(counts.select(
        pl.col("source_file").alias(i18n.t("col_source_file")),
        pl.col("action").map_elements(lambda a: i18n.t(f"action_{a}"), return_dtype=pl.String).alias(i18n.t("col_quality_action")),
        pl.col("rule").map_elements(i18n.rule_label, return_dtype=pl.String).alias(i18n.t("col_rule")),
        pl.col("rows").alias(i18n.t("col_rows")),
    ), hide_index=True, key="quality_rule_counts")
    by_month = data.run("quality/reasons_by_month")
    if by_month.height:
        import plotly.express as px

        fig = px.bar(by_month.with_columns(pl.col("rule").map_elements(i18n.rule_label, return_dtype=pl.String)).to_pandas(),
                     x="month", y="rows", color="rule",
                     labels={"month": i18n.t("axis_month"), "rows": i18n.t("col_rows"), "rule": i18n.t("col_rule")},
                     title=i18n.t("quality_reasons_by_month"))
        fig.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="")
        right.plotly_chart(fig, key="quality_reasons_chart")

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
    table = rows.select(
        pl.col("source_row").alias(i18n.t("col_source_row")),
        pl.col("message").alias(i18n.t("col_message")),
        pl.col("raw").alias(i18n.t("col_raw")),
    )
    st.dataframe(table, hide_index=True, key="quality_rejected_table")
    st.caption(i18n.t("quality_rejected_caption", n=rows.height))
    export.download_buttons(table, f"{source_file}_{rule}", key="quality_rejects_dl")
