"""The offline map: district boundaries as the base, incident hexagons, stations by type.

Nothing is fetched from the internet: `map_provider=None` with pydeck's
default style placeholder makes Streamlit draw no basemap at all, and the
shipped district boundaries stand in for one. Every layer's records carry the
same three tooltip fields (tip_title, tip_line1, tip_line2), because the deck
has a single tooltip template.

The template is pydeck's `text` form, never `html`: Streamlit's frontend sets a `text`
tooltip as text (innerText), whereas an `html` one goes in as HTML, where a station name
like `<img src=...>` would be markup unless the frontend escapes every value.
"""

from __future__ import annotations

import copy
import json
import math
from functools import lru_cache

import h3
import polars as pl
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from dashboard import i18n
from emss.figures import station_type_colour
from emss import profiles
from emss.geo import load_districts

TOOLTIP = {
    "text": "{tip_title}\n{tip_line1}\n{tip_line2}",
    "style": {"backgroundColor": "#263238", "color": "white", "fontSize": "13px"},
}
# Incident density ramp, light to dark (yellow -> deep red).
_RAMP = [(255, 237, 160), (254, 178, 76), (240, 59, 32), (128, 0, 38)]


@lru_cache(maxsize=2)
def _district_geojson(city: str) -> dict:
    return profiles.current().boundaries()


def districts_geojson(selected: tuple[str, ...], lang: str) -> dict:
    """The city's WGS-84 boundaries (its profile's) with tooltip fields; chosen districts drawn a little darker."""
    collection = copy.deepcopy(_district_geojson(profiles.current().fingerprint))
    for feature in collection["features"]:
        p = feature["properties"]
        p["tip_title"] = p["name_zh"] if lang == "zh" else p["name_en"]
        if p["population"] is None:
            p["tip_line1"] = i18n.text("tip_district_no_population", lang)
        else:
            p["tip_line1"] = i18n.text("tip_district", lang, pop=f"{p['population'] / 10_000:.1f}" if lang == "zh"
                                       else f"{p['population'] / 1e6:.2f}")
        p["tip_line2"] = ""
        chosen = not selected or p["district"] in selected
        p["fill"] = [236, 239, 241, 200] if chosen else [200, 200, 200, 90]
    return collection


def density_colour(share: float) -> list[int]:
    """A colour for a share in [0, 1] along the density ramp."""
    share = min(max(share, 0.0), 1.0) * (len(_RAMP) - 1)
    i = min(int(share), len(_RAMP) - 2)
    f = share - i
    a, b = _RAMP[i], _RAMP[i + 1]
    return [round(a[k] + (b[k] - a[k]) * f) for k in range(3)] + [190]


def hex_records(hexes: pl.DataFrame, lang: str) -> list[dict]:
    """Rows of map/incident_hexes with a fill colour by incident count and tooltip fields."""
    if hexes.height == 0:
        return []
    top = max(int(hexes["incidents"].max()), 1)
    out = []
    for r in hexes.iter_rows(named=True):
        n = int(r["incidents"])
        out.append({
            "h3_r8": r["h3_r8"],
            "incidents": n,
            "color": density_colour((n / top) ** 0.5),  # square root: a few hot cells should not wash out the rest
            "tip_title": i18n.text("tip_hex_title", lang, n=n),
            "tip_line1": i18n.text("tip_hex_rate", lang, rate=i18n.fmt_pct(r["within_target_rate"])),
            "tip_line2": "",
        })
    return out


def station_records(stations: pl.DataFrame, lang: str) -> list[dict]:
    """Rows of map/station_points with coordinates as floats, a colour by type and tooltip fields."""
    out = []
    for r in stations.iter_rows(named=True):
        out.append({
            "station_id": r["station_id"],
            # DECIMAL columns would reach the browser as strings and the points would vanish
            "lon": float(r["lon"]),
            "lat": float(r["lat"]),
            "color": list(station_type_colour(r["station_type"])) + [235],
            "tip_title": r["station_name"] or r["station_id"],
            "tip_line1": i18n.text("tip_station_type", lang, type=i18n.label("station_type", r["station_type"], lang)),
            "tip_line2": i18n.text("tip_station_district", lang, district=i18n.label("district", r["district"], lang)),
        })
    return out


def _view(v: profiles.MapView) -> pdk.ViewState:
    return pdk.ViewState(latitude=v.latitude, longitude=v.longitude, zoom=v.zoom,
                         min_zoom=max(v.zoom - 2, 2), max_zoom=16, pitch=0)


def city_view(points: pl.DataFrame | None = None) -> pdk.ViewState:
    """The city's first view (its profile's); a city without boundaries: fitted to the points
    (columns lon, lat) with the outer 1 % on each side left out, so a stray point does not zoom out."""
    city = profiles.current()
    if city.view is not None or points is None:
        return _view(city.view or profiles.MapView(0.0, 20.0, 1.0))
    xy = points.select(pl.col("lon").cast(pl.Float64), pl.col("lat").cast(pl.Float64)).drop_nulls()
    if xy.height == 0:
        return _view(profiles.MapView(0.0, 20.0, 1.0))
    q = xy.select(pl.col("lon").quantile(0.01).alias("w"), pl.col("lat").quantile(0.01).alias("s"),
                  pl.col("lon").quantile(0.99).alias("e"), pl.col("lat").quantile(0.99).alias("n")).row(0)
    return _view(profiles.fit_view(q))


def view_for(selected: tuple[str, ...], points: pl.DataFrame | None = None) -> pdk.ViewState:
    """The whole city, or a view fitted to the chosen districts."""
    districts = load_districts()
    chosen = [districts[c].geometry.bounds for c in selected if c in districts]
    if not chosen:
        return city_view(points)
    west, south = min(b[0] for b in chosen), min(b[1] for b in chosen)
    east, north = max(b[2] for b in chosen), max(b[3] for b in chosen)
    return _view(profiles.fit_view((west, south, east, north)))


# ---- what every map shares -------------------------------------------------------------
# The wheel scrolls the page, never the map: a reader scrolling past a map is not trapped in it.
# The map zooms by double-click (Shift+double-click out), by pinching, or with +/- once clicked.
CONTROLLER = {"scrollZoom": False, "doubleClickZoom": True, "touchZoom": True, "dragPan": True,
              "dragRotate": False, "keyboard": True}
# The district names: any CJK font the browser has (no font is fetched), haloed in white.
NAME_FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def district_base(selected: tuple[str, ...], lang: str, pickable: bool = True) -> pdk.Layer:
    """The offline basemap under every map: the district boundaries."""
    return pdk.Layer("GeoJsonLayer", id="districts", data=districts_geojson(selected, lang), stroked=True,
                     filled=True, get_fill_color="properties.fill", get_line_color=[84, 110, 122, 255],
                     line_width_min_pixels=1.5, pickable=pickable)


@lru_cache(maxsize=4)
def _district_name_points(city: str, lang: str) -> tuple[tuple[float, float, str], ...]:
    return tuple((point.x, point.y, d.name_zh if lang == "zh" else d.name_en or d.name_zh)
                 for d in load_districts().values() for point in [d.geometry.representative_point()])


def district_names(lang: str) -> pdk.Layer:
    """Each district's name at a point inside it, drawn over everything else."""
    names = [{"lon": x, "lat": y, "name": name}
             for x, y, name in _district_name_points(profiles.current().fingerprint, lang)]
    return pdk.Layer("TextLayer", id="district_names", data=names, get_position=["lon", "lat"], get_text="name",
                     # pydeck reads a bare string as an expression, a string in single quotes as text
                     get_size=15, get_color=[38, 50, 56, 255], font_family=f"'{NAME_FONT}'", font_weight=600,
                     character_set="'" + "".join(sorted({ch for n in names for ch in n["name"]} - {"'"})) + "'",
                     font_settings={"sdf": True}, outline_width=3,
                     outline_color=[255, 255, 255, 230], get_text_anchor="'middle'",
                     get_alignment_baseline="'center'", pickable=False)


class CompactDeck(pdk.Deck):
    """A deck sent as compact JSON: pydeck indents by two spaces and writes every Chinese character
    as a \\u escape, which doubled the bytes every rerun sends (the Coverage map: 5.5 MB)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, ensure_ascii=False, separators=(",", ":"))


def _deck(layers: list[pdk.Layer], view: pdk.ViewState, selected: tuple[str, ...], lang: str,
          pickable_base: bool = True) -> pdk.Deck:
    """`layers` over the district boundaries (`selected` drawn darker) and under the district
    names, with the shared view controller and tooltip."""
    # map_provider=None with pydeck's default style placeholder: no basemap, no request outside.
    return CompactDeck(layers=[district_base(selected, lang, pickable_base), *layers, district_names(lang)],
                    initial_view_state=view, views=[pdk.View(type="MapView", controller=CONTROLLER)],
                    map_provider=None, tooltip=TOOLTIP)


def deck(hexes: pl.DataFrame, stations: pl.DataFrame, selected_districts: tuple[str, ...], lang: str) -> pdk.Deck:
    """Bottom to top: district boundaries, incident hexagons, stations, district names."""
    layers = [
        pdk.Layer(
            "H3HexagonLayer", id="incident_hexes", data=hex_records(hexes, lang), get_hexagon="h3_r8",
            get_fill_color="color", extruded=False, stroked=False, pickable=True, opacity=0.85,
        ),
        pdk.Layer(
            "ScatterplotLayer", id="stations", data=station_records(stations, lang),
            get_position=["lon", "lat"], get_fill_color="color", get_line_color=[255, 255, 255, 255],
            stroked=True, line_width_min_pixels=1, get_radius=180, radius_min_pixels=3,
            radius_max_pixels=12, pickable=True,
        ),
    ]
    return _deck(layers, view_for(selected_districts, stations), selected_districts, lang)


# ---- the 5-minute circle (Coverage page) ---------------------------------------------
# Cover status colours: no station within reach, one (no backup), two or more.
COVER_RGB = {0: (211, 47, 47), 1: (255, 179, 0), 2: (46, 125, 50)}
REACH_RGB = (25, 118, 210)
SUGGESTED_RGB = (33, 33, 33)
WHAT_IF_RGB = (0, 188, 212)


def cover_colour(count: int) -> list[int]:
    return list(COVER_RGB[min(int(count), 2)]) + [150]


def _compact(frame: pl.DataFrame) -> pl.DataFrame:
    """Merge groups of sibling cells that look the same (same colour, district and cover class) into
    their parent cell, summing residents and incidents: a city of 21,000 cells would otherwise send
    megabytes to the browser on every rerun, mostly for hills and fully covered blocks.

    The cells then come in a few resolutions: `coverage_deck` draws each resolution as a layer of its
    own (CELLS_LAYER, then CELLS_LAYER_<res> for the coarser ones)."""
    parts = []
    for _, group in frame.group_by("color_key", "district", "cover_class", maintain_order=True):
        cells = group["h3"].to_list()
        compacted = set(h3.compact_cells(cells))
        owner = []
        for cell in cells:
            res = h3.get_resolution(cell)
            while cell not in compacted:
                res -= 1
                cell = h3.cell_to_parent(cell, res)
            owner.append(cell)
        parts.append(group.with_columns(pl.Series("h3", owner)))
    return (pl.concat(parts).group_by("h3", maintain_order=True)
            .agg(pl.col("population").sum(), pl.col("incidents").sum(), pl.col("district").first(),
                 pl.col("cover_class").first(), pl.col("color_key").first()))


def coverage_cell_records(grid: pl.DataFrame, counts, layer: str, lang: str) -> list[dict]:
    """Hexagons of the coverage grid (H3 resolution 9) with a colour and tooltip fields.

    layer: "cover" (colour by how many stations reach the cell; every cell),
    "population" or "incidents" (a density ramp; cells holding some only).
    Neighbouring cells that would look the same are drawn as one coarser hexagon.
    """
    frame = grid.select("h3", "district", "population", "incidents", "land_km2").with_columns(
        pl.Series("cover_class", counts, dtype=pl.Int64).clip(upper_bound=2))
    if layer == "population":
        frame = frame.filter(pl.col("population") > 0)
        density = frame["population"] / frame["land_km2"].clip(lower_bound=1e-6)
        share = (density / max(float(density.max() or 1.0), 1e-9)).sqrt()
    elif layer == "incidents":
        frame = frame.filter(pl.col("incidents") > 0)
        # square root: a few hot cells should not wash out the rest
        share = (frame["incidents"] / max(int(frame["incidents"].max() or 1), 1)).sqrt()
    if layer in ("population", "incidents"):
        colours = [density_colour(x) for x in share.to_list()]
    else:
        by_class = {c: cover_colour(c) for c in COVER_RGB}
        colours = [by_class[c] for c in frame["cover_class"].to_list()]
    palette: dict[tuple, int] = {}  # each colour once; a cell keeps its colour's number
    frame = frame.with_columns(pl.Series("color_key", [palette.setdefault(tuple(c), len(palette)) for c in colours],
                                         dtype=pl.Int64))
    if frame.height == 0:
        return []
    cells = _compact(frame)
    colour_of = [list(c) for c in palette]
    titles = {c: i18n.text(f"legend_cover_{c}", lang) for c in COVER_RGB}
    names = {d: i18n.label("district", d, lang) for d in set(cells["district"].to_list())}
    line = i18n.text("tip_cover_demand", lang, pop="\0", n="\1")  # the words, once; the numbers per cell
    return [{"h3": h, "color": colour_of[c], "tip_title": titles[k], "tip_line2": names[d],
             "tip_line1": line.replace("\0", f"{p:,.0f}").replace("\1", str(n))}
            for h, c, k, d, p, n in zip(cells["h3"].to_list(), cells["color_key"].to_list(), cells["cover_class"].to_list(),
                                        cells["district"].to_list(), cells["population"].to_list(),
                                        cells["incidents"].to_list())]


def reach_records(sites: pl.DataFrame) -> list[dict]:
    """One circle per station: its 5-minute reach radius in metres (not pickable: the station dot has the tooltip)."""
    return [{
        "lon": float(r["lon"]), "lat": float(r["lat"]), "radius_m": float(r["radius_m"]),
    } for r in sites.iter_rows(named=True) if r["radius_m"] and r["radius_m"] > 0]


def suggestion_records(suggestions: pl.DataFrame, lang: str) -> list[dict]:
    """Suggested sites, with what each adds to those ranked before it; a grid cell named by its place."""
    return [{
        "lon": float(r["lon"]), "lat": float(r["lat"]), "radius_m": float(r["radius_m"]),
        "tip_title": i18n.text("tip_suggested", lang, rank=r["rank"],
                               name=r["place"] if r.get("place") and r["name"] == r.get("candidate_id") else r["name"]),
        "tip_line1": i18n.text("tip_suggested_gain", lang, pop=f"{r['new_population']:,.0f}",
                               n=f"{r['new_incidents']:,.0f}"),
        "tip_line2": i18n.text("tip_station_district", lang, district=i18n.label("district", r["district"], lang)),
    } for r in suggestions.iter_rows(named=True)]


CELLS_LAYER = "coverage_cells"  # the finest cells' layer; coarser cells: CELLS_LAYER_<resolution>


def cells_layers(cells: list[dict]) -> list[pdk.Layer]:
    """The grid cells, one H3HexagonLayer per resolution, the finest first. deck.gl draws the hexagons
    of a layer of one resolution as instances of one shape; a layer of mixed resolutions has each
    hexagon's outline worked out and triangulated in the browser, which took 0.2 s more of its script
    time for the Coverage map's 12,000 cells (Chromium, medians of 4 fresh tabs)."""
    by_resolution: dict[int, list[dict]] = {}
    for cell in cells:
        by_resolution.setdefault(h3.get_resolution(cell["h3"]), []).append(cell)
    finest = max(by_resolution, default=None)
    return [pdk.Layer("H3HexagonLayer", id=CELLS_LAYER if res == finest else f"{CELLS_LAYER}_{res}",
                      data=by_resolution[res], get_hexagon="h3", get_fill_color="color", extruded=False,
                      stroked=False, pickable=True)
            for res in sorted(by_resolution, reverse=True)]


def coverage_deck(cells: list[dict], sites: pl.DataFrame, suggestions: pl.DataFrame, added_ids: set[str],
                  selected_districts: tuple[str, ...], lang: str, show_reach: bool = True) -> pdk.Deck:
    """Bottom to top: district boundaries, grid cells, reach circles, stations, what-if stations, suggested sites."""
    station_rows = station_records(sites, lang)
    for row, site in zip(station_rows, sites.iter_rows(named=True)):
        row["tip_line2"] = i18n.text("tip_reach", lang, radius=f"{site['radius_m']:,.0f}",
                                     turnout=i18n.fmt_duration(site["turnout_s"], lang))
        if row["station_id"] in added_ids:
            row["color"] = list(WHAT_IF_RGB) + [255]
    layers = cells_layers(cells)
    if show_reach:
        layers.append(pdk.Layer(
            "ScatterplotLayer", id="reach", data=reach_records(sites), get_position=["lon", "lat"],
            get_radius="radius_m", filled=False, stroked=True,
            get_line_color=list(REACH_RGB) + [140], line_width_min_pixels=1, pickable=False,
        ))
    layers.append(pdk.Layer(
        "ScatterplotLayer", id="stations", data=station_rows,
        get_position=["lon", "lat"], get_fill_color="color", get_line_color=[255, 255, 255, 255],
        stroked=True, line_width_min_pixels=1, get_radius=120, radius_min_pixels=3,
        radius_max_pixels=10, pickable=True,
    ))
    if suggestions.height:
        records = suggestion_records(suggestions, lang)
        layers += [
            pdk.Layer(
                "ScatterplotLayer", id="suggested_reach", data=records, get_position=["lon", "lat"],
                get_radius="radius_m", filled=True, stroked=True,
                get_fill_color=list(SUGGESTED_RGB) + [30], get_line_color=list(SUGGESTED_RGB) + [220],
                line_width_min_pixels=2, pickable=False,
            ),
            pdk.Layer(
                "ScatterplotLayer", id="suggested_sites", data=records, get_position=["lon", "lat"],
                get_fill_color=list(SUGGESTED_RGB) + [255], get_line_color=[255, 255, 255, 255],
                stroked=True, line_width_min_pixels=2, get_radius=200, radius_min_pixels=6,
                radius_max_pixels=14, pickable=True,
            ),
        ]
    return _deck(layers, view_for(selected_districts, sites), selected_districts, lang)


# ---- one incident: where it was and where its stations came from -----------------------

def incident_map(timeline: pl.DataFrame, lang: str) -> pdk.Deck:
    """Where the incident was and where its stations came from (incidents/timeline), drawn offline:
    district boundaries, a line from each station to the incident, the stations and the incident."""
    rows = timeline.to_dicts()
    first = rows[0]
    has_incident = first["lat"] is not None and first["lon"] is not None
    stations, lines = [], []
    for r in rows:
        if r["station_lat"] is None or r["station_lon"] is None:
            continue
        stations.append({
            "lon": float(r["station_lon"]), "lat": float(r["station_lat"]),
            "color": list(station_type_colour(r["station_type"])) + [235],
            "tip_title": r["station_name"] or r["station_id"],
            "tip_line1": i18n.text("tip_arrival_rank", lang, rank=r["arrival_rank"],
                                   total=i18n.fmt_duration(r["total_s"], lang)),
            "tip_line2": i18n.text("tip_station_type", lang, type=i18n.label("station_type", r["station_type"], lang)),
        })
        if has_incident:
            lines.append({"from": [float(r["station_lon"]), float(r["station_lat"])],
                          "to": [float(first["lon"]), float(first["lat"])],
                          "color": [38, 50, 56, 200] if r["is_first_arrival"] else [120, 144, 156, 160]})
    incident = [{
        "lon": float(first["lon"]), "lat": float(first["lat"]), "color": [198, 40, 40, 240],
        "tip_title": first["incident_id"],
        "tip_line1": i18n.label("incident_type", first["incident_type"], lang),
        "tip_line2": first["address"] or "",
    }] if has_incident else []
    points = incident + stations
    if points:
        view = pdk.ViewState(latitude=sum(p["lat"] for p in points) / len(points),
                             longitude=sum(p["lon"] for p in points) / len(points), zoom=13.2, pitch=0)
    else:
        view = city_view()
    layers = [
        pdk.Layer("LineLayer", id="routes", data=lines, get_source_position="from", get_target_position="to",
                  get_color="color", get_width=3, width_min_pixels=2),
        _points("stations", stations, radius_m=60, min_pixels=6),
        _points("incident", incident, radius_m=70, min_pixels=8, outline_pixels=2),
    ]
    return _deck(layers, view, (), lang, pickable_base=False)


def _points(layer_id: str, records: list[dict], radius_m: int, min_pixels: int, outline_pixels: int = 1) -> pdk.Layer:
    """Points coloured by their own `color`, outlined in white, with the shared text tooltip."""
    return pdk.Layer("ScatterplotLayer", id=layer_id, data=records, get_position=["lon", "lat"],
                     get_fill_color="color", get_line_color=[255, 255, 255, 255], stroked=True,
                     line_width_min_pixels=outline_pixels, get_radius=radius_m, radius_min_pixels=min_pixels,
                     pickable=True)


def station_map(profile: dict, station_id: str, neighbours: pl.DataFrame, lang: str) -> pdk.Deck:
    """A station among its nearest neighbours (stations/station_profile, stations/neighbours), in its
    district, zoomed so the farthest neighbour fits (about 360 px tall)."""
    def point(r: dict, colour: list[int], line1: str) -> dict:
        return {"lon": float(r["lon"]), "lat": float(r["lat"]), "color": colour,
                "tip_title": r["station_name"] or r["station_id"], "tip_line1": line1,
                "tip_line2": i18n.label("station_type", r["station_type"], lang)}

    others = [point(r, list(station_type_colour(r["station_type"])) + [235],
                    i18n.text("tip_distance", lang, m=f"{int(r['distance_m']):,}"))
              for r in neighbours.iter_rows(named=True)]
    me = [point({**profile, "station_id": station_id}, [198, 40, 40, 255], station_id)]
    lat, lon = float(profile["lat"]), float(profile["lon"])
    span_m = 2.6 * max(neighbours["distance_m"].max() or 0.0, 500.0)  # across, with a margin
    zoom = round(min(max(math.log2(78271.5 * math.cos(math.radians(lat)) * 360 / span_m), 8.0), 15.0), 2)
    return _deck([_points("neighbours", others, radius_m=120, min_pixels=5),
                  _points("station", me, radius_m=160, min_pixels=8, outline_pixels=2)],
                 pdk.ViewState(latitude=lat, longitude=lon, min_zoom=8, max_zoom=16, zoom=zoom),
                 (profile["district"],), lang, pickable_base=False)
