"""站点与目标 Stations & targets: build-out against the year's target, readiness against the
standard, and the station register (each station linked to its own page).

Named queries: stations/vs_target, stations/build_trajectory, stations/build_by_district,
stations/build_by_year, stations/by_district, stations/readiness_summary, stations/readiness_trend,
stations/readiness_breakdown, stations/readiness_by_check, stations/register.
"""

import datetime as dt
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from dashboard import data, export, filters, i18n, sections
from dashboard.filters import current
from emss import figures, settings, tables
from emss.tables import COUNT, DATE, LINK, NUMBER, RATE, Column

QUERIES = ["stations/vs_target", "stations/build_trajectory", "stations/build_by_district", "stations/build_by_year",
           "stations/by_district", "stations/readiness_summary", "stations/readiness_trend",
           "stations/readiness_breakdown", "stations/readiness_by_check", "stations/register"]

f = current()
lang = f.lang
sections.header("stations_title", f, QUERIES)
types = list(f.station_types)


def by_types(frame: pl.DataFrame) -> pl.DataFrame:
    """vs_target-style rows narrowed to the chosen station types, as the Overview does."""
    return frame.filter(pl.col("station_type").is_in(types)) if types else frame


def show(columns: list[Column], rows: pl.DataFrame | list[dict], name: str, key: str, **options: object) -> None:
    """A table of the page with its downloads: counted in the chosen districts and station types."""
    export.show(tables.build(rows, columns, lang), name, key, filtered_by=export.SCOPE, **options)


# ---- build-out against the year's target --------------------------------------------
st.subheader(i18n.t("section_build"))
history = data.run("stations/build_by_year", **f.scope)
years = sorted(set(history["year"].to_list()) | {f.end.year}, reverse=True)
year = st.selectbox(i18n.t("build_year"), years, index=years.index(f.end.year), key="build_year",
                    help=i18n.t("build_year_help"))
# This year is counted to the period's last day (as the Overview does); a past year to its end.
as_of = f.end if year == f.end.year else min(dt.date(year, 12, 31), data.data_range().as_of)

vs_target = by_types(data.run("stations/vs_target", as_of=as_of, districts=list(f.districts)))
if vs_target.height == 0:
    st.info(i18n.t("no_stations"))
else:
    totals = sections.build_totals(vs_target)
    in_service, opened, has_target, target = totals["in_service"], totals["opened"], totals["has_target"], totals["target"]
    pace = sections.build_pace(vs_target)  # the Overview's arithmetic: whole stations, the same words
    projected = pace["projected"] if pace else round(float(vs_target["projected_year_end"].sum()))

    row = sections.tile_row()
    row.metric(i18n.t("kpi_in_service"), i18n.fmt_int(in_service), help=i18n.t("kpi_in_service_help"), border=True)
    if target:
        over = opened - target
        delta = (i18n.t("target_over", n=over) if over > 0
                 else i18n.t("target_progress", pct=i18n.fmt_pct(opened / target, 0)))
        row.metric(i18n.t("kpi_built_vs_target", year=year), f"{opened:,} / {target:,}", delta=delta,
                   delta_color="normal" if over >= 0 else "off", delta_arrow="up" if over > 0 else "off", border=True)
    else:
        row.metric(i18n.t("kpi_built_vs_target", year=year), f"{opened:,} / {i18n.DASH}", delta=i18n.t("target_none"),
                   delta_color="off", delta_arrow="off", border=True)
    row.metric(i18n.t("kpi_expected_to_date"), i18n.DASH if pace is None else i18n.fmt_int(pace["due"]),
               help=i18n.t("kpi_expected_help"), border=True)
    if pace and target:
        gap = pace["year_end_gap"]
        row.metric(i18n.t("kpi_projected"), i18n.fmt_int(projected), help=i18n.t("kpi_projected_help"), border=True,
                   delta=(i18n.t("projection_over", n=gap) if gap > 0 else i18n.t("projection_short", n=-gap) if gap < 0
                          else i18n.t("projection_on")),
                   delta_color="normal" if gap >= 0 else "inverse", delta_arrow="off")
    else:
        row.metric(i18n.t("kpi_projected"), i18n.fmt_int(projected), help=i18n.t("kpi_projected_help"), border=True)
    notice = sections.notice_place()
    if not has_target:
        notice.info(i18n.t("no_targets", year=year))

    st.vega_lite_chart(figures.target_bars_vega(vs_target, lang), key="stations_target_bars")
    export.show(sections.build_outline(vs_target, lang, with_pace=True), f"{i18n.t('section_build')}_{year}",
                "stations_target_table", filtered_by=export.SCOPE)

    # month by month against the straight line
    st.markdown(f"**{i18n.t('section_trajectory')}**")
    trajectory = data.run("stations/build_trajectory", as_of=as_of, **f.scope)
    st.vega_lite_chart(figures.build_trajectory_vega(trajectory, year, lang), key="stations_trajectory")
    st.caption(i18n.t("trajectory_caption"))
    with st.expander(i18n.t("section_trajectory")):
        show([
            Column(i18n.t("col_month"), lambda r: r["month_start"].strftime("%Y-%m")),
            Column(i18n.t("col_opened_in_month"), "opened_in_month", COUNT),
            Column(i18n.t("col_opened_cumulative"), "opened_cumulative", COUNT),
            Column(i18n.t("col_target_cumulative"), "target_cumulative", NUMBER, digits=1),
            Column(i18n.t("col_projected_cumulative"), "projected_cumulative", NUMBER, digits=1),
        ], trajectory, f"{i18n.t('section_trajectory')}_{year}", "stations_trajectory_table")

    # by district
    st.markdown(f"**{i18n.t('section_build_by_district')}**")
    by_district_build = data.run("stations/build_by_district", as_of=as_of, station_types=types)
    if f.districts:
        by_district_build = by_district_build.filter(pl.col("district").is_in(list(f.districts)))
    if by_district_build["target_count"].is_null().all():
        st.caption(i18n.t("no_district_targets", year=year))
    show([
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_in_service"), "in_service", COUNT),
        Column(i18n.t("col_opened_this_year"), "opened_this_year", COUNT),
        Column(i18n.t("col_district_target"), "target_count", COUNT),
        Column(i18n.t("col_progress"), "target_progress", RATE, digits=0),
        Column(i18n.t("col_status"), lambda r: figures.target_status(int(r["opened_this_year"]), r["target_count"], lang)
               if r["target_count"] is not None else None),
    ], by_district_build, f"{i18n.t('section_build_by_district')}_{year}", "stations_build_by_district")

# past years, kept
with st.expander(i18n.t("section_build_history")):
    per_year = history.group_by("year").agg(
        pl.col("opened").sum(), pl.col("target_count").sum().alias("target"),
        pl.col("target_count").is_not_null().any().alias("has_target"),
        pl.col("in_service_at_year_end").sum(),
    ).sort("year", descending=True)
    show([
        Column(i18n.t("col_year"), "year"),  # text: a year has no thousands separator
        Column(i18n.t("col_opened"), "opened", COUNT),
        Column(i18n.t("col_target"), lambda r: r["target"] if r["has_target"] else None, COUNT),
        Column(i18n.t("col_status"), lambda r: figures.target_status(int(r["opened"]),
                                                                     int(r["target"]) if r["has_target"] else None, lang)),
        Column(i18n.t("col_in_service_year_end"), "in_service_at_year_end", COUNT),
    ], per_year, i18n.t("section_build_history"), "stations_history_years")
    show([
        Column(i18n.t("col_year"), "year"),
        Column(i18n.t("col_station_type"), "station_type", labels="station_type"),
        Column(i18n.t("col_opened"), "opened", COUNT),
        Column(i18n.t("col_target"), "target_count", COUNT),
        Column(i18n.t("col_status"), lambda r: figures.target_status(int(r["opened"]), r["target_count"], lang)),
        Column(i18n.t("col_in_service_year_end"), "in_service_at_year_end", COUNT),
    ], history, i18n.t("section_build_history") + "_" + i18n.t("col_station_type"), "stations_history_types")

# ---- in service by district and type ---------------------------------------------
st.subheader(i18n.t("section_by_district_type"))
by_district = data.run("stations/by_district", as_of=f.end, **f.scope)
if by_district.height == 0:
    st.info(i18n.t("no_stations_in_service", date=f.end.isoformat()))
else:
    left, right = st.columns([3, 2])
    left.vega_lite_chart(figures.district_type_bars_vega(by_district, f.end, lang), key="stations_by_district_chart")
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
    with right:
        show([Column(i18n.t("col_district"))] + [Column(c, kind=COUNT) for c in type_cols + [i18n.t("total")]],
             wide, i18n.t("section_by_district_type"), "stations_by_district_table")

# ---- readiness against the standard -----------------------------------------------
st.subheader(i18n.t("section_readiness"))
readiness = data.one("stations/readiness_summary", **f.scope)
coverage_min = settings.standard().count_coverage_min  # emss/standard.toml [inventory] coverage_min
trend = data.run("stations/readiness_trend", **f.scope, min_count_coverage=coverage_min)
delta = None
# A change only between two judged dates (counts covering the network on both): across a change of
# coverage the difference would mostly be counts arriving.
if (trend.height >= 2 and all(trend["is_judged"][-2:].to_list()) and trend["compliant_rate"][-2] is not None
        and readiness.get("compliant_rate") is not None):
    delta = i18n.t("kpi_compliant_trend", delta=f"{(readiness['compliant_rate'] - trend['compliant_rate'][-2]) * 100:+.1f}")
st.metric(i18n.t("kpi_compliant"), i18n.fmt_pct(readiness.get("compliant_rate")), help=i18n.t("kpi_compliant_help"),
          delta=delta, delta_color="normal", border=True)
st.caption(i18n.t("kpi_compliant_count", n=i18n.fmt_int(readiness.get("compliant")),
                  total=i18n.fmt_int(readiness.get("stations_in_service"))))
if trend.height:
    st.vega_lite_chart(figures.readiness_trend_vega(trend, lang), key="stations_readiness_trend")
    st.caption(i18n.t("readiness_trend_caption"))
    judged_from = trend["judged_from"][0]
    if judged_from is None:
        st.caption(i18n.t("readiness_uncovered_all", pct=i18n.fmt_pct(coverage_min, 0)))
    elif not trend["is_judged"][0]:
        st.caption(i18n.t("readiness_judged_from", date=judged_from.isoformat(), pct=i18n.fmt_pct(coverage_min, 0)))
    with st.expander(i18n.t("chart_readiness_trend_title")):
        show([
            Column(i18n.t("col_judged_on"), "judged_on", DATE),
            Column(i18n.t("col_stations"), "stations_in_service", COUNT),
            Column(i18n.t("col_compliant_count"), "compliant", COUNT),
            Column(i18n.t("col_compliant_rate"), "compliant_rate", RATE),
            *(Column(i18n.t(f"check_{c}"), k, COUNT) for c, k in (
                ("staff", "staff_short"), ("roles", "roles_short"), ("vehicles", "vehicles_short"),
                ("duty", "duty_short"), ("mandatory_kit", "kit_short"), ("forest_kit", "forest_kit_short"),
                ("in_date", "expired"))),
            Column(i18n.t("count_none"), "without_count", COUNT),
            Column(i18n.t("col_counted_share"), "counted_share", RATE, digits=0),
            Column(i18n.t("col_coverage_note"), lambda r: "" if r["is_judged"] else i18n.t("readiness_uncovered_label")),
        ], trend, i18n.t("chart_readiness_trend_title"), "stations_readiness_trend_table")

st.markdown(f"**{i18n.t('section_readiness_breakdown')}**")
breakdown = data.run("stations/readiness_breakdown", **f.scope)
if breakdown.height:
    left, right = st.columns(2)
    left.vega_lite_chart(figures.readiness_bars_vega(breakdown, "district", i18n.t("chart_readiness_by_district"), lang),
                      key="stations_readiness_by_district")
    right.vega_lite_chart(figures.readiness_bars_vega(breakdown, "station_type", i18n.t("chart_readiness_by_type"), lang),
                       key="stations_readiness_by_type")
    for dimension, col in (("district", "col_district"), ("station_type", "col_station_type")):
        part = breakdown.filter(pl.col("dimension") == dimension)
        show([
            Column(i18n.t(col), "code", labels=dimension),
            Column(i18n.t("col_stations"), "stations_in_service", COUNT),
            Column(i18n.t("col_compliant_count"), "compliant", COUNT),
            Column(i18n.t("col_compliant_rate"), "compliant_rate", RATE),
            Column(i18n.t("col_mean_score"), "mean_score", RATE),
        ], part, f"{i18n.t('section_readiness_breakdown')}_{i18n.t(col)}", f"stations_readiness_{dimension}_table")

st.markdown(f"**{i18n.t('section_by_check')}**")
by_check = data.run("stations/readiness_by_check", **f.scope)
show([
    Column(i18n.t("col_check"), lambda r: i18n.t(f"check_{r['check_code']}")),
    Column(i18n.t("col_checked"), "stations_checked", COUNT),
    Column(i18n.t("col_failing"), "stations_failing", COUNT),
], by_check, i18n.t("section_by_check"), "stations_by_check")

# ---- register -------------------------------------------------------------------
st.subheader(i18n.t("section_register"))
register = data.run("stations/register", **f.scope)
c1, c2, c3 = st.columns([2, 1, 1])
search = c1.text_input(i18n.t("register_search"), key="register_search").strip()
only_in_service = c2.toggle(i18n.t("only_in_service"), value=True, key="register_in_service")
only_short = c3.toggle(i18n.t("only_not_compliant"), value=False, key="register_not_compliant")
if only_in_service:
    register = register.filter(pl.col("in_service"))
if only_short:
    register = register.filter(~pl.col("is_compliant"))
if search:
    needle = search.lower()
    register = register.filter(pl.any_horizontal(
        pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
        for c in ("station_id", "station_name", "street", "host_venue")))
if register.height == 0:
    st.info(i18n.t("no_stations"))
else:
    sep = "；" if lang == "zh" else "; "
    link_query = filters.to_query(f)
    st.caption(i18n.t("register_count", n=f"{register.height:,}"))
    searched = [(i18n.t("register_search"), search),
                (i18n.t("only_in_service"), i18n.t("yes" if only_in_service else "no")),
                (i18n.t("only_not_compliant"), i18n.t("yes" if only_short else "no"))]
    show([
        Column(i18n.t("col_station_id"), "station_id"),
        Column(i18n.t("col_station_name"), "station_name"),
        Column(i18n.t("col_station_type"), "station_type", labels="station_type"),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_street"), "street"),
        Column(i18n.t("col_host_venue"), "host_venue"),
        Column(i18n.t("col_opened_on"), "opened_on", DATE),
        Column(i18n.t("col_in_service_flag"), lambda r: bool(r["in_service"])),
        Column(i18n.t("col_staff"), "staff_count", COUNT),
        Column(i18n.t("col_vehicles"), "vehicle_count", COUNT),
        Column(i18n.t("col_readiness"), "readiness_score", RATE, digits=0),
        Column(i18n.t("col_compliant"), lambda r: bool(r["is_compliant"])),
        Column(i18n.t("col_shortfalls"), lambda r: sep.join(i18n.shortfall(s) for s in (r["shortfalls"] or []))),
        Column(i18n.t("col_last_counted"), "last_counted_on", DATE),
        Column(i18n.t("col_station_page"), lambda r: "station?" + urlencode({"station": r["station_id"], **link_query}),
               LINK, link_text=i18n.t("link_open")),
    ], register, i18n.t("section_register"), "stations_register",
        extra=[(label, value) for label, value in searched if value],
        column_config={
            i18n.t("col_readiness"): st.column_config.ProgressColumn(min_value=0, max_value=1, format="percent"),
            i18n.t("col_shortfalls"): st.column_config.TextColumn(width="large"),
        })
