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

import math
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

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


KNOWN_KEYS = {"kind", "timezone", "timestamp_format", "crs", "service_area", "columns", "values", "join"}
CRS_NAMES = {"wgs84", "wgs-84", "gcj02", "gcj-02", "bd09", "bd-09", "bd09ll"}
_FORMAT_DIRECTIVE = re.compile(r"%-?[a-zA-Z%]")


def _text(path: Path, where: str, value: object) -> str:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise MappingError(f"{path}: {where} 必须是非空文本 / must be non-empty text, got {value!r}")
    return value


def _duckdb_accepts(sql: str, value: str) -> str | None:
    """None if DuckDB runs `sql` with `value` bound, else the first line of its refusal."""
    con = duckdb.connect()
    try:
        con.execute(sql, [value]).fetchall()
        return None
    except duckdb.Error as e:
        return str(e).splitlines()[0][:120]
    finally:
        con.close()


def _pattern(path: Path, where: str, pattern: object) -> str:
    """A regex DuckDB (RE2: linear time, no catastrophic backtracking) accepts, with a group to extract."""
    pattern = _text(path, where, pattern)
    if error := _duckdb_accepts("select regexp_extract('', ?, 0)", pattern):
        raise MappingError(f"{path}: {where} 不是有效的正则表达式 / is not a valid regular expression: {error}")
    try:
        groups = re.compile(pattern).groups
    except re.error:  # RE2 syntax Python does not know: DuckDB accepted it, let it say at load time
        groups = 1
    if groups < 1:  # the field is the first group
        raise MappingError(f"{path}: {where} 需要一个括号分组 / needs one (group) to extract")
    return pattern


def _timestamp_format(path: Path, fmt: object) -> str:
    fmt = _text(path, "timestamp_format", fmt)
    if not _FORMAT_DIRECTIVE.search(fmt):
        raise MappingError(f"{path}: timestamp_format {fmt!r} 不含格式符 / has no %-directive (e.g. %Y-%m-%d %H:%M:%S)")
    if error := _duckdb_accepts("select try_strptime('2024-01-01 00:00:00', [?])", fmt):
        raise MappingError(f"{path}: timestamp_format {fmt!r} 无效 / is not a valid format: {error}")
    return fmt


def _number(path: Path, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise MappingError(f"{path}: service_area 必须是数字 / service_area holds numbers only, got {value!r}")
    return float(value)


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file: every value is checked for its type before anything uses it
    (names are text, numbers are numbers, formats are formats, patterns compile)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MappingError(f"映射文件不存在 / no such mapping file: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise MappingError(f"映射文件格式错误 / mapping file is not valid TOML: {path}: {e}") from None
    unknown_keys = sorted(set(raw) - KNOWN_KEYS)
    if unknown_keys:
        raise MappingError(f"{path}: 未知设置 / unknown setting(s) {unknown_keys}; settings are {sorted(KNOWN_KEYS)}")
    kind = raw.get("kind")
    if kind is not None and kind not in vocabulary.KINDS:
        raise MappingError(f"{path}: kind must be one of {', '.join(vocabulary.KINDS)}")
    columns = raw.get("columns", {})
    if not isinstance(columns, dict):
        raise MappingError(f"{path}: [columns] must be a table of field = column")
    known_fields = set(vocabulary.FIELDS[kind]) if kind else {f for k in vocabulary.KINDS for f in vocabulary.FIELDS[k]}
    unknown = [f for f in columns if f not in known_fields]
    if unknown:
        raise MappingError(f"{path}: unknown field(s) {unknown}; fields are {sorted(known_fields)}")
    for fname, spec in columns.items():
        where = f"[columns] {fname}"
        if isinstance(spec, str):
            _text(path, where, spec)
        elif isinstance(spec, list):
            if not spec:
                raise MappingError(f"{path}: {where} 列表为空 / lists no column")
            for col in spec:
                _text(path, where, col)
        elif isinstance(spec, dict):
            if "column" not in spec:
                raise MappingError(f"{path}: [columns] {fname} needs `column = \"...\"`")
            extra = sorted(set(spec) - {"column", "pattern"})
            if extra:
                raise MappingError(f"{path}: {where} 只能有 column 和 pattern / takes only column and pattern, not {extra}")
            _text(path, where + ".column", spec["column"])
            if "pattern" in spec:
                _pattern(path, where + ".pattern", spec["pattern"])
        else:
            raise MappingError(f"{path}: {where} 必须是列名、列名列表或 {{column, pattern}} / must be a column name, "
                               f"a list of names or {{column, pattern}}, got {spec!r}")
    values = raw.get("values", {})
    if not isinstance(values, dict):
        raise MappingError(f"{path}: [values] must hold one table per field")
    translations: dict[str, dict[str, str]] = {}
    for fname, table in values.items():
        if fname not in known_fields:
            raise MappingError(f"{path}: [values.{fname}] is not a field; fields are {sorted(known_fields)}")
        if not isinstance(table, dict):
            raise MappingError(f"{path}: [values.{fname}] must be a table of source value = code")
        for source, code in table.items():
            if isinstance(code, bool) or not isinstance(code, (str, int, float)):
                raise MappingError(f"{path}: [values.{fname}] {source!r} must map to text, got {code!r}")
        translations[fname] = {str(k): str(v) for k, v in table.items()}
    formats = raw.get("timestamp_format", [])
    formats = [formats] if isinstance(formats, str) else formats
    if not isinstance(formats, list):
        raise MappingError(f"{path}: timestamp_format is a format or a list of formats")
    formats = [_timestamp_format(path, f) for f in formats]
    zone = raw.get("timezone", TIMEZONE)
    if not isinstance(zone, str) or zone not in zoneinfo.available_timezones():
        raise MappingError(f"{path}: timezone {zone!r} 不是有效时区 / is not a time zone name (e.g. Asia/Shanghai)")
    crs = raw.get("crs")
    if crs is not None and (not isinstance(crs, str) or crs.strip().lower().replace("_", "-") not in CRS_NAMES):
        raise MappingError(f"{path}: crs {crs!r} must be one of WGS-84, GCJ-02, BD-09")
    area = raw.get("service_area")
    if area is not None:
        if not isinstance(area, list) or len(area) != 4:
            raise MappingError(f"{path}: service_area is [lon_min, lat_min, lon_max, lat_max]")
        area = tuple(_number(path, v) for v in area)
        lon_min, lat_min, lon_max, lat_max = area
        if not (-180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90):
            raise MappingError(f"{path}: service_area is [lon_min, lat_min, lon_max, lat_max] in degrees, min < max")
    join = raw.get("join", {})
    if not isinstance(join, dict) or set(join) - {"file", "on"} or (join and set(join) != {"file", "on"}):
        raise MappingError(f"{path}: [join] needs file = \"...\" and on = \"...\"")
    if join:
        join_file = _text(path, "[join] file", join["file"])
        if Path(join_file).name != join_file or join_file in (".", ".."):
            raise MappingError(f"{path}: [join] file must be a file name next to the mapped file, not a path: {join_file!r}")
        _text(path, "[join] on", join["on"])
    return Mapping(
        source=path, kind=kind, columns=columns, values=translations,
        timestamp_formats=formats, timezone=zone, crs=crs,
        service_area=area,
        join_file=join.get("file"), join_on=join.get("on"),
    )
