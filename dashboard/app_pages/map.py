"""地图 Map: where incidents happen and where the stations are, drawn offline.

Named queries: map/incident_hexes, map/station_points.
"""

import streamlit as st

from dashboard import data, i18n, maps, sections
from dashboard.filters import current
from emss import figures

QUERIES = ["map/incident_hexes", "map/station_points"]

f = current()
lang = f.lang
sections.header("map_title", f, QUERIES)

hexes = data.run("map/incident_hexes", **f.period)
stations = data.run("map/station_points", as_of=f.end, **f.scope)

if hexes.height == 0:
    st.info(i18n.t("map_no_incidents"))
if stations.height == 0:
    st.info(i18n.t("map_no_stations"))

# ---- legend, above the map so it is read first -------------------------------------------
shown = sorted(set(stations["station_type"].to_list())) if stations.height else []
chips = [f"<b>{i18n.t('legend_title')}</b>&nbsp;&nbsp;"]
for code in (c for c in figures.STATION_TYPE_RGB if not shown or c in shown):
    colour = figures.hex_colour(figures.station_type_colour(code))
    chips.append(
        f'<span style="display:inline-block;margin:0 14px 4px 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:50%;'
        f'background:{colour};margin-right:5px;vertical-align:middle"></span>'
        f'{i18n.label("station_type", code)}</span>'
    )
if hexes.height:
    ramp = "".join(
        f'<span style="display:inline-block;width:22px;height:12px;vertical-align:middle;'
        f'background:rgba({r},{g},{b},0.85)"></span>'
        for r, g, b, _ in (maps.density_colour(x / 4) for x in range(5))
    )
    chips.append(f'<span style="white-space:nowrap">{ramp}&nbsp;{i18n.t("legend_hex", max=int(hexes["incidents"].max()))}</span>')
st.markdown("".join(chips), unsafe_allow_html=True)  # the catalog's words and fixed colours only

st.pydeck_chart(maps.deck(hexes, stations, f.districts, lang), height=640, key="map_deck")
st.caption(i18n.t("map_counts", stations=f"{stations.height:,}", incidents=f"{int(hexes['incidents'].sum()):,}",
                  cells=f"{hexes.height:,}"))
st.caption(i18n.t("map_caption"))
