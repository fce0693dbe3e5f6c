"""User mapping files: how to read an export nobody foresaw, without changing code.

A mapping is a small TOML file:

    kind = "incidents"                         # incidents | stations | inventory | targets
    timezone = "America/Los_Angeles"           # the exports' local time (default Asia/Shanghai)
    timestamp_format = "%m/%d/%Y %I:%M:%S %p"  # or a list of formats, tried in order
    crs = "WGS-84"                             # WGS-84 | GCJ-02 | BD-09, when rows do not say
    service_area = [-122.55, 37.68, -122.33, 37.84]   # lon_min, lat_min, lon_max, lat_max

    [columns]                                  # canonical field = source column
    incident_id = "Incident Number"
    call_at = ["Call Date", "Call Time"]       # several columns, joined with a space
    lat = { column = "Location", pattern = '^\\(([-0-9.]+),' }  # the first group of a regex

    [values.incident_type]                     # source value = code (or any known label)
    "Structure Fire" = "fire"

    [join]                                     # a second file whose columns the mapping may name
    file = "mobilisations.csv"                 # next to the mapped file
    on = "IncidentNumber"                      # the column both files share

Fields the mapping does not name are still found by the built-in header words.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from emss.config import TIMEZONE
from etl import vocabulary


class MappingError(Exception):
    pass


@dataclass
class Mapping:
    source: Path
    kind: str | None = None
    columns: dict[str, object] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    timestamp_formats: list[str] = field(default_factory=list)
    timezone: str = TIMEZONE
    crs: str | None = None
    service_area: tuple[float, float, float, float] | None = None
    join_file: str | None = None
    join_on: str | None = None

    def source_columns(self) -> list[str]:
        """Every source column the mapping names (used to find the header row)."""
        out: list[str] = []
        for spec in self.columns.values():
            if isinstance(spec, str):
                out.append(spec)
            elif isinstance(spec, list):
                out.extend(spec)
            elif isinstance(spec, dict):
                out.append(spec["column"])
        return out


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"映射文件不存在 / no such mapping file: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise MappingError(f"映射文件格式错误 / mapping file is not valid TOML: {path}: {e}") from None
    kind = raw.get("kind")
    if kind is not None and kind not in vocabulary.KINDS:
        raise MappingError(f"{path}: kind must be one of {', '.join(vocabulary.KINDS)}")
    columns = raw.get("columns", {})
    known_fields = set(vocabulary.FIELDS[kind]) if kind else {f for k in vocabulary.KINDS for f in vocabulary.FIELDS[k]}
    unknown = [f for f in columns if f not in known_fields]
    if unknown:
        raise MappingError(f"{path}: unknown field(s) {unknown}; fields are {sorted(known_fields)}")
    for fname, spec in columns.items():
        if isinstance(spec, dict) and "column" not in spec:
            raise MappingError(f"{path}: [columns] {fname} needs `column = \"...\"`")
    formats = raw.get("timestamp_format", [])
    if isinstance(formats, str):
        formats = [formats]
    area = raw.get("service_area")
    if area is not None and len(area) != 4:
        raise MappingError(f"{path}: service_area is [lon_min, lat_min, lon_max, lat_max]")
    join = raw.get("join", {})
    return Mapping(
        source=path, kind=kind, columns=columns, values=raw.get("values", {}),
        timestamp_formats=list(formats), timezone=raw.get("timezone", TIMEZONE), crs=raw.get("crs"),
        service_area=tuple(area) if area else None,
        join_file=join.get("file"), join_on=join.get("on"),
    )
