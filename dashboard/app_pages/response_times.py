"""响应时间 Response times: how fast the first station arrives, its spread, trend and districts.

Named queries: response/kpi, response/histogram, response/weekly_trend, response/by_district.
"""

import polars as pl
import streamlit as st

from dashboard import charts, data, i18n, sections
from dashboard.filters import current

QUERIES = ["response/kpi", "response/histogram", "response/weekly_trend", "response/by_district"]

f = current()
lang = f.lang
sections.header("response_title", f, QUERIES)

kpi = data.one("response/kpi", **f.period)
if not kpi or int(kpi["incidents"] or 0) == 0:
    st.info(i18n.t("no_incidents", start=f.start.isoformat(), end=f.end.isoformat()))
    st.stop()

sections.response_kpis(kpi, with_incident_counts=True)

if int(kpi["arrived"] or 0) == 0:
    st.info(i18n.t("no_arrivals"))
    st.stop()

# ---- distribution -------------------------------------------------------------
histogram = data.run("response/histogram", **f.period)
st.plotly_chart(charts.response_histogram(histogram, lang), key="response_histogram")

# ---- weekly trend ---------------------------------------------------------------
trend = data.run("response/weekly_trend", **f.period)
left, right = st.columns(2)
left.plotly_chart(charts.weekly_rate(trend, f.start, f.end, lang), key="response_weekly_rate")
right.plotly_chart(charts.weekly_p90(trend, f.start, f.end, lang), key="response_weekly_p90")

# ---- by district ------------------------------------------------------------------
st.subheader(i18n.t("section_by_district"))
by_district = data.run("response/by_district", **f.period)
table = pl.DataFrame([
    {
        i18n.t("col_district"): i18n.label("district", r["district"]),
        i18n.t("col_incidents"): int(r["incidents"]),
        i18n.t("col_arrived"): int(r["arrived"]),
        i18n.t("col_within"): int(r["within_target"]),
        # a number (percent) so the column sorts; shown as 57.5%
        i18n.t("col_rate"): None if r["within_target_rate"] is None else round(r["within_target_rate"] * 100, 1),
        i18n.t("col_p50"): i18n.fmt_duration(r["p50_response_s"]),
        i18n.t("col_p90"): i18n.fmt_duration(r["p90_response_s"]),
        i18n.t("col_note"): i18n.t("note_small") if int(r["arrived"]) < sections.MIN_ARRIVALS else "",
    }
    for r in by_district.iter_rows(named=True)
], strict=False)
st.dataframe(table, hide_index=True, key="response_by_district",
             column_config={i18n.t("col_rate"): st.column_config.NumberColumn(format="%.1f%%")})
