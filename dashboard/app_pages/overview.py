"""总览 Overview: the leadership page for the weekly meeting.

Named queries: stations/vs_target, response/kpi, overview/week_compare, stations/readiness_summary.
"""

import polars as pl
import streamlit as st

from dashboard import data, i18n, sections
from dashboard.filters import current
from emss import figures

QUERIES = ["stations/vs_target", "response/kpi", "overview/week_compare", "stations/readiness_summary"]

f = current()
lang = f.lang
sections.header("overview_title", f, QUERIES)

# Stations are counted as of the period's last day; a station-type filter picks the rows.
vs_target = data.run("stations/vs_target", as_of=f.end, districts=list(f.districts))
if f.station_types:
    vs_target = vs_target.filter(pl.col("station_type").is_in(list(f.station_types)))
kpi = data.one("response/kpi", **f.period)
weeks = {r["week"]: r for r in data.run("overview/week_compare", end_date=f.end, **f.scope).iter_rows(named=True)}
readiness = data.one("stations/readiness_summary", **f.scope)

year = vs_target["year"][0] if vs_target.height else f.end.year
totals = sections.build_totals(vs_target)
in_service, opened, has_target, target = totals["in_service"], totals["opened"], totals["has_target"], totals["target"]

# ---- the headline row --------------------------------------------------------
c1, c2, c3, c4 = st.columns(4)
c1.metric(i18n.t("kpi_in_service"), i18n.fmt_int(in_service), help=i18n.t("kpi_in_service_help"), border=True)
if target:
    over = opened - target
    delta = i18n.t("target_over", n=over) if over > 0 else i18n.t("target_progress", pct=i18n.fmt_pct(opened / target, 0))
    c2.metric(i18n.t("kpi_built_vs_target", year=year), f"{opened:,} / {target:,}", delta=delta,
              delta_color="normal" if over >= 0 else "off", delta_arrow="up" if over > 0 else "off", border=True)
else:
    c2.metric(i18n.t("kpi_built_vs_target", year=year), f"{opened:,} / {i18n.DASH}", delta=i18n.t("target_none"),
              delta_color="off", delta_arrow="off", border=True)
c3.metric(i18n.t("kpi_compliant"), i18n.fmt_pct(readiness.get("compliant_rate")), help=i18n.t("kpi_compliant_help"),
          delta=i18n.t("kpi_compliant_count", n=i18n.fmt_int(readiness.get("compliant")),
                       total=i18n.fmt_int(readiness.get("stations_in_service"))),
          delta_color="off", delta_arrow="off", border=True)
this_week, last_week = weeks.get("this_week", {}), weeks.get("last_week", {})
n_this, n_last = int(this_week.get("incidents") or 0), int(last_week.get("incidents") or 0)
c4.metric(i18n.t("kpi_week_incidents"), i18n.fmt_int(n_this), delta=i18n.fmt_delta(n_this - n_last),
          delta_description=i18n.t("delta_vs_last_week", delta="").strip(), delta_color="off",
          help=i18n.t("kpi_week_help"), border=True)
st.caption(i18n.t("week_rates", this_week=i18n.fmt_int(n_this), last_week=i18n.fmt_int(n_last),
                  this_rate=i18n.fmt_pct(this_week.get("within_target_rate")),
                  last_rate=i18n.fmt_pct(last_week.get("within_target_rate"))))

# ---- arrival within 5 minutes ------------------------------------------------
st.subheader(i18n.t("section_response"))
if not kpi or int(kpi["incidents"] or 0) == 0:
    st.info(i18n.t("no_incidents", start=f.start.isoformat(), end=f.end.isoformat()))
else:
    sections.response_kpis(kpi, with_incident_counts=False)
    st.caption(i18n.t("rate_count_caption", within=i18n.fmt_int(kpi["within_target"]),
                      arrived=i18n.fmt_int(kpi["arrived"]), incidents=i18n.fmt_int(kpi["incidents"]),
                      without=i18n.fmt_int(kpi["without_arrival"])))

# ---- build-out against the year's target -------------------------------------
st.subheader(i18n.t("section_build"))
if vs_target.height == 0:
    st.info(i18n.t("no_stations"))
else:
    if not has_target:
        st.info(i18n.t("no_targets", year=year))
    st.plotly_chart(figures.target_bars(vs_target, lang), key="overview_target_bars")
    st.dataframe(sections.build_table(vs_target, lang), hide_index=True, key="overview_target_table")
