"""站点与目标 Stations & targets: build-out against the target, where stations are, and whether they meet the standard.

Named queries: stations/vs_target, stations/by_district, stations/readiness_summary, stations/register.
"""

import polars as pl
import streamlit as st

from dashboard import charts, data, i18n, sections
from dashboard.filters import current

QUERIES = ["stations/vs_target", "stations/by_district", "stations/readiness_summary", "stations/register"]

f = current()
lang = f.lang
sections.header("stations_title", f, QUERIES)

# ---- opened this year against the target ---------------------------------------
vs_target = data.run("stations/vs_target", as_of=f.end, districts=list(f.districts))
if f.station_types:
    vs_target = vs_target.filter(pl.col("station_type").is_in(list(f.station_types)))
st.subheader(i18n.t("section_build"))
if vs_target.height == 0:
    st.info(i18n.t("no_stations"))
else:
    if vs_target["target_count"].is_null().all():
        st.info(i18n.t("no_targets", year=vs_target["year"][0]))
    st.plotly_chart(charts.target_bars(vs_target, lang), key="stations_target_bars")

# ---- in service by district and type ---------------------------------------------
st.subheader(i18n.t("section_by_district_type"))
by_district = data.run("stations/by_district", as_of=f.end, **f.scope)
if by_district.height == 0:
    st.info(i18n.t("no_stations_in_service", date=f.end.isoformat()))
else:
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.district_type_bars(by_district, f.end, lang), key="stations_by_district_chart")
    wide = (
        by_district
        .with_columns(pl.col("station_type").map_elements(lambda c: i18n.label("station_type", c, lang),
                                                          return_dtype=pl.String))
        .pivot(on="station_type", index="district", values="in_service", aggregate_function="sum")
        .fill_null(0)
    )
    type_cols = [c for c in wide.columns if c != "district"]
    wide = wide.with_columns(pl.sum_horizontal(type_cols).alias(i18n.t("total"))).sort(i18n.t("total"), descending=True)
    wide = wide.with_columns(pl.col("district").map_elements(lambda c: i18n.label("district", c, lang),
                                                             return_dtype=pl.String)).rename({"district": i18n.t("col_district")})
    right.dataframe(wide, hide_index=True, key="stations_by_district_table")

# ---- register with readiness ---------------------------------------------------
st.subheader(i18n.t("section_register"))
readiness = data.one("stations/readiness_summary", **f.scope)
st.metric(i18n.t("kpi_compliant"), i18n.fmt_pct(readiness.get("compliant_rate")), help=i18n.t("kpi_compliant_help"),
          delta=i18n.t("kpi_compliant_count", n=i18n.fmt_int(readiness.get("compliant")),
                       total=i18n.fmt_int(readiness.get("stations_in_service"))),
          delta_color="off", delta_arrow="off")
register = data.run("stations/register", **f.scope)
c1, c2 = st.columns(2)
only_in_service = c1.toggle(i18n.t("only_in_service"), value=True, key="register_in_service")
only_short = c2.toggle(i18n.t("only_not_compliant"), value=False, key="register_not_compliant")
if only_in_service:
    register = register.filter(pl.col("in_service"))
if only_short:
    register = register.filter(~pl.col("is_compliant"))
if register.height == 0:
    st.info(i18n.t("no_stations"))
else:
    yes, no = i18n.t("yes"), i18n.t("no")
    sep = "；" if lang == "zh" else "; "
    table = pl.DataFrame([
        {
            i18n.t("col_station_id"): r["station_id"],
            i18n.t("col_station_name"): r["station_name"],
            i18n.t("col_station_type"): i18n.label("station_type", r["station_type"]),
            i18n.t("col_district"): i18n.label("district", r["district"]),
            i18n.t("col_street"): r["street"],
            i18n.t("col_host_venue"): r["host_venue"],
            i18n.t("col_opened_on"): r["opened_on"],
            i18n.t("col_in_service_flag"): yes if r["in_service"] else no,
            i18n.t("col_staff"): r["staff_count"],
            i18n.t("col_vehicles"): r["vehicle_count"],
            i18n.t("col_readiness"): r["readiness_score"],
            i18n.t("col_compliant"): yes if r["is_compliant"] else no,
            i18n.t("col_shortfalls"): sep.join(i18n.shortfall(s) for s in (r["shortfalls"] or [])),
            i18n.t("col_last_counted"): r["last_counted_on"],
        }
        for r in register.iter_rows(named=True)
    ], strict=False)
    st.caption(i18n.t("register_count", n=f"{register.height:,}"))
    st.dataframe(
        table, hide_index=True, key="stations_register",
        column_config={
            i18n.t("col_readiness"): st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent"),
            i18n.t("col_shortfalls"): st.column_config.TextColumn(width="large"),
            i18n.t("col_opened_on"): st.column_config.DateColumn(format="YYYY-MM-DD"),
            i18n.t("col_last_counted"): st.column_config.DateColumn(format="YYYY-MM-DD"),
        },
    )
