"""5分钟救援圈 Coverage: where the stations reach within five minutes, where they do not, where to build next.

Named queries: coverage/stations, coverage/travel_samples, coverage/arrival_samples, coverage/incident_points.
The geometry (reach, cover counts, hot spots, siting) is emss.coverage; the network as it is,
for the page's view, is dashboard.coverage_model; this page draws what they return. Everything
below the settings shows the situation after the what-if changes; the KPI arrows compare it with
the stations as they are.
"""

import datetime as dt
import io
import json
import time
from functools import partial

import h3
import polars as pl
import streamlit as st

from dashboard import coverage_model, data, export, i18n, maps, plain, sections
from dashboard.filters import current
from emss import categories, coverage, figures, tables
from emss.tables import COUNT, DURATION, NUMBER, POPULATION, RATE, Column
from emss.settings import coverage as coverage_settings

QUERIES = ["coverage/stations", "coverage/travel_samples", "coverage/arrival_samples", "coverage/incident_points"]
CHANGES_KEY = "coverage_changes"  # the what-if list, kept for the session
# population's share of a cell's demand; the first is the default: the period's incidents (expected calls),
# since population spread evenly over a district's land puts residents on reservoirs and hills
DEMAND_MIX = {"incidents": 0.0, "both": 0.5, "population": 1.0}

settings = coverage_settings()  # read on every run: an edited coverage.toml applies on reload


def pp_delta(after, before) -> str | None:
    if after is None or before is None:
        return None
    return i18n.t("delta_pp", d=f"{(after - before) * 100:+.2f}")


def band_label(band: str) -> str:
    # the language passed on: widgets' labels must not depend on the session (AppTest formats them outside it)
    key = f"band_{band}"
    return i18n.text(key, lang) if key in i18n.STRINGS else band


def add_change(action: str, **fields) -> None:
    st.session_state[CHANGES_KEY] = [*st.session_state.get(CHANGES_KEY, []), {"action": action, **fields}]


def next_added() -> int:
    """The number of the next what-if station added (NEW01, NEW02, ...)."""
    return sum(c["action"] == "add" for c in st.session_state.get(CHANGES_KEY, [])) + 1


def add_at(lon_key: str, lat_key: str, type_key: str) -> None:
    n = next_added()
    add_change("add", station_id=f"NEW{n:02d}", station_name=i18n.t("whatif_new_name", n=n),
               station_type=st.session_state[type_key], lon=float(st.session_state[lon_key]),
               lat=float(st.session_state[lat_key]))


def add_sites(sites: list[dict]) -> None:
    n = next_added()
    for i, site in enumerate(sites):
        add_change("add", station_id=f"NEW{n + i:02d}", station_name=site["name"], station_type="community",
                   lon=site["lon"], lat=site["lat"])


def add_clicked_cell(deck_key: str) -> None:
    """A grid cell clicked on the map: a what-if station at its centre (a click on anything else,
    or a click that clears the selection, changes nothing)."""
    picked = ((st.session_state.get(deck_key) or {}).get("selection") or {}).get("objects", {})
    cells = [c for layer, objects in picked.items() if layer.startswith(maps.CELLS_LAYER) for c in objects]
    if cells and cells[0].get("h3"):
        lat, lon = h3.cell_to_latlng(cells[0]["h3"])
        n = next_added()
        add_change("add", station_id=f"NEW{n:02d}", station_name=i18n.t("whatif_clicked_name", n=n),
                   station_type="community", lon=round(lon, 5), lat=round(lat, 5))


def move_station(station_key: str, lon_key: str, lat_key: str) -> None:
    add_change("move", station_id=st.session_state[station_key], lon=float(st.session_state[lon_key]),
               lat=float(st.session_state[lat_key]))


def close_stations(stations_key: str) -> None:
    for sid in st.session_state.get(stations_key) or []:
        add_change("close", station_id=sid)


def clear_changes() -> None:
    st.session_state[CHANGES_KEY] = []


f = current()
lang = f.lang
sections.header("coverage_title", f, QUERIES)
st.caption(i18n.t("coverage_intro", target=int(settings.target_s)))
rng = data.data_range()

# ---- settings ---------------------------------------------------------------------
stations = coverage_model.stations_of(f.station_types)
first_opened = stations["opened_on"].min() if stations.height else f.end
left, middle, right = st.columns(3)
as_of = left.date_input(i18n.t("cov_as_of"), value=f.end, key=f"coverage_as_of_{f.end}", format="YYYY-MM-DD",
                        min_value=min(first_opened, f.end), max_value=rng.as_of, help=i18n.t("cov_as_of_help"))
band = middle.selectbox(i18n.t("cov_band"), settings.band_names, format_func=band_label, key="coverage_band",
                        help=i18n.t("cov_band_help"))
mix = right.radio(i18n.t("cov_demand"), list(DEMAND_MIX), format_func=lambda m: i18n.text(f"demand_{m}", lang),
                  key="coverage_demand", horizontal=True, help=i18n.t("cov_demand_help"))
with st.expander(i18n.t("cov_incident_filter")):
    types = st.multiselect(i18n.t("cov_incident_types"), data.choices("incident_type"),
                           format_func=lambda c: i18n.label("incident_type", c, lang), placeholder=i18n.t("all"),
                           key=f"coverage_types_{lang}", select_all=False)
    hours = st.slider(i18n.t("cov_hours"), 0, 23, coverage_model.ALL_DAY, key="coverage_hours")
with st.expander(i18n.t("cov_population_source")):
    upload = st.file_uploader(i18n.t("cov_population_upload"), type=["csv"], key="coverage_population",
                              help=i18n.t("cov_population_help"))

# ---- coverage now and after the what-if ------------------------------------------
view = dict(start=f.start, end=f.end, incident_types=tuple(sorted(types)), hours=tuple(hours), districts=f.districts,
            station_types=f.station_types, as_of=as_of, band=band)
# the page's notices, above the what-if and the map
upload_notice, stations_notice, whatif_notice = (sections.notice_place() for _ in range(3))
if upload:
    try:  # said here, before the model is worked out with it
        coverage.read_population_grid(io.BytesIO(upload.getvalue()))
    except (ValueError, pl.exceptions.PolarsError) as error:
        upload_notice.error(i18n.t("cov_population_error", error=plain.md(error)))
        upload = None
# an uploaded grid is this session's own: a view with it is not remembered, nor computed ahead
net = (coverage_model.network(**view, population_csv=upload.getvalue()) if upload
       else coverage_model.network_shown(**view))
grid, model, spread, live, scope, scope_grid = net.grid, net.model, net.spread, net.live, net.scope, net.scope_grid
city_turnout, base_sites, base_counts, before = net.city_turnout, net.sites, net.counts, net.kpis
changes = pl.DataFrame(st.session_state.get(CHANGES_KEY, []), schema=coverage.WHAT_IF_SCHEMA)
started = time.perf_counter()
if changes.height:
    sites, counts, chance = coverage.situation(coverage.apply_changes(live, changes), grid, model, band, settings,
                                               city_turnout, spread)
    after = coverage.coverage_kpis(scope_grid, counts[scope], chance[scope])
else:
    sites, counts, after = base_sites, base_counts, before
recompute_ms = (time.perf_counter() - started) * 1000  # what the what-if costs a planner per change
now, then = after.row(0, named=True), before.row(0, named=True)

if live.height == 0:
    stations_notice.info(i18n.t("cov_no_stations", date=as_of.isoformat()))
if changes.height:
    whatif_notice.info(i18n.t("cov_whatif_active", n=changes.height))
cells = [
    ("kpi_cov_population", "population_share", "kpi_cov_population_help"),
    ("kpi_cov_population_backup", "population_backup_share", "kpi_cov_backup_help"),
    ("kpi_cov_area", "area_share", "kpi_cov_area_help"),
    ("kpi_cov_incidents_expected", "incident_expected_share", "kpi_cov_incidents_expected_help"),
    ("kpi_cov_incidents_backup", "incident_backup_share", "kpi_cov_backup_help"),
]
columns = [c for _ in range(2) for c in st.columns(3)]  # two rows: the labels and changes stay readable
for col, (label, field, help_key) in zip(columns, cells):
    col.metric(i18n.t(label), i18n.fmt_pct(now[field]), help=i18n.t(help_key), border=True,
               delta=pp_delta(now[field], then[field]) if changes.height else None)
columns[-1].metric(i18n.t("kpi_cov_stations"), i18n.fmt_int(sites.height),
                   delta=i18n.fmt_delta(sites.height - base_sites.height) if changes.height else None,
                   help=i18n.t("kpi_cov_stations_help"), border=True)
counted = dict(incidents=f"{net.incident_count:,}", cells=f"{scope_grid.height:,}", stations=f"{sites.height:,}")
st.caption(i18n.t("cov_counts_whatif", ms=f"{recompute_ms:.0f}", **counted) if changes.height
           else i18n.t("cov_counts", **counted))  # the what-if's own cost, once there is one
st.caption(i18n.t("cov_population_loaded", cells=f"{grid.filter(pl.col('population') > 0).height:,}",
                  pop=f"{grid['population'].sum():,.0f}", outside=f"{net.off_land_population:,.0f}") if upload
           else i18n.t("cov_population_census"))

weight = coverage.demand_weight(grid, DEMAND_MIX[mix]) * scope
# what the downloads of this page are of, beyond the shared filters (their Excel's first sheet)
whatif_about = [(i18n.t("cov_as_of"), as_of.isoformat()), (i18n.t("cov_band"), band_label(band)),
                (i18n.t("cov_demand"), i18n.t(f"demand_{mix}"))]
if types:
    whatif_about.append((i18n.t("cov_incident_types"), "、".join(i18n.label("incident_type", c) for c in types)))
if tuple(hours) != (0, 23):
    whatif_about.append((i18n.t("cov_hours"), f"{hours[0]}–{hours[1]}"))
if changes.height:
    whatif_about.append((i18n.t("whatif_list"), "; ".join(
        f"{i18n.t(f'action_{action}')} {sid}" for action, sid in zip(changes["action"], changes["station_id"]))))
spots = coverage.hot_spots(grid, counts, sites, weight, top=20)

# ---- what-if -------------------------------------------------------------------------
with st.expander(i18n.t("section_whatif"), expanded=True):
    st.caption(i18n.t("whatif_intro"))
    top_spot = spots.row(0, named=True) if spots.height else {"lon": 114.06, "lat": 22.55}
    add_col, move_col, close_col = st.columns(3)
    with add_col:
        st.markdown(f"**{i18n.t('whatif_add')}**")
        st.number_input(i18n.t("whatif_lon"), value=round(float(top_spot["lon"]), 5), format="%.5f", step=0.001,
                        key="coverage_add_lon")
        st.number_input(i18n.t("whatif_lat"), value=round(float(top_spot["lat"]), 5), format="%.5f", step=0.001,
                        key="coverage_add_lat")
        st.selectbox(i18n.t("whatif_type"), list(categories.STATION_TYPES), index=3,
                     format_func=lambda c: i18n.label("station_type", c, lang), key=f"coverage_add_type_{lang}")
        st.button(i18n.t("whatif_add_button"), key="coverage_add", on_click=add_at,
                  args=("coverage_add_lon", "coverage_add_lat", f"coverage_add_type_{lang}"))
        if spots.height:
            st.button(i18n.t("whatif_add_hotspot"), key="coverage_add_hotspot", on_click=add_sites,
                      args=([{"name": i18n.t("whatif_hotspot_name"), "lon": float(top_spot["lon"]),
                              "lat": float(top_spot["lat"])}],))
    names = dict(zip(live["station_id"].to_list(), live["station_name"].fill_null("").to_list()))
    with move_col:
        st.markdown(f"**{i18n.t('whatif_move')}**")
        moving = st.selectbox(i18n.t("whatif_station"), list(names), format_func=lambda s: f"{s} {names[s]}",
                              key="coverage_move_station")
        if moving:
            here = live.filter(pl.col("station_id") == moving).row(0, named=True)
            st.number_input(i18n.t("whatif_lon"), value=round(float(here["lon"]), 5), format="%.5f", step=0.001,
                            key=f"coverage_move_lon_{moving}")
            st.number_input(i18n.t("whatif_lat"), value=round(float(here["lat"]), 5), format="%.5f", step=0.001,
                            key=f"coverage_move_lat_{moving}")
            st.button(i18n.t("whatif_move_button"), key="coverage_move", on_click=move_station,
                      args=("coverage_move_station", f"coverage_move_lon_{moving}", f"coverage_move_lat_{moving}"))
    with close_col:
        st.markdown(f"**{i18n.t('whatif_close')}**")
        st.multiselect(i18n.t("whatif_station"), list(names), format_func=lambda s: f"{s} {names[s]}",
                       key="coverage_close_stations", placeholder=i18n.t("whatif_pick"), select_all=False)
        st.button(i18n.t("whatif_close_button"), key="coverage_close", on_click=close_stations,
                  args=("coverage_close_stations",))
    if changes.height:
        st.markdown(f"**{i18n.t('whatif_list')}**")
        export.show(tables.build(changes, [
            Column(i18n.t("col_action"), lambda c: i18n.t(f"action_{c['action']}")),
            Column(i18n.t("col_station_id"), "station_id"),
            Column(i18n.t("col_station_name"), lambda c: c["station_name"] or names.get(c["station_id"])),
            Column(i18n.t("whatif_lon"), "lon", NUMBER, digits=5),
            Column(i18n.t("whatif_lat"), "lat", NUMBER, digits=5),
        ], lang), i18n.t("whatif_list"), "coverage_changes_table", downloads=False)
        st.button(i18n.t("whatif_clear"), key="coverage_clear", on_click=clear_changes)
    else:
        st.caption(i18n.t("whatif_none"))

map_area = st.container()  # drawn once the suggestions below are known

# ---- siting --------------------------------------------------------------------------
st.subheader(i18n.t("section_siting"))
k_col, source_col, upload_col = st.columns([1, 1, 2])
k = k_col.number_input(i18n.t("siting_k"), min_value=1, max_value=50, value=5, step=1, key="coverage_k")
source = source_col.radio(i18n.t("siting_source"), ["cells", "upload"], key="coverage_candidates", horizontal=True,
                          format_func=lambda s: i18n.text(f"siting_{s}", lang))
candidates, reached = net.candidates, net.reached
if source == "upload":
    listed = upload_col.file_uploader(i18n.t("siting_upload_label"), type=["csv"], key="coverage_candidate_file",
                                      help=i18n.t("siting_upload_help"))
    if listed is not None:
        try:
            listed = coverage.read_candidates(io.BytesIO(listed.getvalue()))
            candidates = coverage.reach(listed, model, band, settings, city_turnout)
            reached = coverage.candidate_reach(grid, candidates)
        except (ValueError, pl.exceptions.PolarsError) as error:
            st.error(i18n.t("siting_upload_error", error=plain.md(error)))
suggestions = coverage.suggest_sites(grid, counts, candidates, weight, int(k), reached)
# every site said as a place on the ground (district, 街道, nearest station), never as a grid cell's id
suggestions = pl.concat([suggestions, coverage.place_names(suggestions, live, lang)], how="horizontal")
from_cells = source != "upload" or suggestions.height == 0 or bool((suggestions["candidate_id"] == suggestions["name"]).all())
st.caption(i18n.t("siting_caption"))
if suggestions.height == 0:
    st.info(i18n.t("siting_none"))
else:
    export.show(tables.build(suggestions, [
        Column(i18n.t("col_rank"), "rank", COUNT),
        Column(i18n.t("col_candidate"), "place" if from_cells else "name"),
        *([] if from_cells else [Column(i18n.t("col_place"), "place")]),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("whatif_lon"), "lon", NUMBER, digits=5),
        Column(i18n.t("whatif_lat"), "lat", NUMBER, digits=5),
        Column(i18n.t("col_radius"), "radius_m", NUMBER, digits=0),
        Column(i18n.t("col_new_population"), "new_population", POPULATION),
        Column(i18n.t("col_new_incidents"), "new_incidents", COUNT),
        Column(i18n.t("col_new_area"), "new_area_km2", NUMBER, digits=2),
        Column(i18n.t("col_total_population"), "total_population", POPULATION),
    ], lang), i18n.t("siting_file"), "coverage_suggestions", extra=whatif_about)
    add_col, geo_col, _ = st.columns([2, 2, 3])
    add_col.button(i18n.t("siting_add"), key="coverage_add_suggestions", on_click=add_sites,
                   args=([{"name": i18n.t("siting_site_name", rank=r["rank"]), "lon": r["lon"], "lat": r["lat"]}
                          for r in suggestions.iter_rows(named=True)],))
    geo = coverage.geojson(suggestions.with_columns(pl.col("place").alias("name") if from_cells else pl.col("name")),
                           ["rank", "name", "place", "district", "radius_m", "new_population", "new_incidents",
                            "near_station_id", "near_distance_m"])
    geo_col.download_button(i18n.t("siting_geojson"), export.when_clicked(
        "siting.geojson", lambda: json.dumps(geo, ensure_ascii=False).encode("utf-8")),
        file_name=f"{i18n.t('siting_file')}.geojson", mime="application/geo+json",
        key="coverage_suggestions_geojson", on_click="ignore")

# ---- map (above the siting section) ---------------------------------------------------
with map_area:
    st.subheader(i18n.t("section_cov_map"))
    layer_col, reach_col, click_col = st.columns([3, 1, 1])
    layer = layer_col.radio(i18n.t("cov_layer"), ["cover", "population", "incidents"],
                            format_func=lambda x: i18n.text(f"layer_{x}", lang), key="coverage_layer", horizontal=True)
    show_reach = reach_col.checkbox(i18n.t("cov_show_reach"), value=False, key="coverage_show_reach")
    click_to_add = click_col.checkbox(i18n.t("cov_click_to_add"), value=True, key="coverage_click_to_add",
                                      help=i18n.t("cov_click_to_add_help"))
    added = set(changes.filter(pl.col("action") == "add")["station_id"].to_list())
    shown_sites = sites.filter(pl.col("district").is_in(list(f.districts))) if f.districts else sites
    if layer == "cover":
        legend = "".join(
            f'<span style="display:inline-block;margin:0 18px 6px 0"><span style="display:inline-block;width:14px;'
            f'height:12px;background:rgba({r},{g},{b},0.6);margin-right:6px;vertical-align:middle"></span>'
            f'{i18n.t(f"legend_cover_{n}")}</span>'
            for n, (r, g, b) in maps.COVER_RGB.items()
        )
    else:
        legend = "".join(
            f'<span style="display:inline-block;width:28px;height:12px;background:rgba({r},{g},{b},0.85)"></span>'
            for r, g, b, _ in (maps.density_colour(x / 4) for x in range(5))
        ) + "&nbsp;&nbsp;" + i18n.t("legend_density")
    st.markdown(legend, unsafe_allow_html=True)  # above the map: read first; the catalog's words only
    st.pydeck_chart(maps.coverage_deck(maps.coverage_cell_records(scope_grid, counts[scope], layer, lang),
                                       shown_sites, suggestions, added, f.districts, lang, show_reach),
                    height=660, key="coverage_deck", selection_mode="single-object",
                    on_select=(partial(add_clicked_cell, "coverage_deck") if click_to_add else "ignore"))
    st.caption(i18n.t("cov_map_caption"))

# ---- by district ---------------------------------------------------------------------
st.subheader(i18n.t("section_cov_district"))
then_by = {r["district"]: r for r in before.iter_rows(named=True)}


def delta_pp(r: dict) -> float | None:
    """The change of the population covered against the stations as they are, in percentage points."""
    old = then_by[r["district"]]["population_share"]
    return None if old is None or r["population_share"] is None else (r["population_share"] - old) * 100


export.show(tables.build(after, [
    Column(i18n.t("col_district"), lambda r: i18n.t("scope_city") if r["district"] is None and not f.districts
           else i18n.t("cov_scope_selected") if r["district"] is None else i18n.label("district", r["district"])),
    Column(i18n.t("col_cov_population"), "population", POPULATION),
    Column(i18n.t("col_cov_population_share"), "population_share", RATE),
    Column(i18n.t("col_cov_backup_share"), "population_backup_share", RATE),
    Column(i18n.t("col_cov_area"), "area_km2", NUMBER, digits=1),
    Column(i18n.t("col_cov_area_share"), "area_share", RATE),
    Column(i18n.t("col_incidents"), "incidents", COUNT),
    Column(i18n.t("col_cov_incident_share"), "incident_share", RATE),
    Column(i18n.t("col_cov_incident_expected_share"), "incident_expected_share", RATE),
    Column(i18n.t("col_cov_uncovered_cells"), "uncovered_cells", COUNT),
    *([Column(i18n.t("col_cov_delta_pp"), delta_pp, NUMBER, digits=2, signed=True)] if changes.height else []),
], lang), i18n.t("cov_district_file"), "coverage_by_district", extra=whatif_about)

# ---- hot spots -------------------------------------------------------------------------
st.subheader(i18n.t("section_hot_spots"))
st.caption(i18n.t("hot_spots_caption"))
if spots.height == 0:
    st.info(i18n.t("hot_spots_none"))
else:
    spots = pl.concat([spots, coverage.place_names(spots, live, lang).select("place")], how="horizontal")
    export.show(tables.build(spots, [
        Column(i18n.t("col_rank"), "rank", COUNT),
        Column(i18n.t("col_place"), "place"),
        Column(i18n.t("col_district"), "district", labels="district"),
        Column(i18n.t("whatif_lon"), "lon", NUMBER, digits=5),
        Column(i18n.t("whatif_lat"), "lat", NUMBER, digits=5),
        Column(i18n.t("col_cov_population"), "population", POPULATION),
        Column(i18n.t("col_incidents"), "incidents", COUNT),
        Column(i18n.t("col_nearest_station"),
               lambda r: f"{r['nearest_station_id']} {r['nearest_station_name'] or ''}".strip()
               if r["nearest_station_id"] else None),
        Column(i18n.t("col_nearest_distance"),
               lambda r: None if r["nearest_station_id"] is None else r["nearest_distance_m"], NUMBER, digits=0),
        Column(i18n.t("col_nearest_arrival"), "nearest_arrival_s", DURATION),
    ], lang), i18n.t("hot_spots_file"), "coverage_hot_spots", extra=whatif_about)

# ---- trend -----------------------------------------------------------------------------
st.subheader(i18n.t("section_cov_trend"))
trend = net.trend
if trend.height:
    st.vega_lite_chart(figures.coverage_trend_vega(trend, lang), key="coverage_trend")
    st.caption(i18n.t("cov_trend_caption"))

# ---- travel-time model -------------------------------------------------------------------
st.subheader(i18n.t("section_travel_model"))
city = model.filter(pl.col("district").is_null() & (pl.col("band") == band)).row(0, named=True)
st.caption(i18n.t(
    "travel_model_caption", min=settings.min_responses, band=band_label(band),
    speed=f"{city['speed_kmh']:.1f}", intercept=f"{city['intercept_s']:.0f}",
    mae=i18n.DASH if city["median_abs_error_s"] is None else f"{city['median_abs_error_s']:.0f}",
    r1=i18n.DASH if city["r1"] is None else f"{city['r1']:.2f}", n=f"{city['n']:,}",
    start=net.model_start.isoformat(), end=rng.as_of.isoformat(), q=f"{settings.quantile:.2f}",
))
export.show(tables.build(model.filter(pl.col("band") == band), [
    Column(i18n.t("col_district"), lambda r: i18n.t("scope_city") if r["district"] is None
           else i18n.label("district", r["district"])),
    Column(i18n.t("col_band"), lambda r: band_label(r["band"])),
    Column(i18n.t("col_source"), lambda r: i18n.t(f"source_{r['source']}")),
    Column(i18n.t("col_n"), "n", COUNT),
    Column(i18n.t("col_speed"), "speed_kmh", NUMBER, digits=1),
    Column(i18n.t("col_intercept"), "intercept_s", NUMBER, digits=1),  # model parameters in seconds, as labelled
    Column(i18n.t("col_mae"), "median_abs_error_s", NUMBER, digits=1),
    Column(i18n.t("col_r1"), "r1", NUMBER, digits=3),
], lang), i18n.t("travel_model_file"), "coverage_travel_model", filtered_by=export.UNFILTERED,
    extra=[(i18n.t("tbl_about_model_period"), i18n.t("tbl_about_period_value", start=net.model_start.isoformat(),
                                                     end=rng.as_of.isoformat(), days=settings.period_days))])
spread_start = rng.as_of - dt.timedelta(days=settings.spread_days - 1)
st.caption(i18n.t("spread_caption", days=settings.spread_days, start=spread_start.isoformat(),
                  end=rng.as_of.isoformat(), min=settings.min_responses))
export.show(tables.build(spread.table(), [
    Column(i18n.t("col_district"), lambda r: i18n.t("scope_city") if r["district"] is None
           else i18n.label("district", r["district"])),
    Column(i18n.t("col_source"), lambda r: i18n.t(f"spread_source_{r['source']}")),
    Column(i18n.t("col_spread_n"), "n", COUNT),
    Column(i18n.t("col_spread_p10"), "p10_s", NUMBER, digits=0, signed=True),
    Column(i18n.t("col_spread_p50"), "p50_s", NUMBER, digits=0, signed=True),
    Column(i18n.t("col_spread_p90"), "p90_s", NUMBER, digits=0, signed=True),
], lang), i18n.t("spread_file"), "coverage_spread", filtered_by=export.UNFILTERED,
    extra=[(i18n.t("tbl_about_model_period"), i18n.t("tbl_about_period_value", start=spread_start.isoformat(),
                                                     end=rng.as_of.isoformat(), days=settings.spread_days))])

# ---- the model against what was measured ---------------------------------------------------
st.subheader(i18n.t("section_cov_reconcile"))
checked = net.checked
whole = checked["city"].row(0, named=True)
if whole["timed"] == 0:
    st.info(i18n.t("cov_reconcile_none"))
else:
    st.markdown(plain.md(i18n.t(
        "cov_reconcile_sentence", modelled=i18n.fmt_pct(whole["modelled"]), measured=i18n.fmt_pct(whole["measured"]),
        gap=f"{whole['gap_pp']:+.1f}", circle=i18n.fmt_pct(whole["circle"]), n=i18n.fmt_int(whole["timed"]),
        target=int(settings.target_s))))
    st.vega_lite_chart(figures.coverage_reconcile_vega(checked["band"], lang), key="coverage_reconcile")
    reconcile_columns = [
        Column(i18n.t("col_timed"), "timed", COUNT),
        Column(i18n.t("col_cov_measured"), "measured", RATE),
        Column(i18n.t("col_cov_modelled"), "modelled", RATE),
        Column(i18n.t("col_cov_gap_pp"), "gap_pp", NUMBER, digits=1, signed=True),
        Column(i18n.t("col_cov_circle"), "circle", RATE),
    ]
    left, right = st.columns(2)
    with left:
        export.show(tables.build(checked["district"], [
            Column(i18n.t("col_district"), "group", labels="district"), *reconcile_columns,
        ], lang), i18n.t("cov_reconcile_district_file"), "coverage_reconcile_district", extra=whatif_about)
    with right:
        export.show(tables.build(checked["band"], [
            Column(i18n.t("col_nearest_distance_band"), "group"), *reconcile_columns,
        ], lang), i18n.t("cov_reconcile_band_file"), "coverage_reconcile_band", extra=whatif_about)
    st.caption(i18n.t("cov_reconcile_caption", days=settings.spread_days))
