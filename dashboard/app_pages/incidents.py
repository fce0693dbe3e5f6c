"""警情 Incidents: the incidents behind any figure, and one incident's timeline on one axis and on the map.

Reached from a chart or table of the Response times page, or from a shared link: the shared
filters, plus the URL's group filters (incident_type, channel, station, weekday, hour, week,
min_s/max_s, outcome, exception; see dashboard.drilldown), pick the list; `?incident=JQ…`
opens that incident's timeline.
Named queries: response/rules, incidents/stations, incidents/list, incidents/timeline.
"""

import dataclasses

import streamlit as st

from dashboard import data, drilldown, export, i18n, maps, plain, response_text, sections
from dashboard.filters import current
from emss import figures, tables
from emss.tables import COUNT, DATETIME, DURATION, LINK, Column

QUERIES = ["response/rules", "incidents/stations", "incidents/list", "incidents/timeline"]

f = current()
lang = f.lang
sections.header("incidents_title", f, QUERIES)
st.caption(response_text.clock_caption(data.run("response/rules")))
type_choices, channel_choices = data.choices("incident_type"), data.choices("channel")
drill = drilldown.Drill.from_query(st.query_params.to_dict(),
                                   {"incident_type": type_choices, "channel": channel_choices})
back = drilldown.way_back(f, drill)
if back:  # came from a figure or a table: the way back, with the same filters
    page_file, title_key, back_params = back
    st.page_link(page_file, label=i18n.t("back_to", page=i18n.t(title_key)), query_params=back_params)


def clock_word(rule: str | None) -> str:
    return i18n.t(f"clock_short_{rule}") if rule else i18n.DASH


# ---- the group filters, seeded from the URL; a change is written back to it ----------
responded = data.run("incidents/stations", **f.period)
station_names = dict(zip(responded["station_id"].to_list(), responded["station_name"].to_list()))
station_options = sorted(set(station_names) | set(drill.stations))
c1, c2, c3, c4, c5 = st.columns([3, 2, 3, 2, 2])
incident_types = c1.multiselect(
    i18n.t("group_incident_type"), type_choices, default=list(drill.incident_types),
    format_func=lambda c: i18n.label("incident_type", c, lang), placeholder=i18n.t("all"), key=f"incidents_types_{lang}",
    select_all=False)
channels = c2.multiselect(
    i18n.t("group_channel"), channel_choices, default=list(drill.channels),
    format_func=lambda c: i18n.label("channel", c, lang), placeholder=i18n.t("all"), key=f"incidents_channels_{lang}",
    select_all=False)
stations = c3.multiselect(
    i18n.t("group_station"), station_options, default=list(drill.stations),
    format_func=lambda s: f"{station_names.get(s) or s} ({s})", placeholder=i18n.t("all"),
    help=i18n.t("station_filter_help"), key=f"incidents_stations_{lang}", select_all=False)
outcomes = (None, *drilldown.OUTCOMES)
outcome = c4.selectbox(i18n.t("outcome"), outcomes, index=outcomes.index(drill.outcome),
                       format_func=lambda o: i18n.text(f"outcome_{o}" if o else "all", lang),
                       key=f"incidents_outcome_{lang}")
exceptions = (None, *drilldown.EXCEPTIONS)
exception = c5.selectbox(i18n.t("exception_kind"), exceptions, index=exceptions.index(drill.exception),
                         format_func=lambda e: i18n.text(f"exception_short_{e}" if e else "all", lang),
                         key=f"incidents_exception_{lang}")

chosen = dataclasses.replace(drill, incident_types=tuple(incident_types), channels=tuple(channels),
                             stations=tuple(stations), outcome=outcome, exception=exception)
# What a chart narrowed the list by (a weekday and hour, a week, a time range): said, and removable.
narrowed = []
if chosen.call_weekday is not None:
    narrowed.append(i18n.t(f"weekday_{chosen.call_weekday}"))
if chosen.call_hour is not None:
    narrowed.append(i18n.t("hour_of_day", hour=chosen.call_hour))
if chosen.week_start is not None:
    narrowed.append(i18n.t("week_of", week=chosen.week_start.isoformat()))
if chosen.min_response_s is not None or chosen.max_response_s is not None:
    narrowed.append(i18n.t("response_range", lo=i18n.fmt_duration(chosen.min_response_s or 0),
                           hi=i18n.fmt_duration(chosen.max_response_s) if chosen.max_response_s is not None else "∞"))
if narrowed:
    left, right = st.columns([5, 1])
    left.caption(i18n.t("narrowed_by", what=" · ".join(narrowed)))
    if right.button(i18n.t("clear_narrowing"), key="incidents_clear"):
        chosen = dataclasses.replace(chosen, call_weekday=None, call_hour=None, week_start=None,
                                     min_response_s=None, max_response_s=None)

if chosen.to_query() != drill.to_query():
    for key in drill.to_query():
        del st.query_params[key]
    st.query_params.update(chosen.to_query())

# ---- the list ----------------------------------------------------------------------
incidents = data.run("incidents/list", **f.period, **chosen.list_params())
matched = int(incidents["matched"][0]) if incidents.height else 0
st.subheader(i18n.t("section_incident_list"))
st.caption(i18n.t("incident_list_count", matched=f"{matched:,}", shown=f"{incidents.height:,}")
           if matched > incidents.height else i18n.t("incident_list_all", matched=f"{matched:,}"))
if incidents.height:
    table = tables.build(incidents, [
        Column(i18n.t("col_incident_id"), "incident_id"),
        Column(i18n.t("col_call_at"), "call_at", DATETIME),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_incident_type"), "incident_type", labels="incident_type"),
        Column(i18n.t("col_channel"), "channel", labels="channel"),
        Column(i18n.t("col_first_station"), lambda r: r["first_station_name"] or r["first_station_id"]),
        Column(i18n.t("col_stations_sent"), "station_count", COUNT),
        Column(i18n.t("col_incident_response"), "response_s", DURATION),  # sorts as a number
        Column(i18n.t("col_target_met"), "is_within_target"),  # yes / no, a dash when it cannot be judged
        Column(i18n.t("col_call_processing"), "call_processing_s", DURATION),
        Column(i18n.t("col_turnout"), "turnout_s", DURATION),
        Column(i18n.t("col_travel"), "travel_s", DURATION),
        Column(i18n.t("col_clock_start"), lambda r: clock_word(r["clock_start_rule"])),
        Column(i18n.t("col_timeline"), lambda r: drilldown.link(f, chosen.to_query() | {"incident": r["incident_id"]}),
               LINK, link_text=i18n.t("open_timeline")),
    ], lang)
    # a selected row opens its timeline below; the link column opens it in a new tab
    event = export.show(table, i18n.t("section_incident_list"), "incidents_list", downloads=False,
                        on_select="rerun", selection_mode="single-row")
    rows = event.selection["rows"] if event and "selection" in event else []
    if rows:
        picked = incidents["incident_id"][rows[0]]
        if picked != chosen.incident:
            chosen = dataclasses.replace(chosen, incident=picked)
            st.query_params["incident"] = picked
    sep = "、" if lang == "zh" else ", "
    chosen_filters = [
        (i18n.t("group_incident_type"), sep.join(i18n.label("incident_type", c) for c in chosen.incident_types)),
        (i18n.t("group_channel"), sep.join(i18n.label("channel", c) for c in chosen.channels)),
        (i18n.t("group_station"), sep.join(chosen.stations)),
        (i18n.t("outcome"), i18n.t(f"outcome_{chosen.outcome}") if chosen.outcome else ""),
        (i18n.t("exception_kind"), i18n.t(f"exception_short_{chosen.exception}") if chosen.exception else ""),
        (i18n.t("narrowed_by", what="").rstrip("：: "), " · ".join(narrowed)),
    ]
    export.download_buttons(table, i18n.t("section_incident_list"), "incidents_list",
                            extra=[(label, value) for label, value in chosen_filters if value])
    st.caption(i18n.t("incident_list_help"))
else:
    st.info(i18n.t("no_incidents_matched"))

# ---- one incident: its timeline and its map --------------------------------------------
if chosen.incident:
    timeline = data.run("incidents/timeline", incident_id=chosen.incident)
    # the incident number comes from the URL or the data: shown as text, never markdown
    st.subheader(i18n.t("section_timeline", incident=plain.md(chosen.incident)))
    if timeline.height == 0:
        st.warning(i18n.t("timeline_not_found", incident=plain.md(chosen.incident)))
        st.stop()
    first = timeline.row(0, named=True)
    met = first["is_within_target"]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(i18n.t("kpi_incident_response"), i18n.fmt_duration(first["response_s"]), border=True,
              delta=None if met is None else i18n.t("target_met") if met else i18n.t("target_missed"),
              delta_color="normal" if met else "inverse", delta_arrow="off")
    c2.metric(i18n.t("kpi_incident_clock"), clock_word(first["clock_start_rule"]), border=True,
              help=i18n.t("kpi_incident_clock_help"))
    c3.metric(i18n.t("kpi_incident_stations"), f"{timeline['arrive_at'].is_not_null().sum()} / {timeline.height}",
              border=True, help=i18n.t("kpi_incident_stations_help"))
    c4.metric(i18n.t("kpi_incident_full"), i18n.fmt_duration(first["full_response_s"]), border=True)
    st.caption(i18n.t("incident_caption", type=plain.md(i18n.label("incident_type", first["incident_type"])),
                      channel=plain.md(i18n.label("channel", first["channel"])),
                      district=plain.md(i18n.label("district", first["district"])),
                      address=plain.md(first["address"] or i18n.DASH), call=f"{first['call_at']:%Y-%m-%d %H:%M:%S}",
                      target=i18n.fmt_duration(first["target_s"])))
    if first["refused_responses"]:
        st.warning(i18n.t("timeline_refused", n=first["refused_responses"]))
    st.vega_lite_chart(figures.incident_timeline_vega(timeline, lang), key="incident_timeline")
    st.pydeck_chart(maps.incident_map(timeline, lang), height=420, key="incident_map")
    responses = tables.build(timeline, [
        Column(i18n.t("col_arrival_rank"), "arrival_rank", COUNT),
        Column(i18n.t("col_station_name"), lambda r: r["station_name"] or r["station_id"]),
        Column(i18n.t("col_dispatch_at"), "dispatch_at", DATETIME),
        Column(i18n.t("col_depart_at"), "depart_at", DATETIME),
        Column(i18n.t("col_arrive_at"), "arrive_at", DATETIME),
        Column(i18n.t("col_clear_at"), "clear_at", DATETIME),
        Column(i18n.t("col_turnout"), "turnout_s", DURATION),
        Column(i18n.t("col_travel"), "travel_s", DURATION),
        Column(i18n.t("col_total"), "total_s", DURATION),
        Column(i18n.t("col_vehicles"), "vehicles_sent", COUNT),
        Column(i18n.t("col_still_out"), lambda r: bool(r["is_concurrent"])),
    ], lang)
    export.show(responses, chosen.incident, "incident_responses", filtered_by=export.UNFILTERED)
