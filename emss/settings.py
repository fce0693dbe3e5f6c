"""The programme's rules and numbers, each defined once: read from the TOML files beside this
module, checked, and handed to whoever needs them (the warehouse build, the ETL, the
dashboard, the weekly report, the coverage model).

- `emss/response_rules.toml`: when the 5-minute clock starts, the arrival targets, the full
  first response, the smallest sample worth judging, the target rate (the share to arrive
  within the target), the default reporting period, the exception thresholds.
- `emss/standard.toml`: the station standard (staff, roles, vehicles, duty, kit, count age), and
  what prevention should reach (patrols, drills, training hours, rectification deadlines).
- `emss/coverage.toml`: how the 5-minute circle's reach is modelled (its target is the rules').
- `LOAD_LIMITS`: what the loader judges impossible or extreme, and the service area.

This module is the domain floor: it imports nothing of the project but the category codes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from emss import categories, profiles

PACKAGE_DIR = Path(__file__).resolve().parent
RESPONSE_RULES_FILE = PACKAGE_DIR / "response_rules.toml"
STANDARD_FILE = PACKAGE_DIR / "standard.toml"
COVERAGE_FILE = PACKAGE_DIR / "coverage.toml"

CLOCK_STARTS = ("received", "dispatched")
# The registry's role columns (core.stations.<role>_count) that the standard's [roles] may name.
ROLE_COLUMNS = ("captain", "vice_captain", "communicator", "safety_officer")


class SettingsError(ValueError):
    """A settings file that says something the product cannot do: the message names file and key."""


@dataclass(frozen=True)
class LoadLimits:
    """What the loader judges impossible (rejected) or extreme (flagged). Where the city is, its
    profile says (emss.profiles: [map] service_area)."""
    impossible_s: int = 7 * 86400         # alarm to last timestamp: a wrong date, not a response
    extreme_response_s: int = 2 * 3600    # alarm to arrival: kept and flagged


LOAD_LIMITS = LoadLimits()


@dataclass(frozen=True)
class ResponseRules:
    clock_start: dict[str, str]           # channel code (or "default") -> received | dispatched
    target_s: dict[str, int]              # incident type code (or "default") -> seconds
    full_response_measure: str            # vehicles | staff
    full_response_count: int
    min_incidents: int                    # below this many timed incidents a group is too few to judge
    target_rate: float                    # the share within the target a week is judged by (0.9 = 90 %)
    default_period_days: int              # the period every page and query shows unless told otherwise
    exceptions: dict[str, int]            # long_turnout_s, long_travel_s, very_long_total_s
    source: Path = RESPONSE_RULES_FILE

    @property
    def default_target_s(self) -> int:
        """The target for any incident type the file does not list: the programme's promise."""
        return self.target_s["default"]

    def rows(self) -> list[tuple[str, str, str]]:
        """(rule, key, value) rows, as meta.response_rules holds them for the SQL."""
        rows = [("clock_start", k, v) for k, v in self.clock_start.items()]
        rows += [("target_s", k, str(v)) for k, v in self.target_s.items()]
        rows += [("full_response", "measure", self.full_response_measure),
                 ("full_response", "count", str(self.full_response_count)),
                 ("sample", "min_incidents", str(self.min_incidents)),
                 ("target_rate", "within_target", str(self.target_rate)),
                 ("period", "default_days", str(self.default_period_days))]
        rows += [("exceptions", k, str(v)) for k, v in self.exceptions.items()]
        return rows


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{path.name}: {e}") from None


def _int(path: Path, where: str, value: object, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise SettingsError(f"{path.name}: {where} must be a whole number ≥ {low}, got {value!r}")
    return value


def _share(path: Path, where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise SettingsError(f"{path.name}: {where} must be a share above 0 and at most 1 (0.9 = 90 %), got {value!r}")
    return float(value)


def _known_code(dimension: str, code: str) -> bool:
    """A code the programme's standard list or the current city's own list holds (a typo is neither)."""
    standard = categories.INCIDENT_TYPES if dimension == "incident_type" else categories.CHANNELS
    city = profiles.current()
    return code in standard or code in city.dimensions[dimension] or dimension in city.open_dimensions


def response_rules(path: Path = RESPONSE_RULES_FILE) -> ResponseRules:
    """The response-time rules, checked, so that a typo stops with a message instead of silently
    timing every incident from the wrong moment."""
    raw = _read(path)
    clock, targets = raw.get("clock_start", {}), raw.get("target_s", {})
    if "default" not in clock or "default" not in targets:
        raise SettingsError(f"{path.name}: [clock_start] and [target_s] each need a `default`")
    for channel, start in clock.items():
        if start not in CLOCK_STARTS:
            raise SettingsError(f"{path.name}: clock_start.{channel} = {start!r}; use one of {CLOCK_STARTS}")
        if channel != "default" and not _known_code("channel", channel):
            raise SettingsError(f"{path.name}: clock_start.{channel}: no such channel code")
    for incident_type in targets:
        if incident_type != "default" and not _known_code("incident_type", incident_type):
            raise SettingsError(f"{path.name}: target_s.{incident_type}: no such incident type code")
    full = raw["full_response"]
    if full.get("measure") not in ("vehicles", "staff"):
        raise SettingsError(f"{path.name}: [full_response] measure must be vehicles or staff")
    exceptions = {k: _int(path, f"exceptions.{k}", raw["exceptions"][k], 1)
                  for k in ("long_turnout_s", "long_travel_s", "very_long_total_s")}
    return ResponseRules(
        clock_start=dict(clock),
        target_s={k: _int(path, f"target_s.{k}", v, 1) for k, v in targets.items()},
        full_response_measure=full["measure"],
        full_response_count=_int(path, "full_response.count", full.get("count"), 1),
        min_incidents=_int(path, "sample.min_incidents", raw["sample"]["min_incidents"], 1),
        target_rate=_share(path, "target_rate.within_target", raw.get("target_rate", {}).get("within_target")),
        default_period_days=_int(path, "period.default_days", raw["period"]["default_days"], 1),
        exceptions=exceptions,
        source=path,
    )


def stored_response_rules(rows: Iterable[Sequence[str]]) -> ResponseRules:
    """The rules as a warehouse holds them: `(rule, key, value)` rows of meta.response_rules (the
    `response/rules` query), as `ResponseRules.rows` wrote them when the warehouse was built.

    These are what its figures were judged by: a target line or a small-sample warning drawn
    from them agrees with the bars, even after the file was edited and before `emss rebuild`.
    A setting an older build did not store takes the file's value."""
    stored: dict[str, dict[str, str]] = {}
    for rule, key, value in rows:
        stored.setdefault(rule, {})[key] = value
    if "default" not in stored.get("target_s", {}):
        raise SettingsError("the warehouse holds no response rules: run `emss rebuild`")
    file: list[ResponseRules] = []

    def from_file() -> ResponseRules:  # read only if the warehouse lacks a setting
        if not file:
            file.append(response_rules())
        return file[0]

    def number(rule: str, key: str, fallback: str) -> int:
        value = stored.get(rule, {}).get(key)
        return int(value) if value is not None else getattr(from_file(), fallback)

    full = stored.get("full_response", {})
    return ResponseRules(
        clock_start=dict(stored.get("clock_start") or from_file().clock_start),
        target_s={k: int(v) for k, v in stored["target_s"].items()},
        full_response_measure=full.get("measure") or from_file().full_response_measure,
        full_response_count=number("full_response", "count", "full_response_count"),
        min_incidents=number("sample", "min_incidents", "min_incidents"),
        target_rate=(float(stored["target_rate"]["within_target"]) if "within_target" in stored.get("target_rate", {})
                     else from_file().target_rate),
        default_period_days=number("period", "default_days", "default_period_days"),
        exceptions={k: int(v) for k, v in stored.get("exceptions", {}).items()} or from_file().exceptions,
    )


@dataclass(frozen=True)
class Role:
    column: str        # the registry's column: core.stations.<column>_count
    name: str          # Chinese, as reports say it
    name_en: str


@dataclass(frozen=True)
class KitItem:
    kit: str           # mandatory | forest
    item: str
    required: float
    names: list[str]   # what inventories count it under
    name_en: str | None


@dataclass(frozen=True)
class Standard:
    staff_min: int
    staff_max: int
    vehicles_min: int
    duty_mode: str
    stale_after_days: int
    count_coverage_min: float        # share of stations in service with a count before readiness is judged
    roles: list[Role]
    kit: list[KitItem]
    item_names_en: dict[str, str]   # item -> English name, the kit's and other counted supplies'
    source: Path = STANDARD_FILE


def standard(path: Path = STANDARD_FILE) -> Standard:
    """The station standard (应急管理服务站建设标准), checked."""
    raw = _read(path)
    roles = []
    for role, spec in raw.get("roles", {}).items():
        if role not in ROLE_COLUMNS:
            raise SettingsError(f"{path.name}: [roles] names {role!r}, but the registry only has {ROLE_COLUMNS}")
        name, en = (spec["name"], spec.get("en", role)) if isinstance(spec, dict) else (spec, role)
        roles.append(Role(role, name, en))
    kit, names_en = [], {}
    for kit_name, items in raw["kit"].items():
        for item, spec in items.items():
            if isinstance(spec, dict):
                kit.append(KitItem(kit_name, item, spec["required"], spec.get("names", [item]), spec.get("en")))
            else:
                kit.append(KitItem(kit_name, item, spec, [item], None))
            if kit[-1].name_en:
                names_en[item] = kit[-1].name_en
    names_en.update(raw.get("item_names", {}))
    return Standard(
        staff_min=_int(path, "staff.min", raw["staff"]["min"]),
        staff_max=_int(path, "staff.max", raw["staff"]["max"]),
        vehicles_min=_int(path, "vehicles.min", raw["vehicles"]["min"]),
        duty_mode=raw["duty"]["mode"],
        stale_after_days=_int(path, "inventory.stale_after_days", raw["inventory"]["stale_after_days"], 1),
        count_coverage_min=_share(path, "inventory.coverage_min", raw["inventory"].get("coverage_min", 0.9)),
        roles=roles, kit=kit, item_names_en=names_en, source=path,
    )


@dataclass(frozen=True)
class PreventionStandard:
    """What a station's work before incidents (事前预防) should reach: emss/standard.toml [prevention]."""
    patrols_per_week: float
    drills_per_quarter: float
    training_hours: dict[str, float]         # discipline code -> hours per staff member per year
    forest_training_hours: dict[str, float]  # added for forest stations (林区站)
    rectify_days: dict[str, int]             # hazard level code -> days from found to deadline
    source: Path = STANDARD_FILE

    def rows(self) -> list[tuple[str, str, float]]:
        """(measure, key, value) rows, as meta.prevention_standard holds them for the SQL."""
        rows = [("patrols_per_week", "all", self.patrols_per_week),
                ("drills_per_quarter", "all", self.drills_per_quarter)]
        rows += [("training_hours", k, v) for k, v in self.training_hours.items()]
        rows += [("forest_training_hours", k, v) for k, v in self.forest_training_hours.items()]
        rows += [("rectify_days", k, float(v)) for k, v in self.rectify_days.items()]
        return rows


def _amount(path: Path, where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise SettingsError(f"{path.name}: {where} must be a number ≥ 0, got {value!r}")
    return float(value)


def prevention_standard(path: Path = STANDARD_FILE) -> PreventionStandard:
    """The prevention part of the station standard, checked: a discipline or level code that is not
    one of the programme's stops with a message instead of never being judged."""
    raw = _read(path).get("prevention", {})

    def by_code(table: str, codes: dict) -> dict[str, float]:
        out = {}
        for code, value in raw.get(table, {}).items():
            if code not in codes:
                raise SettingsError(f"{path.name}: prevention.{table}.{code}: no such code; use one of {sorted(codes)}")
            out[code] = _amount(path, f"prevention.{table}.{code}", value)
        return out

    patrols = _amount(path, "prevention.patrols_per_week", raw.get("patrols_per_week", 0))
    drills = _amount(path, "prevention.drills_per_quarter", raw.get("drills_per_quarter", 0))
    training = by_code("training_hours", categories.DISCIPLINES)
    forest = by_code("forest_training_hours", categories.DISCIPLINES)
    days = by_code("rectify_days", categories.HAZARD_LEVELS)
    if set(days) != set(categories.HAZARD_LEVELS):
        raise SettingsError(f"{path.name}: [prevention.rectify_days] needs every level: {sorted(categories.HAZARD_LEVELS)}")
    return PreventionStandard(
        patrols_per_week=patrols,
        drills_per_quarter=drills,
        training_hours=training,
        forest_training_hours=forest,
        rectify_days={k: int(v) for k, v in days.items()},
        source=path,
    )


ALL_HOURS = "all"    # the coverage model's band of every hour
OTHER_HOURS = "day"  # and of the hours in no configured band


@dataclass(frozen=True)
class Coverage:
    """How a station's reach is modelled (emss/coverage.toml); `target_s` is the rules' default target."""
    target_s: float = field(default_factory=lambda: float(response_rules().default_target_s))
    quantile: float = 0.5
    min_responses: int = 300
    min_station_responses: int = 20
    max_distance_m: float = 15_000.0
    period_days: int = 365
    spread_days: int = 56
    off_road_types: tuple[str, ...] = ("forest_fire",)
    bands: tuple[tuple[str, tuple[int, ...]], ...] = (("peak", (7, 8, 17, 18)), ("night", (22, 23, 0, 1, 2, 3, 4, 5)))
    fallback_intercept_s: float = 10.0
    fallback_turnout_s: float = 60.0
    fallback_speed_kmh: tuple[tuple[str, float], ...] = (("all", 17.0), ("day", 17.0), ("peak", 15.0), ("night", 21.0))

    @property
    def band_names(self) -> list[str]:
        """'all' (every hour), then 'day' (hours in no band), then the configured bands."""
        return [ALL_HOURS, OTHER_HOURS] + [name for name, _ in self.bands]

    def fallback_speed_ms(self, band: str) -> float:
        speeds = dict(self.fallback_speed_kmh)
        return speeds.get(band, speeds.get(ALL_HOURS, 17.0)) / 3.6


def coverage(path: Path = COVERAGE_FILE, rules: Path = RESPONSE_RULES_FILE) -> Coverage:
    """The coverage model's settings; anything missing keeps its default. The target is the
    response rules' default target: one promise, measured and modelled alike."""
    raw = _read(path)
    cal, fallback = raw.get("calibration", {}), raw.get("fallback", {})
    default = Coverage()
    bands = tuple((name, tuple(int(h) % 24 for h in hours)) for name, hours in raw.get("bands", {}).items())
    return Coverage(
        target_s=float(response_rules(rules).default_target_s),
        quantile=float(cal.get("quantile", default.quantile)),
        min_responses=int(cal.get("min_responses", default.min_responses)),
        min_station_responses=int(cal.get("min_station_responses", default.min_station_responses)),
        max_distance_m=float(cal.get("max_distance_m", default.max_distance_m)),
        period_days=int(cal.get("period_days", default.period_days)),
        spread_days=int(cal.get("spread_days", default.spread_days)),
        off_road_types=tuple(str(c) for c in cal.get("off_road_types", default.off_road_types)),
        bands=bands if "bands" in raw else default.bands,
        fallback_intercept_s=float(fallback.get("intercept_s", default.fallback_intercept_s)),
        fallback_turnout_s=float(fallback.get("turnout_s", default.fallback_turnout_s)),
        fallback_speed_kmh=tuple((k, float(v)) for k, v in fallback.get("speed_kmh", {}).items())
        or default.fallback_speed_kmh,
    )
