"""站点详情 Station: one station's profile, position and neighbours, staff and vehicles, kit on
its latest count, its checks against the standard, and its responses. URL: `station?station=YJ0001`.

Named queries: stations/register, stations/station_profile, stations/neighbours,
inventory/station_stock, stations/station_response, stations/station_weekly, stations/station_incidents,
response/rules (the target line and the smallest sample worth judging), prevention/station,
prevention/overdue_hazards.
"""

from urllib.parse import urlencode

import polars as pl
import streamlit as st

from dashboard import data, drilldown, export, filters, i18n, maps, plain, sections
from dashboard.filters import current
from emss import figures, tables
from emss.tables import COUNT, DATE, DATETIME, DURATION, LINK, Column

QUERIES = ["stations/register", "stations/station_profile", "stations/neighbours", "inventory/station_stock",
           "stations/station_response", "stations/station_weekly", "stations/station_incidents", "response/rules",
           "prevention/station", "prevention/overdue_hazards"]
NEIGHBOURS = 5
# which check of the standard each kind of shortfall belongs to
SHORTFALL_CHECK = {"staff": "staff", "role": "roles", "vehicles": "vehicles", "duty": "duty",
                   "no_count": "mandatory_kit", "mandatory_kit": "mandatory_kit", "forest_kit": "forest_kit",
                   "expired": "in_date"}
ROLES = ("captain", "vice_captain", "communicator", "safety_officer")

f = current()
lang = f.lang
sections.header("station_title", f, QUERIES)


def show(columns: list[Column], rows: pl.DataFrame | list[dict], name: str, key: str, *,
         filtered_by: str = export.UNFILTERED, **options: object) -> None:
    """A table of the station with its downloads (the station's own state: no period or scope, unless said)."""
    export.show(tables.build(rows, columns, lang), name, key, filtered_by=filtered_by,
                extra=[(i18n.t("col_station_id"), station_id)], **options)


def station_link(station_id: str) -> str:
    """A link to a page for one station, carrying the current filters (a new tab starts from the URL)."""
    return "station?" + urlencode({"station": station_id, **filters.to_query(f)})


def number(x: object) -> str:
    """A measure with up to two decimals (2.25, 3, 45.5), a dash when there is none."""
    return i18n.DASH if x is None else f"{round(float(x), 2):,g}"


# ---- which station ---------------------------------------------------------------------
register = data.run("stations/register")
if register.height == 0:
    st.info(i18n.t("station_none"))
    st.stop()
ids = register["station_id"].to_list()
names = dict(zip(ids, register["station_name"].to_list()))
asked = st.query_params.get("station")
if asked and asked not in names:
    st.warning(i18n.t("station_unknown", station=plain.md(asked)))  # a URL parameter: shown as text
station_id = st.selectbox(i18n.t("station_pick"), ids, index=ids.index(asked) if asked in names else 0,
                          format_func=lambda s: f"{s} {names.get(s) or ''}", key="station_pick")
if st.query_params.get("station") != station_id:
    st.query_params["station"] = station_id

p = data.one("stations/station_profile", station=station_id)
# names, places and ids are the registry's, as written: text, never markdown (dashboard.plain)
title, sid = plain.md(p["station_name"] or station_id), plain.md(station_id)
st.subheader(f"{title}（{sid}）" if lang == "zh" else f"{title} ({sid})")
status = (i18n.t("station_closed", date=p["closed_on"].isoformat()) if p["closed_on"] and not p["in_service"]
          else i18n.t("station_in_service"))
st.caption(" · ".join(plain.md(x) for x in (i18n.label("station_type", p["station_type"]),
                                            i18n.label("district", p["district"]), p["street"], p["host_venue"], status)
                      if x))

# ---- headline ---------------------------------------------------------------------------
row = sections.tile_row()
row.metric(i18n.t("kpi_score"), i18n.fmt_pct(p["score"], 0), border=True,
           delta=i18n.t("kpi_score_checks", passed=p["checks_passed"], total=p["checks_total"]),
           delta_color="off", delta_arrow="off")
row.metric(i18n.t("col_staff"), i18n.fmt_int(p["staff_count"]), border=True)
row.metric(i18n.t("col_vehicles"), i18n.fmt_int(p["vehicle_count"]), border=True)
row.metric(i18n.t("kpi_last_count"), p["last_counted_on"].isoformat() if p["last_counted_on"] else i18n.t("count_none"),
           delta=i18n.t("count_age", days=p["count_age_days"]) if p["last_counted_on"] else None,
           delta_color="off", delta_arrow="off", border=True)

# ---- against the standard ---------------------------------------------------------------
st.subheader(i18n.t("section_readiness"))
shortfalls = p["shortfalls"] or []


def items_of(*checks: str) -> list[str]:
    return [(s["item_en"] if lang == "en" and s["item_en"] else s["item"]) for s in shortfalls if s["check"] in checks]


def result(ok: bool | None, applies: bool = True) -> str:
    return i18n.t("result_na") if not applies else i18n.t("result_pass") if ok else i18n.t("result_fail")


sep = "、" if lang == "zh" else ", "


def kit_value(check: str) -> str:
    if not p["last_counted_on"]:
        return i18n.t("count_none")
    short = items_of(check)
    return i18n.t("value_items_short", n=len(short), items=sep.join(short)) if short else i18n.t("value_all_present")


checks = [
    ("staff", i18n.t("std_staff", min=p["staff_min"], max=p["staff_max"]),
     i18n.t("value_people", n=i18n.fmt_int(p["staff_count"])), result(p["staff_ok"])),
    ("roles", i18n.t("std_roles"),
     i18n.t("value_all_present") if p["roles_ok"] else sep.join(items_of("role")), result(p["roles_ok"])),
    ("vehicles", i18n.t("std_vehicles", min=p["vehicles_min"]),
     i18n.t("value_vehicles", n=i18n.fmt_int(p["vehicle_count"])), result(p["vehicles_ok"])),
    ("duty", i18n.t("std_duty"), p["duty_mode"] or i18n.DASH, result(p["duty_ok"])),
    ("mandatory_kit", i18n.t("std_kit"),
     kit_value("mandatory_kit"), result(p["kit_ok"])),
    ("forest_kit", i18n.t("std_kit"),
     kit_value("forest_kit") if p["is_forest"] else i18n.DASH,
     result(p["forest_kit_ok"], applies=bool(p["is_forest"]))),
    ("in_date", i18n.t("std_in_date"),
     sep.join(items_of("expired")) or i18n.t("value_all_present"), result(p["in_date_ok"])),
]
show([
    Column(i18n.t("col_check"), lambda c: i18n.t(f"check_{c[0]}")), Column(i18n.t("col_standard"), lambda c: c[1]),
    Column(i18n.t("col_station_value"), lambda c: c[2]), Column(i18n.t("col_result"), lambda c: c[3]),
], checks, f"{station_id}_{i18n.t('section_readiness')}", "station_checks")

with sections.either_or():
    if shortfalls:
        st.markdown(f"**{i18n.t('station_shortfalls', n=len(shortfalls))}**")
        show([
            Column(i18n.t("col_check"), lambda s: i18n.t(f"check_{SHORTFALL_CHECK[s['check']]}")
                   if s["check"] in SHORTFALL_CHECK else s["check"]),
            Column(i18n.t("col_shortfall"), lambda s: i18n.shortfall(s)),
        ], shortfalls, f"{station_id}_{i18n.t('col_shortfalls')}", "station_shortfalls")
    else:
        st.success(i18n.t("station_compliant"))
    if p["last_counted_on"] and p["is_count_stale"]:
        st.warning(i18n.t("count_stale", days=p["count_age_days"], limit=p["stale_after_days"]))

# ---- profile, position and neighbours ---------------------------------------------------
left, right = st.columns(2)
with left:
    st.markdown(f"**{i18n.t('section_profile')}**")
    yes, no = i18n.t("yes"), i18n.t("no")
    position = (f"{p['lat']:.6f}, {p['lon']:.6f}" if p["lat"] is not None and p["lon"] is not None else i18n.DASH)
    profile = zip([
        i18n.t("col_station_id"), i18n.t("col_station_name"), i18n.t("col_station_type"), i18n.t("col_district"),
        i18n.t("col_street"), i18n.t("col_community"), i18n.t("col_host_venue"), i18n.t("col_opened_on"),
        i18n.t("col_closed_on"), i18n.t("col_duty_mode"), i18n.t("col_forest"), i18n.t("col_position"),
    ], [
        station_id, p["station_name"], i18n.label("station_type", p["station_type"]), i18n.label("district", p["district"]),
        p["street"], p["community"], p["host_venue"], p["opened_on"].isoformat() if p["opened_on"] else None,
        p["closed_on"].isoformat() if p["closed_on"] else None, p["duty_mode"], yes if p["is_forest"] else no, position,
    ])
    show([Column(i18n.t("col_field"), lambda x: x[0]), Column(i18n.t("col_value"), lambda x: x[1])],
         list(profile), f"{station_id}_{i18n.t('section_profile')}", "station_profile", height=35 * 13 + 3)

with right:
    st.markdown(f"**{i18n.t('section_position')}**")
    neighbours = data.run("stations/neighbours", station=station_id, n=NEIGHBOURS)
    if p["lat"] is None or p["lon"] is None:
        st.info(i18n.t("no_position"))
    else:
        deck = maps.station_map(p, station_id, neighbours, lang)
        st.pydeck_chart(deck, height=360, key="station_map")
        st.caption(i18n.t("station_map_caption", n=neighbours.height))
    if neighbours.height:
        show([
            Column(i18n.t("col_station_id"), "station_id"),
            Column(i18n.t("col_distance"), "distance_m", COUNT),
            Column(i18n.t("col_station_page"), lambda r: station_link(r["station_id"]), LINK,
                   link_text=i18n.t("link_open")),
            Column(i18n.t("col_station_type"), "station_type", labels="station_type"),
            Column(i18n.t("col_station_name"), "station_name"),
            Column(i18n.t("col_district"), "district", labels="district"),
        ], neighbours, f"{station_id}_{i18n.t('section_position')}", "station_neighbours")

# ---- staff, roles and vehicles --------------------------------------------------------------
st.subheader(i18n.t("section_staffing"))
staffing = [(i18n.t("role_all_staff"), i18n.t("std_staff", min=p["staff_min"], max=p["staff_max"]),
             p["staff_count"], p["staff_ok"])]
staffing += [(i18n.t(f"role_{role}"), i18n.t("std_role"), p[f"{role}_count"], (p[f"{role}_count"] or 0) >= 1)
             for role in ROLES]
staffing.append((i18n.t("role_vehicles"), i18n.t("std_vehicles", min=p["vehicles_min"]), p["vehicle_count"],
                 p["vehicles_ok"]))
show([
    Column(i18n.t("col_role"), lambda x: x[0]), Column(i18n.t("col_standard"), lambda x: x[1]),
    Column(i18n.t("col_count"), lambda x: x[2], COUNT), Column(i18n.t("col_result"), lambda x: result(x[3])),
], staffing, f"{station_id}_{i18n.t('section_staffing')}", "station_staffing")

# ---- kit and supplies on the latest count ---------------------------------------------------
stock = data.run("inventory/station_stock", station=station_id)
st.subheader(i18n.t("section_kit", date=p["last_counted_on"].isoformat() if p["last_counted_on"] else i18n.DASH))
with sections.either_or():
    if stock.height == 0:
        st.info(i18n.t("count_none"))
    else:
        yes = i18n.t("yes")
        show([
            Column(i18n.t("col_item"), lambda r: r["item_en"] if lang == "en" and r["item_en"] else r["item"]),
            Column(i18n.t("col_category"), "category", labels="item_category"),
            Column(i18n.t("col_kit_item"), "kit_item"),
            Column(i18n.t("col_quantity"), "quantity", COUNT),
            Column(i18n.t("col_required"), "required_quantity", COUNT),
            Column(i18n.t("col_usable"), "usable_quantity", COUNT),
            Column(i18n.t("col_unit"), "unit"),
            Column(i18n.t("col_item_status"), "status", labels="item_status"),
            Column(i18n.t("col_expires_on"), "expires_on", DATE),
            Column(i18n.t("col_days_to_expiry"), "days_to_expiry", COUNT),
            Column(i18n.t("col_short"), lambda r: yes if r["is_short"] else ""),
        ], stock, f"{station_id}_{i18n.t('page_inventory')}", "station_stock")

# ---- prevention: patrols against the standard, hazards, drills and training ---------------
st.subheader(i18n.t("section_station_prevention"))
prevention = data.one("prevention/station", station=station_id, start_date=f.start, end_date=f.end)
with sections.either_or():
    if prevention:
        meets = prevention["meets_patrol_standard"]
        row = sections.tile_row()
        row.metric(i18n.t("prevention_patrols_per_week"),
                   f"{number(prevention['patrols_per_week'])} / {number(prevention['standard_per_week'])}",
                   border=True, delta=i18n.t("station_patrols_delta", n=i18n.fmt_int(prevention["patrols"]),
                                             verdict=i18n.t("prevention_meets_standard" if meets else "prevention_below_standard")
                                             if meets is not None else i18n.DASH),
                   delta_color="off", delta_arrow="off", help=i18n.t("station_patrols_help"))
        row.metric(i18n.t("station_open_hazards"), i18n.fmt_int(prevention["open_hazards"]), border=True,
                   delta=i18n.t("station_overdue_delta", n=i18n.fmt_int(prevention["overdue_hazards"]),
                                serious=i18n.fmt_int(prevention["serious_overdue_hazards"])),
                   delta_color="off", delta_arrow="off", help=i18n.t("station_open_hazards_help", date=i18n.fmt_date(f.end)))
        row.metric(i18n.t("station_drills_quarter"),
                   f"{i18n.fmt_int(prevention['drills_this_quarter'])} / {number(prevention['standard_per_quarter'])}",
                   border=True, delta=i18n.t("station_drills_year", n=i18n.fmt_int(prevention["drills_this_year"])),
                   delta_color="off", delta_arrow="off", help=i18n.t("station_drills_help"))
        row.metric(i18n.t("prevention_training_hours"),
                   f"{number(prevention['training_hours_per_staff'])} / "
                   f"{number(prevention['standard_hours_to_date'])}",
                   border=True, delta=i18n.t("station_training_delta", staff=i18n.fmt_int(prevention["staff"])),
                   delta_color="off", delta_arrow="off", help=i18n.t("station_training_help"))
        overdue = data.run("prevention/overdue_hazards", as_of=f.end, districts=[prevention["district"]],
                           station_types=[prevention["station_type"]]).filter(pl.col("station_id") == station_id)
        if overdue.height:
            show([
                Column(i18n.t("col_hazard_id"), "hazard_id"),
                Column(i18n.t("col_hazard_level"), "level", labels="hazard_level"),
                Column(i18n.t("col_due_on"), "due_on", DATE),
                Column(i18n.t("prevention_days_overdue"), "days_overdue", COUNT),
                Column(i18n.t("col_street"), lambda r: r["street"] or i18n.DASH),
                Column(i18n.t("col_hazard_place"), lambda r: r["place"] or i18n.DASH),
                Column(i18n.t("col_hazard_type"), "hazard_type", labels="hazard_type"),
                Column(i18n.t("col_found_on"), "found_on", DATE),
            ], overdue, f"{station_id}_{i18n.t('prevention_overdue')}", "station_overdue_hazards")

# ---- responses ---------------------------------------------------------------------------
st.subheader(i18n.t("section_station_response"))
st.caption(filters.period_caption(f))
st.markdown(f"[{i18n.t('link_response_page')} →]({drilldown.link(f, {'station': station_id}, 'station')})")  # the Incidents page filters by station
period = {"station": station_id, "start_date": f.start, "end_date": f.end}
kpi = data.one("stations/station_response", **period)
with sections.either_or():
    if not kpi or int(kpi["responses"] or 0) == 0:
        st.info(i18n.t("no_responses", start=f.start.isoformat(), end=f.end.isoformat()))
    else:
        cells = [
            (i18n.t("kpi_responses"), i18n.fmt_int(kpi["responses"]), None),
            (i18n.t("kpi_per_week"), f"{kpi['responses_per_week']:.2f}", None),
            (i18n.t("kpi_first_on_scene"), i18n.fmt_int(kpi["first_on_scene"]), None),
            (i18n.t("kpi_rate"), i18n.fmt_pct(kpi["within_target_rate"]), i18n.t("station_rate_help")),
            (i18n.t("kpi_within_count"), f"{i18n.fmt_int(kpi['within_target'])} / {i18n.fmt_int(kpi['arrived'])}", None),
            (i18n.t("kpi_p90"), i18n.fmt_duration(kpi["p90_response_s"]), i18n.t("kpi_p90_help")),
        ]
        row = sections.tile_row()
        for label, value, help_text in cells:
            row.metric(label, value, help=help_text, border=True)
        rules = data.response_rules()  # as the warehouse was built: what the station's responses were judged by
        arrived = int(kpi["arrived"] or 0)
        if 0 < arrived < rules.min_incidents:
            st.warning(i18n.t("small_sample", n=arrived, min=rules.min_incidents))
        weekly = data.run("stations/station_weekly", **period)
        if weekly.height:
            left, right = st.columns(2)
            # Vega-Lite, not Plotly: Plotly's library would hold back the whole first screen, map included
            left.vega_lite_chart(figures.weekly_rate_vega(weekly, f.start, f.end, lang), key="station_weekly_rate")
            right.vega_lite_chart(figures.weekly_p90_vega(weekly, f.start, f.end, lang, rules.default_target_s),
                                  key="station_weekly_p90")
        incidents = data.run("stations/station_incidents", **period)
        yes = i18n.t("yes")
        show([
            Column(i18n.t("col_incident_id"), "incident_id"),
            Column(i18n.t("col_incident_type"), "incident_type", labels="incident_type"),
            Column(i18n.t("col_channel"), "channel", labels="channel"),
            Column(i18n.t("col_call_at"), "call_at", DATETIME),
            Column(i18n.t("col_response"), "response_s", DURATION),
            Column(i18n.t("col_within_target"), lambda r: yes if r["is_within_target"] else ""),
            Column(i18n.t("col_first"), lambda r: yes if r["was_first"] else ""),
        ], incidents, f"{station_id}_{i18n.t('section_station_response')}", "station_incidents",
            filtered_by=export.DATES)
