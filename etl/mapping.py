"""User mapping files: how to read an export nobody foresaw, without changing code.

A mapping is a small TOML file:

    kind = "incidents"                         # incidents | stations | inventory | targets | patrols | hazards | outreach | desk_services
    timezone = "America/Los_Angeles"           # the exports' local time (default: the city's, from its profile)
    timestamp_format = "%m/%d/%Y %I:%M:%S %p"  # or a list of formats, tried in order
    crs = "WGS-84"                             # WGS-84 | GCJ-02 | BD-09, when rows do not say
    service_area = [-122.55, 37.68, -122.33, 37.84]   # lon_min, lat_min, lon_max, lat_max
    timestamp_precision = "second"             # or "minute" when the export cut its times to minutes

    [columns]                                  # canonical field = source column
    incident_id = "Incident Number"
    call_at = ["Call Date", "Call Time"]       # several columns, joined with a space
    lat = { column = "Location", pattern = '^\\(([-0-9.]+),' }  # the first group of a regex
    station_id = { value = "TFS" }             # a constant, for an export with no such column
    # incident_id = { generate = "row" }       # when the export has no id: one per row (see below)
    arrive_at = { from = "call_at", plus_seconds = "RESPONSE_SECONDS" }   # or plus_minutes

    [values.incident_type]                     # source value = code (or any known label)
    "Structure Fire" = "fire"

    [join]                                     # a second file whose columns the mapping may name
    file = "mobilisations.csv"                 # next to the mapped file
    on = "IncidentNumber"                      # the column both files share

Fields the mapping does not name are still found by the built-in header words.

Time zones. A timestamp written with its UTC offset (`2024-05-21T01:03:05+08:00`, `...+0530`,
`...Z`, or read by a `timestamp_format` with `%z` or `%Z`) is the instant it names, stored in the
warehouse's local time (the city's, from its profile) whatever `timezone` says. One without an offset is a
wall-clock time in `timezone`. Where that zone's clocks change, a time they skip (02:30 on
2024-03-10 in America/Toronto) moves on by the gap (03:30 EDT), and a time they show twice (01:30
on 2024-11-03) is its first occurrence (EDT), as Python's zoneinfo reads them (fold=0); but a later
step of the same response that would then be out of order is its second occurrence (alarm 01:55,
arrival 01:05 once the clocks went back: 10 minutes, not -50).

The other forms of a field:

- `{ value = "..." }`: every row gets this text (bound as a parameter, never pasted into SQL).
- `{ generate = "row" }` (incident_id only), for an export without an id: each row becomes its
  own incident, `<first 12 hex digits of the file's sha256>-<source row>` (e.g. `3f9a1c2b7d4e-17`).
  Loading the same file again gives the same ids (so a re-load with an edited mapping revises the
  same incidents); another file gives other ids, so a corrected re-export adds incidents rather
  than revising them.
- `{ from = "<timestamp field>", plus_seconds = "<column>" }` (or `plus_minutes`): a timestamp
  derived from another timestamp field plus a duration column: the start's instant plus the
  duration, staged as text in the mapping's time zone with its offset (`2024-05-21 10:07:05-04:00`),
  then parsed and checked like a delivered timestamp. A duration that is not a number makes the
  field unreadable (the row is rejected, with the text), a blank one leaves it blank.

`timestamp_precision = "minute"` (default "second") says the export's timestamps were cut to the
minute: the `order` rule then lets a later timestamp be earlier than the one before it by less than
a full minute (an artefact of the cutting), and still rejects an inversion of a minute or more.
"""

from __future__ import annotations

import math
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from emss.messages import first_line
from etl import vocabulary
from etl.rules import TIMESTAMP_CHAIN


class MappingError(Exception):
    pass


@dataclass
class Mapping:
    source: Path
    kind: str | None = None
    columns: dict[str, object] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    timestamp_formats: list[str] = field(default_factory=list)
    timezone: str | None = None  # the zone the export's plain times are in; None: the city's own
    crs: str | None = None
    service_area: tuple[float, float, float, float] | None = None
    join_file: str | None = None
    join_on: str | None = None
    timestamp_precision: str = "second"

    def source_columns(self) -> list[str]:
        """Every source column the mapping names (used to find the header row)."""
        return [col for spec in self.columns.values() for col in spec_columns(spec)]

    @property
    def order_tolerance_s(self) -> int:
        """How much earlier than the one before it a timestamp may be and still be in order."""
        return TIMESTAMP_PRECISIONS[self.timestamp_precision]


def spec_columns(spec: object) -> list[str]:
    """The source columns one (checked) field spec reads: none for a constant or a generated id."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, list):
        return list(spec)
    if "column" in spec:
        return [spec["column"]]
    return [spec[unit] for unit in DURATION_UNITS if unit in spec]


KNOWN_KEYS = {"kind", "timezone", "timestamp_format", "timestamp_precision", "crs", "service_area", "columns",
              "values", "join"}
# timestamp_precision -> the order rule's tolerance in seconds (etl/rules.py)
TIMESTAMP_PRECISIONS = {"second": 0, "minute": 60}
# a derived timestamp's duration column -> seconds per unit
DURATION_UNITS = {"plus_seconds": 1, "plus_minutes": 60}
GENERATED_IDS = {"incident_id": ("row",)}  # the fields a mapping may generate, and how
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
        return first_line(e, 120)
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


_SPEC_FORMS = ("{column, pattern}", "{value}", "{generate}", "{from, plus_seconds | plus_minutes}")


def _table_spec(path: Path, fname: str, spec: dict) -> None:
    """Check a field given as a table: which form it is, and every value in it for its type."""
    where = f"[columns] {fname}"
    if "column" in spec:
        form = {"column", "pattern"}
    elif "value" in spec:
        form = {"value"}
    elif "generate" in spec:
        form = {"generate"}
    elif "from" in spec:
        form = {"from", *DURATION_UNITS}
    else:
        raise MappingError(f"{path}: {where} 需要以下形式之一 / needs one of the forms {', '.join(_SPEC_FORMS)}, "
                           f"got keys {sorted(map(str, spec))}")
    extra = sorted(set(spec) - form)
    if extra:
        raise MappingError(f"{path}: {where} 只能有 {' / '.join(sorted(form))} / takes only "
                           f"{', '.join(sorted(form))}, not {extra}")
    if "column" in spec:
        _text(path, where + ".column", spec["column"])
        if "pattern" in spec:
            _pattern(path, where + ".pattern", spec["pattern"])
    elif "value" in spec:  # bound into the SQL as a parameter, so any text is safe: only its type matters
        _text(path, where + ".value", spec["value"])
    elif "generate" in spec:
        if fname not in GENERATED_IDS:
            raise MappingError(f"{path}: {where}: 只有 {', '.join(GENERATED_IDS)} 可以生成 / only "
                               f"{', '.join(GENERATED_IDS)} can be generated")
        if spec["generate"] not in GENERATED_IDS[fname]:
            raise MappingError(f"{path}: {where}.generate 必须是 / must be one of {list(GENERATED_IDS[fname])}, "
                               f"got {spec['generate']!r}")
    else:
        units = [u for u in DURATION_UNITS if u in spec]
        if len(units) != 1:
            raise MappingError(f"{path}: {where} 需要 plus_seconds 或 plus_minutes 之一 / needs exactly one of "
                               f"{', '.join(DURATION_UNITS)}")
        _text(path, f"{where}.{units[0]}", spec[units[0]])
        start = spec["from"]
        if fname not in TIMESTAMP_CHAIN or start not in TIMESTAMP_CHAIN or start == fname:
            raise MappingError(f"{path}: {where}: 推算的时间与 from 必须是两个不同的时间字段 / the derived field and "
                               f"`from` must be two different timestamp fields of {', '.join(TIMESTAMP_CHAIN)}, "
                               f"got from = {start!r}")


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
            _table_spec(path, fname, spec)
        else:
            raise MappingError(f"{path}: {where} 必须是列名、列名列表或表 / must be a column name, a list of names "
                               f"or one of {_SPEC_FORMS}, got {spec!r}")
    for fname, spec in columns.items():  # a derived timestamp starts from a field read from the file
        if isinstance(spec, dict) and "from" in spec:
            start = columns.get(spec["from"])
            if isinstance(start, dict) and ("from" in start or "value" in start):
                raise MappingError(f"{path}: [columns] {fname}.from: {spec['from']} 本身是推算或常量字段 / is itself "
                                   "derived or a constant; name a field read from the file")
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
    zone = raw.get("timezone")
    if zone is not None and (not isinstance(zone, str) or zone not in zoneinfo.available_timezones()):
        raise MappingError(f"{path}: timezone {zone!r} 不是有效时区 / is not a time zone name (e.g. Asia/Shanghai)")
    precision = raw.get("timestamp_precision", "second")
    if not isinstance(precision, str) or precision not in TIMESTAMP_PRECISIONS:
        raise MappingError(f"{path}: timestamp_precision {precision!r} 必须是 / must be one of "
                           f"{', '.join(TIMESTAMP_PRECISIONS)}")
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
        timestamp_precision=precision,
    )
