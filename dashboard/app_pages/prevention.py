"""事前预防 Prevention: the stations' work before the call against the standard (emss/standard.toml
[prevention]): safety patrols, hazards found and rectified, outreach, drills and training, the
convenience desks, and whether streets that patrol more see fewer fires the next quarter.

Named queries: prevention/rectification_on_time, prevention/overdue_hazards,
prevention/patrols_per_station_week, prevention/hazard_rate, prevention/outreach_reach, prevention/drills,
prevention/drills_by_discipline, prevention/training, prevention/desk_services, prevention/payoff,
prevention/standard.
"""

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from dashboard import data, export, filters, i18n, sections
from dashboard.filters import current
from emss import figures, tables
from emss.tables import COUNT, DATE, LINK, NUMBER, POPULATION, RATE, Column

QUERIES = ["prevention/rectification_on_time", "prevention/overdue_hazards", "prevention/patrols_per_station_week",
           "prevention/hazard_rate", "prevention/outreach_reach", "prevention/drills", "prevention/drills_by_discipline",
           "prevention/training", "prevention/desk_services", "prevention/payoff", "prevention/standard"]
MAJOR = "serious"  # 重大隐患: the level the Overview and the tiles count apart

f = current()
lang = f.lang
sections.header("prevention_title", f, QUERIES)
year = f.end.year  # drills and training are judged by quarter and year: the year of the period's last day


def show(columns: list[Column], rows: pl.DataFrame, name: str, key: str, *, filtered_by: str = export.PERIOD,
         **options: object) -> None:
    export.show(tables.build(rows, columns, lang), name, key, filtered_by=filtered_by, **options)


def station_link(station_id: str) -> str:
    return "station?" + urlencode({"station": station_id, **filters.to_query(f)})


def type_label(r: dict) -> str:
    return i18n.label("station_type", r["station_type"])


def discipline_label(r: dict) -> str:
    return i18n.label("discipline", r["discipline"])


rectification = data.run("prevention/rectification_on_time", **f.period)
overdue = data.run("prevention/overdue_hazards", as_of=f.end, **f.scope)
patrols = data.run("prevention/patrols_per_station_week", **f.period)
reach = data.run("prevention/outreach_reach", start_date=f.start, end_date=f.end, districts=list(f.districts))

# ---- the tiles --------------------------------------------------------------------------------
total = rectification.filter(pl.col("is_total")).row(0, named=True) if rectification.height else {}
major_overdue = overdue.filter(pl.col("level") == MAJOR).height
judged = patrols.filter(pl.col("patrols_per_week").is_not_null())
meeting = judged.filter(pl.col("meets_standard")).height
population = int(reach["population"].fill_null(0).sum()) if reach.height else 0
reached = int(reach["people_reached"].sum()) if reach.height else 0
row = sections.tile_row()
row.metric(i18n.t("prevention_kpi_on_time"), i18n.fmt_pct(total.get("on_time_rate")), border=True,
           delta=i18n.t("prevention_kpi_on_time_count", on_time=i18n.fmt_int(total.get("on_time")),
                        due=i18n.fmt_int(total.get("due"))),
           delta_color="off", delta_arrow="off", help=i18n.t("prevention_kpi_on_time_help"))
row.metric(i18n.t("prevention_kpi_major_overdue"), i18n.fmt_int(major_overdue), border=True,
           delta=i18n.t("prevention_kpi_all_overdue", n=i18n.fmt_int(overdue.height)),
           delta_color="off", delta_arrow="off",
           help=i18n.t("prevention_kpi_major_overdue_help", date=i18n.fmt_date(f.end)))
row.metric(i18n.t("prevention_kpi_patrol_share"), i18n.fmt_pct(meeting / judged.height if judged.height else None),
           border=True, delta=i18n.t("prevention_kpi_stations_of", n=i18n.fmt_int(meeting),
                                     total=i18n.fmt_int(judged.height)),
           delta_color="off", delta_arrow="off", help=i18n.t("prevention_kpi_patrol_share_help"))
row.metric(i18n.t("prevention_kpi_reach"),
           i18n.DASH if not population else f"{10000 * reached / population:,.1f}", border=True,
           delta=i18n.t("prevention_kpi_people", n=i18n.fmt_int(reached)), delta_color="off", delta_arrow="off",
           help=i18n.t("prevention_kpi_reach_help"))

# ---- patrols against the standard -------------------------------------------------------------
st.subheader(i18n.t("section_prevention_patrols"))
if patrols.height == 0:
    st.info(i18n.t("no_stations"))
else:
    st.vega_lite_chart(figures.patrol_histogram_vega(patrols, lang), key="prevention_patrols_chart")
    show([
        Column(i18n.t("col_station_id"), "station_id"),
        Column(i18n.t("col_station_name"), "station_name"),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_street"), "street"),
        Column(i18n.t("col_station_type"), type_label),
        Column(i18n.t("col_patrols"), "patrols", COUNT),
        Column(i18n.t("col_places_visited"), "places_visited", COUNT),
        Column(i18n.t("col_weeks_open"), "weeks_open", NUMBER, digits=1),
        Column(i18n.t("prevention_patrols_per_week"), "patrols_per_week", NUMBER, digits=2),
        Column(i18n.t("prevention_patrol_standard"), "standard_per_week", NUMBER, digits=0),
        Column(i18n.t("col_standard_met"), lambda r: None if r["meets_standard"] is None else
               i18n.t("prevention_meets_standard" if r["meets_standard"] else "prevention_below_standard")),
        Column(i18n.t("col_station_page"), lambda r: station_link(r["station_id"]), LINK, link_text=i18n.t("link_open")),
    ], patrols, i18n.t("section_prevention_patrols"), "prevention_patrols")
    st.caption(i18n.t("prevention_patrols_caption"))

# ---- hazards: by level, on time or overdue; the overdue list ---------------------------------
st.subheader(i18n.t("section_prevention_hazards"))
if int(total.get("due") or 0) == 0:
    st.info(i18n.t("prevention_no_hazards_due"))
else:
    st.vega_lite_chart(figures.hazard_level_bars_vega(rectification, lang), key="prevention_hazard_levels")
show([
    Column(i18n.t("col_hazard_level"), lambda r: i18n.t("total") if r["is_total"] else i18n.label("hazard_level", r["level"])),
    Column(i18n.t("col_due"), "due", COUNT),
    Column(i18n.t("series_on_time"), "on_time", COUNT),
    Column(i18n.t("series_late"), "late", COUNT),
    Column(i18n.t("series_overdue"), "overdue", COUNT),
    Column(i18n.t("series_undated"), "undated", COUNT),
    Column(i18n.t("col_on_time_rate"), "on_time_rate", RATE),
], rectification, i18n.t("section_prevention_hazards"), "prevention_rectification")
st.caption(i18n.t("prevention_hazards_caption"))

hazard_rate = data.run("prevention/hazard_rate", **f.period)
hazard_total = hazard_rate.filter(pl.col("is_total")).row(0, named=True) if hazard_rate.height else {}
if hazard_total:
    st.caption(i18n.t("prevention_hazard_rate_caption",
                      rate=i18n.DASH if hazard_total["hazards_per_1000_places"] is None
                      else f"{float(hazard_total['hazards_per_1000_places']):,.1f}",
                      hazards=i18n.fmt_int(hazard_total["hazards_found"]),
                      places=i18n.fmt_int(hazard_total["places_visited"])))

st.subheader(i18n.t("section_prevention_overdue", date=i18n.fmt_date(f.end)))
if overdue.height == 0:
    st.success(i18n.t("prevention_no_overdue"))
else:
    show([
        Column(i18n.t("col_hazard_id"), "hazard_id"),
        Column(i18n.t("col_hazard_level"), "level", labels="hazard_level"),
        Column(i18n.t("col_due_on"), "due_on", DATE),
        Column(i18n.t("prevention_days_overdue"), "days_overdue", COUNT),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_street"), lambda r: r["street"] or i18n.DASH),
        Column(i18n.t("col_station_id"), "station_id"),
        Column(i18n.t("col_station_name"), lambda r: r["station_name"] or r["station_id"] or i18n.DASH),
        Column(i18n.t("col_hazard_place"), lambda r: r["place"] or i18n.DASH),
        Column(i18n.t("col_place_type"), "place_type", labels="place_type"),
        Column(i18n.t("col_hazard_type"), "hazard_type", labels="hazard_type"),
        Column(i18n.t("col_found_on"), "found_on", DATE),
    ], overdue, i18n.t("section_prevention_overdue", date=i18n.fmt_date(f.end)), "prevention_overdue",
        filtered_by=export.SCOPE)

# ---- outreach by district -------------------------------------------------------------------
st.subheader(i18n.t("section_prevention_outreach"))
if reach.height:
    st.vega_lite_chart(figures.outreach_bars_vega(reach, lang), key="prevention_outreach_chart")
    show([
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_population"), "population", POPULATION),
        Column(i18n.t("col_events"), "events", COUNT),
        Column(i18n.t("outreach_kind_door_to_door"), "door_to_door_events", COUNT),
        Column(i18n.t("outreach_kind_community_event"), "community_events", COUNT),
        Column(i18n.t("outreach_kind_drill"), "drills", COUNT),
        Column(i18n.t("col_people_reached"), "people_reached", COUNT),
        Column(i18n.t("prevention_reach_per_10k"), "reach_per_10k", NUMBER, digits=1),
    ], reach, i18n.t("section_prevention_outreach"), "prevention_outreach")
    st.caption(i18n.t("prevention_outreach_caption"))

# ---- drills and training against the standard -------------------------------------------------
st.subheader(i18n.t("section_prevention_drills", year=year))
drills = data.run("prevention/drills", year=year, **f.scope)
if drills.height:
    show([
        Column(i18n.t("col_quarter"), lambda r: i18n.t("quarter_label", year=r["year"], quarter=r["quarter"])
               + ("" if r["is_complete"] else " " + i18n.t("prevention_under_way"))),
        Column(i18n.t("col_station_type"), type_label),
        Column(i18n.t("col_stations"), "stations", COUNT),
        Column(i18n.t("prevention_drills"), "drills", COUNT),
        Column(i18n.t("axis_drills_per_station"), "drills_per_station", NUMBER, digits=2),
        Column(i18n.t("prevention_drill_standard"), "standard_per_quarter", NUMBER, digits=0),
        Column(i18n.t("col_stations_meeting"), "stations_meeting", COUNT),
        Column(i18n.t("col_share_meeting"), "share_meeting", RATE),
    ], drills, i18n.t("section_prevention_drills", year=year), "prevention_drills", filtered_by=export.SCOPE)
by_discipline = data.run("prevention/drills_by_discipline", year=year, **f.scope)
if by_discipline.height:
    st.vega_lite_chart(figures.drills_by_discipline_bars_vega(by_discipline, lang), key="prevention_drills_chart")
training = data.run("prevention/training", year=year, **f.scope)
if training.height:
    st.vega_lite_chart(figures.training_bars_vega(training, lang), key="prevention_training_chart")
    show([
        Column(i18n.t("col_station_type"), type_label),
        Column(i18n.t("col_discipline"), discipline_label),
        Column(i18n.t("col_stations"), "stations", COUNT),
        Column(i18n.t("col_staff"), "staff", COUNT),
        Column(i18n.t("col_staff_hours"), "staff_hours", NUMBER, digits=0),
        Column(i18n.t("prevention_training_hours"), "hours_per_staff", NUMBER, digits=1),
        Column(i18n.t("prevention_training_standard"), "standard_hours_per_year", NUMBER, digits=0),
        Column(i18n.t("col_hours_to_date"), "standard_hours_to_date", NUMBER, digits=1),
        Column(i18n.t("col_stations_meeting"), "stations_meeting", COUNT),
        Column(i18n.t("col_share_meeting"), "share_meeting", RATE),
    ], training, i18n.t("section_prevention_training", year=year), "prevention_training", filtered_by=export.SCOPE)
st.caption(i18n.t("prevention_drills_caption"))

# ---- the convenience desks ---------------------------------------------------------------------
st.subheader(i18n.t("section_prevention_desk"))
services = data.run("prevention/desk_services", **f.period)
if services.height == 0:
    st.info(i18n.t("prevention_no_services"))
else:
    st.vega_lite_chart(figures.desk_service_bars_vega(services, lang), key="prevention_desk_chart")
    show([
        Column(i18n.t("col_desk_service"), "service", labels="desk_service"),
        Column(i18n.t("prevention_services"), "times_served", COUNT),
        Column(i18n.t("col_stations"), "stations", COUNT),
        Column(i18n.t("col_per_station_week"), "per_station_week", NUMBER, digits=1),
    ], services, i18n.t("section_prevention_desk"), "prevention_desk")

# ---- does it pay off? -----------------------------------------------------------------------------
st.subheader(i18n.t("section_prevention_payoff"))
payoff = data.run("prevention/payoff", districts=list(f.districts))
st.warning(i18n.t("prevention_payoff_caveat"))
if payoff.filter(pl.col("next_quarter_complete")).height == 0:
    st.info(i18n.t("prevention_payoff_none"))
else:
    st.vega_lite_chart(figures.payoff_scatter_vega(payoff, lang), key="prevention_payoff_chart")
    show([
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("col_street"), "street"),
        Column(i18n.t("col_quarter"), lambda r: i18n.t("quarter_label", year=r["year"], quarter=r["quarter"])),
        Column(i18n.t("col_residents_estimated"), "residents_estimated", POPULATION),
        Column(i18n.t("col_patrols"), "patrols", COUNT),
        Column(i18n.t("prevention_patrol_intensity"), "patrols_per_10k", NUMBER, digits=1),
        Column(i18n.t("col_hazards_found"), "hazards_found", COUNT),
        Column(i18n.t("col_hazards_rectified"), "hazards_rectified", COUNT),
        Column(i18n.t("col_overdue_at_quarter_end"), "overdue_at_quarter_end", COUNT),
        Column(i18n.t("col_fires_next_quarter"), "fires_next_quarter", COUNT),
        Column(i18n.t("prevention_fires_next_quarter"), "fires_next_quarter_per_10k", NUMBER, digits=2),
        Column(i18n.t("col_next_quarter_complete"), lambda r: i18n.t("yes") if r["next_quarter_complete"] else ""),
    ], payoff, i18n.t("section_prevention_payoff"), "prevention_payoff", filtered_by=export.SCOPE)
st.caption(i18n.t("prevention_payoff_caption"))

# ---- the standard ---------------------------------------------------------------------------------
STANDARD_DIMENSIONS = {"training_hours": "discipline", "forest_training_hours": "discipline", "rectify_days": "hazard_level"}


def standard_line(r: dict) -> str:
    dimension = STANDARD_DIMENSIONS.get(r["measure"])
    return i18n.t(f"prevention_standard_{r['measure']}", what=i18n.label(dimension, r["key"]) if dimension else "",
                  value=f"{float(r['value']):g}")


with st.expander(i18n.t("section_prevention_standard")):
    st.markdown("\n".join(f"- {standard_line(r)}" for r in data.run("prevention/standard").iter_rows(named=True)))
