"""The city a warehouse is about: its name, clock, districts, words and map.

A city profile is a folder holding `profile.toml` (and, when the city has them, district boundaries
in `districts.geojson`, WGS-84, one Feature per district whose property `district` is the code).
`profile.toml`:

    [city]
    name_zh = "广州市"                  # required
    name_en = "Guangzhou"               # default: name_zh
    timezone = "Asia/Shanghai"          # IANA zone: every date, hour and weekday is this clock's

    [map]                               # all optional
    service_area = [113.1, 22.5, 114.1, 23.98]   # lon_min, lat_min, lon_max, lat_max: rows outside are flagged
    longitude = 113.5                   # the maps' first view (default: fits the districts)
    latitude = 23.2
    zoom = 8.5

    [vocabulary]
    open = ["incident_type"]            # dimensions kept as written, with no quality penalty

    [[districts]]                       # code, zh required; en, aliases, adcode, population, streets optional
    code = "440103"
    zh = "荔湾区"
    en = "Liwan"
    population = 1112000

    [[incident_types]]                  # optional: the programme's standard list when absent
    code = "fire"
    zh = "火灾扑救"
    en = "Fire"
    aliases = ["火警"]

    [[channels]]                        # optional, as incident_types

    [demo]                              # optional: what the built-in demo plants in this city

A profile is chosen with `--profile` or EMSS_PROFILE (a shipped profile's name, e.g. `shenzhen`, or
a folder); the warehouse records the profile it was built with (`record`), so every reader shows
that city without being told. `current()` is the profile this process works for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import shapely
from shapely.geometry import shape

from emss import categories
from emss.categories import Category

PROFILES_DIR = Path(__file__).resolve().parent
DEFAULT_PROFILE = "shenzhen"
PROFILE_FILE = "profile.toml"
BOUNDARIES_FILE = "districts.geojson"
# Dimensions a profile may declare open; the station types, item statuses and item categories are
# the programme's own (emss.categories) in every city.
CITY_DIMENSIONS = ("district", "incident_type", "channel")
# Around the districts, what still counts as in the city for the coordinate check (degrees).
SERVICE_AREA_MARGIN = 0.15


class ProfileError(ValueError):
    """A profile that cannot be used: the message names the file and what is wrong."""


@dataclass(frozen=True)
class District:
    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...] = ()
    adcode: str | None = None
    population: int | None = None
    streets: tuple[str, ...] = ()
    geometry: shapely.Geometry | None = None  # WGS-84; None when the profile has no boundaries

    def category(self) -> Category:
        return Category(self.code, self.name_zh, self.name_en, self.aliases)


@dataclass(frozen=True)
class MapView:
    longitude: float
    latitude: float
    zoom: float


@dataclass(frozen=True)
class Profile:
    name_zh: str
    name_en: str
    timezone: str
    districts: dict[str, District]
    incident_types: dict[str, Category]
    channels: dict[str, Category]
    open_dimensions: frozenset[str] = frozenset()
    service_area: tuple[float, float, float, float] | None = None
    view: MapView | None = None
    demo: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""  # where it was read from, for messages only

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @cached_property
    def dimensions(self) -> dict[str, dict[str, Category]]:
        """Every coded dimension, by the name the warehouse's label table uses."""
        return {
            "station_type": categories.STATION_TYPES,
            "incident_type": self.incident_types,
            "channel": self.channels,
            "item_status": categories.ITEM_STATUSES,
            "item_category": categories.ITEM_CATEGORIES,
            "district": {code: d.category() for code, d in self.districts.items()},
            # prevention (事前预防): the programme's own in every city
            "place_type": categories.PLACE_TYPES,
            "hazard_type": categories.HAZARD_TYPES,
            "hazard_level": categories.HAZARD_LEVELS,
            "hazard_status": categories.HAZARD_STATUSES,
            "outreach_kind": categories.OUTREACH_KINDS,
            "discipline": categories.DISCIPLINES,
            "desk_service": categories.DESK_SERVICES,
        }

    def label(self, dimension: str, code: str | None, lang: str) -> str | None:
        """A code's label in `lang`; None for no code; a value the profile does not list as written."""
        if code is None:
            return None
        cat = self.dimensions[dimension].get(code)
        if cat is None:
            return code
        return cat.zh if lang == "zh" else cat.en

    def lookup_table(self) -> list[tuple[str, str, str]]:
        """(dimension, spelling, code) for every code, label and alias: the ETL's translation table."""
        seen, out = set(), []
        for dim, cats in self.dimensions.items():
            for c in cats.values():
                for spelling in (c.code, c.zh, c.en, *c.aliases):
                    if (dim, spelling) not in seen:
                        seen.add((dim, spelling))
                        out.append((dim, spelling, c.code))
        return out

    @property
    def has_boundaries(self) -> bool:
        return any(d.geometry is not None for d in self.districts.values())

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(lon_min, lat_min, lon_max, lat_max) of the districts' boundaries, None without any."""
        shapes = [d.geometry for d in self.districts.values() if d.geometry is not None]
        if not shapes:
            return None
        b = shapely.total_bounds(shapes)
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def boundaries(self) -> dict:
        """The districts with boundaries as a GeoJSON FeatureCollection, names and population in
        the properties (what maps and reports draw)."""
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature",
             "properties": {"district": d.code, "name_zh": d.name_zh, "name_en": d.name_en,
                            "adcode": d.adcode, "population": d.population},
             "geometry": shapely.geometry.mapping(d.geometry)}
            for d in self.districts.values() if d.geometry is not None]}

    @cached_property
    def fingerprint(self) -> str:
        """A short digest of the whole profile: a cache key that changes whenever the profile does."""
        return hashlib.sha256(self.record().encode("utf-8")).hexdigest()[:16]

    def record(self) -> str:
        """The whole profile as one JSON text: what the warehouse keeps, so readers need no folder."""
        return json.dumps(_to_raw(self), ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------ reading

def _cats(raw: list, where: str) -> dict[str, Category]:
    out: dict[str, Category] = {}
    if not isinstance(raw, list):
        raise ProfileError(f"{where}: 应为列表 / must be a list of tables")
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"].strip() \
                or not isinstance(item.get("zh"), str) or not item["zh"].strip():
            raise ProfileError(f"{where}[{i}]: 需要 code 与 zh / needs a code and a zh name")
        aliases = item.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ProfileError(f"{where}[{i}].aliases: 应为文字列表 / must be a list of strings")
        code = item["code"].strip()
        if code in out:
            raise ProfileError(f"{where}: code {code!r} 重复 / appears twice")
        out[code] = Category(code, item["zh"].strip(), str(item.get("en") or item["zh"]).strip(), tuple(aliases))
    return out


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ProfileError(f"{where}: 应为数字 / must be a number, got {value!r}")
    return float(value)


def from_raw(raw: Mapping[str, Any], source: str = "", geometries: Mapping[str, Any] | None = None) -> Profile:
    """A profile from its TOML (or recorded JSON) content, checked; `geometries` maps district
    codes to GeoJSON geometries."""
    city = raw.get("city")
    if not isinstance(city, dict) or not isinstance(city.get("name_zh"), str) or not city["name_zh"].strip():
        raise ProfileError(f"{source}: [city] name_zh 必填 / [city] needs name_zh")
    zone = city.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ProfileError(f"{source}: [city] timezone {zone!r} 不是已知时区 / is not a known time zone") from None
    geometries = dict(geometries or {})
    districts: dict[str, District] = {}
    for i, item in enumerate(raw.get("districts", [])):
        where = f"{source}: districts[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"].strip() \
                or not isinstance(item.get("zh"), str) or not item["zh"].strip():
            raise ProfileError(f"{where}: 需要 code 与 zh / needs a code and a zh name")
        code = item["code"].strip()
        if code in districts:
            raise ProfileError(f"{where}: code {code!r} 重复 / appears twice")
        population = item.get("population")
        if population is not None and (isinstance(population, bool) or not isinstance(population, int) or population < 0):
            raise ProfileError(f"{where}.population: 应为非负整数 / must be a whole number ≥ 0")
        geometry = None
        if code in geometries:
            geometry = shape(geometries.pop(code))
            if geometry.is_empty or not geometry.is_valid:
                raise ProfileError(f"{source}: {BOUNDARIES_FILE}: {code!r} 的边界无效 / boundary is not a valid polygon")
            shapely.prepare(geometry)
        for key in ("aliases", "streets"):
            value = item.get(key, [])
            if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
                raise ProfileError(f"{where}.{key}: 应为文字列表 / must be a list of strings")
        districts[code] = District(
            code=code, name_zh=item["zh"].strip(), name_en=str(item.get("en") or item["zh"]).strip(),
            aliases=tuple(item.get("aliases", [])), adcode=item.get("adcode"), population=population,
            streets=tuple(item.get("streets", [])), geometry=geometry)
    if geometries:
        raise ProfileError(f"{source}: {BOUNDARIES_FILE} 有未列出的区 / has districts the profile does not list: "
                           + ", ".join(sorted(geometries)))
    vocabulary = raw.get("vocabulary", {})
    open_dims = vocabulary.get("open", []) if isinstance(vocabulary, dict) else None
    if not isinstance(open_dims, list) or not set(open_dims) <= set(CITY_DIMENSIONS):
        raise ProfileError(f"{source}: [vocabulary] open 只能列出 / may list only {', '.join(CITY_DIMENSIONS)}")
    if not districts and "district" not in open_dims:
        open_dims = [*open_dims, "district"]  # a profile without districts keeps the exports' own
    map_raw = raw.get("map", {})
    if not isinstance(map_raw, dict):
        raise ProfileError(f"{source}: [map] 应为表 / must be a table")
    area = map_raw.get("service_area")
    if area is not None:
        if not isinstance(area, list) or len(area) != 4:
            raise ProfileError(f"{source}: [map] service_area is [lon_min, lat_min, lon_max, lat_max]")
        area = tuple(_number(v, f"{source}: [map] service_area") for v in area)
        if not (area[0] < area[2] and area[1] < area[3]):
            raise ProfileError(f"{source}: [map] service_area: min < max")
    view = None
    if "longitude" in map_raw or "latitude" in map_raw:
        view = MapView(_number(map_raw.get("longitude"), f"{source}: [map] longitude"),
                       _number(map_raw.get("latitude"), f"{source}: [map] latitude"),
                       _number(map_raw.get("zoom", 10), f"{source}: [map] zoom"))
    profile = Profile(
        name_zh=city["name_zh"].strip(), name_en=str(city.get("name_en") or city["name_zh"]).strip(),
        timezone=str(zone), districts=districts,
        incident_types=_cats(raw["incident_types"], f"{source}: incident_types") if "incident_types" in raw
        else categories.INCIDENT_TYPES,
        channels=_cats(raw["channels"], f"{source}: channels") if "channels" in raw else categories.CHANNELS,
        open_dimensions=frozenset(open_dims), service_area=area, view=view,
        demo=raw.get("demo", {}) if isinstance(raw.get("demo", {}), dict) else {}, source=source)
    if profile.service_area is None and profile.has_boundaries:
        b = profile.bounds()
        m = SERVICE_AREA_MARGIN
        profile = _replace(profile, service_area=(round(b[0] - m, 3), round(b[1] - m, 3),
                                                  round(b[2] + m, 3), round(b[3] + m, 3)))
    if profile.view is None and profile.has_boundaries:
        profile = _replace(profile, view=fit_view(profile.bounds()))
    return profile


def _replace(profile: Profile, **changes) -> Profile:
    return dataclasses.replace(profile, **changes)


def fit_view(bounds: tuple[float, float, float, float], width: int = 900, height: int = 560) -> MapView:
    """A web-mercator view that shows the box in about width x height pixels (deck.gl: a 512-pixel
    world at zoom 0)."""
    west, south, east, north = bounds
    span_lon = max(east - west, 1e-3)
    span_lat = max(north - south, 1e-3) / math.cos(math.radians((north + south) / 2))
    zoom = min(math.log2(width * 360 / (512 * span_lon)), math.log2(height * 360 / (512 * span_lat)), 13.0)
    return MapView(round((east + west) / 2, 5), round((north + south) / 2, 5), round(zoom, 2))


def load(where: str | os.PathLike) -> Profile:
    """A profile by shipped name (`shenzhen`), folder, or path of its profile.toml."""
    path = Path(where)
    if not path.exists() and (PROFILES_DIR / str(where) / PROFILE_FILE).is_file():
        path = PROFILES_DIR / str(where)
    folder = path if path.is_dir() else path.parent
    toml_path = path / PROFILE_FILE if path.is_dir() else path
    if not toml_path.is_file():
        shipped = ", ".join(sorted(p.parent.name for p in PROFILES_DIR.glob(f"*/{PROFILE_FILE}")))
        raise ProfileError(f"{where}: 找不到城市配置 / no city profile there (a folder with {PROFILE_FILE}, "
                           f"or one of: {shipped})")
    try:
        raw = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"{toml_path.name}: {e}") from None
    geometries = {}
    boundaries = folder / BOUNDARIES_FILE
    if boundaries.is_file():
        try:
            collection = json.loads(boundaries.read_text(encoding="utf-8"))
            geometries = {str(f["properties"]["district"]): f["geometry"] for f in collection["features"]}
        except (ValueError, KeyError, TypeError) as e:
            raise ProfileError(f"{boundaries.name}: 每个 Feature 需要 properties.district 与 geometry / "
                               f"every Feature needs properties.district and a geometry ({e})") from None
    return from_raw(raw, source=str(toml_path.parent.name), geometries=geometries)


def from_record(text: str) -> Profile:
    """The profile a warehouse recorded (Profile.record)."""
    raw = json.loads(text)
    return from_raw(raw, source=raw.get("source", ""), geometries=raw.get("geometries", {}))


def _to_raw(p: Profile) -> dict:
    def cats(d: dict[str, Category]) -> list[dict]:
        return [{"code": c.code, "zh": c.zh, "en": c.en, "aliases": list(c.aliases)} for c in d.values()]

    raw: dict[str, Any] = {
        "source": p.source,
        "city": {"name_zh": p.name_zh, "name_en": p.name_en, "timezone": p.timezone},
        "vocabulary": {"open": sorted(p.open_dimensions)},
        "districts": [{k: v for k, v in {"code": d.code, "zh": d.name_zh, "en": d.name_en, "aliases": list(d.aliases),
                                         "adcode": d.adcode, "population": d.population,
                                         "streets": list(d.streets)}.items() if v is not None}
                      for d in p.districts.values()],
        "incident_types": cats(p.incident_types), "channels": cats(p.channels),
        "map": {}, "demo": dict(p.demo),
        "geometries": {d.code: shapely.geometry.mapping(d.geometry) for d in p.districts.values()
                       if d.geometry is not None},
    }
    if p.service_area:
        raw["map"]["service_area"] = list(p.service_area)
    if p.view:
        raw["map"].update(longitude=p.view.longitude, latitude=p.view.latitude, zoom=p.view.zoom)
    return raw


# ------------------------------------------------------------------ the profile this process works for

_current: Profile | None = None


def chosen() -> str:
    """The profile asked for: EMSS_PROFILE, else the shipped default."""
    return os.environ.get("EMSS_PROFILE") or DEFAULT_PROFILE


def current() -> Profile:
    """The profile in use: the one `use` set (a command reads it from its warehouse), else `chosen()`."""
    global _current
    if _current is None:
        _current = load(chosen())
    return _current


def city_now() -> dt.datetime:
    """The wall-clock time in the current city, without a zone, as the warehouse keeps every time
    (a load's start and end, an audit event, a snapshot): the city's, whatever the server's zone."""
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo(current().timezone)).replace(tzinfo=None)


def use(profile: Profile | None) -> None:
    """Work for this profile from now on (None: back to `chosen()`)."""
    global _current
    _current = profile
