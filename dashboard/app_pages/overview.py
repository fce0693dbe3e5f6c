"""总览 Overview: the leadership page for the weekly meeting.

Named queries: stations/vs_target, response/kpi, overview/week_compare, stations/readiness_summary.
"""

import polars as pl
import streamlit as st

from dashboard import charts, data, i18n, sections
from dashboard.filters import current

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
in_service = int(vs_target["in_service"].sum()) if vs_target.height else 0
opened = int(vs_target["opened_this_year"].sum()) if vs_target.height else 0
has_target = vs_target.height > 0 and vs_target["target_count"].is_not_null().any()
target = int(vs_target["target_count"].fill_null(0).cast(pl.Int64).sum()) if has_target else None

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
    st.plotly_chart(charts.target_bars(vs_target, lang), key="overview_target_bars")
    rows = []
    for r in vs_target.iter_rows(named=True):
        t = None if r["target_count"] is None else int(r["target_count"])
        o = int(r["opened_this_year"])
        rows.append({
            i18n.t("col_station_type"): i18n.label("station_type", r["station_type"]),
            i18n.t("col_in_service"): int(r["in_service"]),
            i18n.t("col_opened_this_year"): o,
            i18n.t("col_target"): t,
            i18n.t("col_progress"): i18n.fmt_pct(o / t, 0) if t else i18n.DASH,
            i18n.t("col_status"): charts.target_status(o, t, lang),
        })
    rows.append({
        i18n.t("col_station_type"): i18n.t("total"),
        i18n.t("col_in_service"): in_service,
        i18n.t("col_opened_this_year"): opened,
        i18n.t("col_target"): target,
        i18n.t("col_progress"): i18n.fmt_pct(opened / target, 0) if target else i18n.DASH,
        i18n.t("col_status"): charts.target_status(opened, target, lang),
    })
    st.dataframe(pl.DataFrame(rows, strict=False), hide_index=True, key="overview_target_table")
