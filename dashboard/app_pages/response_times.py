"""响应时间 Response times: is the 5-minute promise kept, where is it missed, and in which phase.

Named queries: response/kpi, response/rules, response/exclusions, response/by_group, response/histogram,
response/weekly_trend, response/ecdf, response/hour_weekday, response/league_period, response/station_league,
incidents/exceptions.
Every chart and table leads to the incidents behind it (the Incidents page, see dashboard.drilldown):
click a bar, a line or a cell, or follow a table row's link.
"""

import dataclasses

import polars as pl
import streamlit as st

from dashboard import data, drilldown, export, filters, i18n, response_text, sections
from dashboard.filters import current
from emss import figures, tables
from emss.tables import COUNT, DURATION, LINK, NUMBER, RATE, Column

QUERIES = ["response/kpi", "response/rules", "response/exclusions", "response/by_group", "response/histogram",
           "response/weekly_trend", "response/ecdf", "response/hour_weekday", "response/league_period",
           "response/station_league", "incidents/exceptions"]
GROUPS = ("district", "incident_type", "station_type", "channel", "station")
EXCEPTION_KINDS = ("long_turnout", "long_travel", "very_long_total", "no_arrival", "response_without_arrival",
                   "refused:order")

f = current()
lang = f.lang
sections.header("response_title", f, QUERIES)


def open_incidents(extra: dict[str, str]) -> None:
    """Go to the incidents behind a figure: the shared filters narrowed by `extra`."""
    filters.narrow(drilldown.narrowed(f, extra))  # a district or type drill narrows the sidebar too
    st.switch_page(drilldown.PAGE_FILE, query_params=drilldown.params(f, extra, "response"))


def follow(event) -> None:
    """A click on a bar, a line or a cell opens the incidents behind it (its chart's `drill` selection)."""
    points = (event.selection.get(figures.DRILL) or []) if event and "selection" in event else []
    for point in points:
        extra = figures.from_point(point)
        if extra:
            open_incidents(extra)


def with_change(table: tables.Table, groups: pl.DataFrame) -> tables.Table:
    """The by-group table with, before its note, the rate's change against the previous period of the same
    length in percentage points (response/by_group: only where both periods hold enough timed arrivals)."""
    column = Column(i18n.t("col_rate_change"), kind=tables.NUMBER, digits=1, signed=True,
                    help=i18n.t("col_rate_change_help"))
    at = table.labels.index(i18n.t("col_note"))
    frame = table.frame.clone().insert_column(at, groups["within_target_rate_change_pts"].alias(column.label))
    return dataclasses.replace(table, columns=table.columns[:at] + (column,) + table.columns[at:], frame=frame)


kpi = data.one("response/kpi", **f.period)
if not kpi or int(kpi["incidents"] or 0) == 0:
    st.info(i18n.t("no_incidents", start=f.start.isoformat(), end=f.end.isoformat()))
    st.stop()

rules = data.run("response/rules")
# the target the scope's incidents were judged by when they share one, else the warehouse's default
target_s = int(kpi["target_s"] or data.response_rules().default_target_s)
st.caption(response_text.clock_caption(rules))

# ---- the headline figures: the rate always with its count and fractiles --------------
row = sections.tile_row()
row.metric(i18n.t("kpi_rate"), i18n.fmt_pct(kpi["within_target_rate"]), help=i18n.t("kpi_rate_help"), border=True,
           delta=i18n.t("rate_count", within=i18n.fmt_int(kpi["within_target"]), n=i18n.fmt_int(kpi["timed"])),
           delta_color="off", delta_arrow="off")
row.metric(i18n.t("kpi_p50"), i18n.fmt_duration(kpi["p50_response_s"]), border=True)
row.metric(i18n.t("kpi_p90"), i18n.fmt_duration(kpi["p90_response_s"]), help=i18n.t("kpi_p90_help"), border=True)
row.metric(i18n.t("kpi_without_arrival"), i18n.fmt_int(kpi["without_arrival"]), border=True,
           help=i18n.t("kpi_without_arrival_help"))
force = response_text.full_force(kpi["full_response_count"], kpi["full_response_measure"])
row = sections.tile_row()
row.metric(i18n.t("kpi_full_p50"), i18n.fmt_duration(kpi["p50_full_response_s"]), border=True,
           help=i18n.t("kpi_full_help", force=force))
row.metric(i18n.t("kpi_full_p90"), i18n.fmt_duration(kpi["p90_full_response_s"]), border=True,
           help=i18n.t("kpi_full_help", force=force))
row.metric(i18n.t("kpi_full_count"), i18n.fmt_int(kpi["full_response_assembled"]), border=True,
           delta=i18n.t("of_incidents", n=i18n.fmt_int(kpi["incidents"])), delta_color="off", delta_arrow="off",
           help=i18n.t("kpi_full_count_help", force=force))
row.metric(i18n.t("kpi_full_within"), i18n.fmt_int(kpi["full_response_within_target"]), border=True,
           help=i18n.t("kpi_full_within_help", force=force))
if kpi["is_small_sample"]:
    st.warning(i18n.t("small_sample", n=kpi["timed"], min=kpi["min_sample"]))

# ---- what the figures leave out, and why ----------------------------------------------
exclusions = data.run("response/exclusions", **f.period)
with st.container(border=True):
    st.markdown(f"**{i18n.t('section_exclusions')}**")
    st.markdown("\n".join(f"- {line}" for line in response_text.exclusion_lines(exclusions, kpi)) or i18n.t("nothing_excluded"))

if int(kpi["timed"] or 0) == 0:
    st.info(i18n.t("no_arrivals"))
    st.stop()

# ---- the answer: where is the target missed most, and in which phase ------------------
st.subheader(i18n.t("section_findings"))
for col, dimension in zip(st.columns(2), ("district", "incident_type")):
    groups = data.run("response/by_group", **f.period, group_by=dimension)
    with col:
        st.markdown(response_text.worst_group_text(groups, dimension))
        judged = groups.filter(~pl.col("is_small_sample"))
        if judged.height and st.button(i18n.t("open_beyond_incidents"), key=f"response_worst_{dimension}"):
            open_incidents(figures.group_query(dimension, judged["group_code"][0]) | {"outcome": "beyond"})

# ---- distribution and trend --------------------------------------------------------------
histogram = data.run("response/histogram", **f.period)
follow(st.vega_lite_chart(figures.response_histogram_vega(histogram, lang, target_s), key="response_histogram",
                          on_select="rerun", selection_mode=figures.DRILL))
trend = data.run("response/weekly_trend", **f.period)
left, right = st.columns(2)
with left:
    follow(st.vega_lite_chart(figures.weekly_rate_vega(trend, f.start, f.end, lang, drillable=True),
                              key="response_weekly_rate", on_select="rerun", selection_mode=figures.DRILL))
with right:
    follow(st.vega_lite_chart(figures.weekly_p90_vega(trend, f.start, f.end, lang, target_s, drillable=True),
                              key="response_weekly_p90", on_select="rerun", selection_mode=figures.DRILL))
st.caption(i18n.t("click_to_drill"))

# Each section below with a selector of its own is a fragment: changing its selector reruns that
# section only, not the page's figures above it.

# ---- split by group: the table, which phase eats the time, the cumulative curves -----------
@st.fragment
def by_group_section() -> None:
    st.subheader(i18n.t("section_by_group"))
    dimension = st.selectbox(i18n.t("group_by"), GROUPS, key=f"response_group_{lang}",
                             format_func=lambda d: i18n.text(f"group_{d}", lang))
    by_group = data.run("response/by_group", **f.period, group_by=dimension)
    export.show(with_change(response_text.by_group_table(by_group, dimension, f, lang), by_group),
                f"{i18n.t('section_by_group')}_{i18n.t(f'group_{dimension}')}", "response_by_group")
    st.caption(i18n.t("by_group_caption", min=kpi["min_sample"]) + " "
               + i18n.t("rate_change_caption", days=f.days, min=kpi["min_sample"]))

    follow(st.vega_lite_chart(figures.phase_bars_vega(by_group, dimension, lang, target_s), key="response_phases",
                              on_select="rerun", selection_mode=figures.DRILL))
    st.caption(i18n.t("phase_caption", n=figures.MAX_PHASE_GROUPS))
    overall_ecdf = data.run("response/ecdf", **f.period)
    group_ecdf = None if dimension == "station" else data.run("response/ecdf", **f.period, group_by=dimension)
    follow(st.vega_lite_chart(figures.response_ecdf_vega(overall_ecdf, group_ecdf, dimension, lang, target_s),
                              key="response_ecdf", on_select="rerun", selection_mode=figures.DRILL))


# ---- when: weekday by hour ----------------------------------------------------------------
@st.fragment
def when_section() -> None:
    st.subheader(i18n.t("section_grid"))
    metric = st.radio(i18n.t("grid_metric"), ("rate", "p90"), format_func=lambda m: i18n.text(f"grid_metric_{m}", lang),
                      horizontal=True, key=f"response_grid_metric_{lang}")
    grid = data.run("response/hour_weekday", **f.period)
    follow(st.vega_lite_chart(figures.hour_weekday_grid_vega(grid, metric, lang, target_s), key="response_grid",
                              on_select="rerun", selection_mode=figures.DRILL))


# ---- station league table, worst first ---------------------------------------------------
# Ranked only over a period long enough for the median station to reach the minimum sample (response/
# league_period), unless asked to use the page's period; stations below the minimum are not ranked.
@st.fragment
def league_section() -> None:
    st.subheader(i18n.t("section_league"))
    span = data.one("response/league_period", **f.period)
    left, right = st.columns(2)
    page_period = left.toggle(i18n.t("league_page_period"), value=False, key="response_league_page_period",
                              help=i18n.t("league_page_period_help", min=kpi["min_sample"]))
    hide_small = right.toggle(i18n.t("league_hide_small"), value=False, key="response_league_hide_small",
                              help=i18n.t("league_hide_small_help", min=kpi["min_sample"]))
    league_period = dict(f.period)
    if not page_period and span:
        league_period |= {"start_date": span["start_date"], "end_date": span["end_date"]}
        words = {"weeks": span["weeks"], "min": span["min_sample"], "page_median": i18n.fmt_int(span["page_median_timed"]),
                 "median": i18n.fmt_int(span["median_timed"]), "start": span["start_date"].isoformat(),
                 "end": span["end_date"].isoformat()}
        if not span["is_reached"]:
            st.warning(i18n.t("league_period_not_reached", **words))
        elif span["is_widened"]:
            st.info(i18n.t("league_period_widened", **words))
    league = data.run("response/station_league", **league_period)
    league_filters = dataclasses.replace(f, start=league_period["start_date"], end=league_period["end_date"])
    small = league.filter(pl.col("is_small_sample")).height
    if hide_small:
        league = league.filter(~pl.col("is_small_sample"))
    export.show(tables.build(league, [
        Column(i18n.t("col_league_rank"), "league_rank", COUNT),
        Column(i18n.t("col_station_id"), "station_id"),
        Column(i18n.t("col_station_name"), "station_name"),
        Column(i18n.t("col_league_sample"), "timed", COUNT, help=i18n.t("col_league_sample_help")),
        Column(i18n.t("col_rate"), "within_target_rate", RATE),
        Column(i18n.t("col_wilson_low"), "within_target_low", RATE, help=i18n.t("col_wilson_help")),
        Column(i18n.t("col_wilson_high"), "within_target_high", RATE, help=i18n.t("col_wilson_help")),
        Column(i18n.t("col_within_of"), lambda r: f"{int(r['within_target']):,} / {int(r['timed']):,}"),
        Column(i18n.t("col_station_type"), "station_type", labels="station_type"),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_first_incidents"), "incidents", COUNT),
        Column(i18n.t("tbl_col_p90_response"), "p90_response_s", DURATION),
        Column(i18n.t("tbl_col_p90_turnout"), "p90_turnout_s", DURATION),
        Column(i18n.t("tbl_col_p90_travel"), "p90_travel_s", DURATION),
        Column(i18n.t("col_responses"), "responses", COUNT),
        Column(i18n.t("col_busy_h"), lambda r: int(r["busy_s"]) / 3600, NUMBER, digits=1),
        Column(i18n.t("col_concurrent"), "concurrent_responses", COUNT),
        Column(i18n.t("col_note"), lambda r: i18n.t("note_small") if r["is_small_sample"] else ""),
        Column(i18n.t("tbl_col_incident_link"),
               lambda r: drilldown.link(league_filters, figures.group_query("station", r["station_id"]), "response"),
               LINK, link_text=i18n.t("open_incidents")),
    ], lang), i18n.t("section_league"), "response_league",
        extra=[(i18n.t("league_period_label"), f"{league_period['start_date']} – {league_period['end_date']}")])
    st.caption(i18n.t("league_caption", min=kpi["min_sample"]) + " " + i18n.t("league_rank_caption", min=kpi["min_sample"])
               + (" " + i18n.t("league_hidden", n=small) if hide_small and small else ""))


# ---- exceptions for follow-up -------------------------------------------------------------
# On screen the longest of a kind, as the incident list shows the slowest; the downloads hold them all.
EXCEPTIONS_SHOWN = 1000


@st.fragment
def exceptions_section() -> None:
    st.subheader(i18n.t("section_exceptions"))
    kind = st.selectbox(i18n.t("exception_kind"), EXCEPTION_KINDS, key=f"response_exception_kind_{lang}",
                        format_func=lambda k: response_text.exception_label(k, rules, lang))
    exceptions = data.run("incidents/exceptions", **f.period, kinds=[kind])
    shown = exceptions.head(EXCEPTIONS_SHOWN)
    st.caption(i18n.t("exception_count_shown", n=f"{exceptions.height:,}", shown=f"{shown.height:,}")
               if exceptions.height > shown.height else i18n.t("exception_count", n=f"{exceptions.height:,}"))
    if exceptions.height:
        columns = [
            Column(i18n.t("col_incident_id"), "incident_id"),
            Column(i18n.t("col_station_name"), lambda r: r["station_name"] or r["station_id"]),
            Column(i18n.t("col_call_at"), "call_at", tables.DATETIME),
            Column(i18n.t("col_district"), "district", labels="district"),
            Column(i18n.t("col_incident_type"), "incident_type", labels="incident_type"),
            Column(i18n.t("col_exception_value"), "value_s", DURATION),
            Column(i18n.t("col_refused_row"), lambda r: f"{r['source_file']} #{r['source_row']}" if r["source_file"] else ""),
            Column(i18n.t("col_message"), lambda r: r["message"] or ""),
            Column(i18n.t("col_timeline"),
                   lambda r: drilldown.link(f, {"incident": r["incident_id"]}, "response") if r["incident_id"] else None,
                   LINK, link_text=i18n.t("open_timeline")),
        ]
        name = response_text.exception_label(kind, rules)
        export.show(tables.build(shown, columns, lang), name, "response_exceptions", downloads=False)
        export.download_buttons(lambda: tables.build(exceptions, columns, lang), name, "response_exceptions",
                                extra=[(i18n.t("exception_kind"), name)])


by_group_section()
when_section()
league_section()
exceptions_section()
