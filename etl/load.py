"""Load export files into the warehouse: read, map, normalise, validate, upsert.

One call loads any number of files as one step: all of it lands or none of it
does (see warehouse.connection.open_writer). A file already loaded (same
checksum) is skipped. Within a kind, a later file revises earlier ones key by
key; every delivered version stays in the raw layer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import polars_h3 as plh3

from emss import geo, messages, profiles
from etl import rules, vocabulary
from etl.mapping import Mapping, MappingError
from etl.readers import Export, ExportError, read_export, release
from etl.reports import BatchReport
from etl.scratch import scratch_folder
from etl.staging import SQL_DIR, parsing_macros, plan, prepare_lookups, stage
from warehouse import build, partitions
from warehouse.connection import open_reader, open_writer, writer_lock
from warehouse.quoting import UnsafeName

LOAD_ORDER = ["stations", "targets", "inventory", "incidents",  # registry first: others refer to it
              "patrols", "hazards", "outreach", "desk_services"]
RAW_TABLE = {"incidents": "raw.incident_rows", "stations": "raw.station_rows",
             "inventory": "raw.inventory_rows", "targets": "raw.target_rows",
             "patrols": "raw.patrol_rows", "hazards": "raw.hazard_rows",
             "outreach": "raw.outreach_rows", "desk_services": "raw.desk_service_rows"}
CORE_TABLE = {"incidents": "core.responses", "stations": "core.stations",
              "inventory": "core.inventory_counts", "targets": "core.station_targets",
              "patrols": "core.patrols", "hazards": "core.hazards",
              "outreach": "core.outreach_events", "desk_services": "core.desk_services"}
# Kinds whose rows name a station: one not in the registry is flagged (etl/rules.py unknown_station).
STATION_REFERRING = ("incidents", "inventory", "patrols", "hazards", "outreach", "desk_services")
H3_RESOLUTION = 8


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _known_checksums(warehouse: Path) -> set[str]:
    if not warehouse.exists():
        return set()
    con = open_reader(warehouse)
    try:
        return {r[0] for r in con.execute("select load_key from meta.batches where outcome = 'loaded'").fetchall()}
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


POSITION_CHUNK = 1_000_000


def _positions(con: duckdb.DuckDBPyConnection, with_cell: bool) -> None:
    """Temp table `positions` (row_id, lon, lat[, h3_r8]): each row of `typed` placed in WGS-84.

    Obvious lat/lon swaps are undone; GCJ-02 and BD-09 are converted by emss.geo, and the H3
    cell (resolution 8) comes from polars-h3 (DuckDB's h3 extension would be a download), all
    vectorised, a million rows at a time so that memory stays flat. Only the coordinate columns
    leave DuckDB."""
    con.execute("create or replace temp table positions (row_id integer, lon double, lat double"
                + (", h3_r8 varchar)" if with_cell else ")"))
    low, high = con.execute("select min(row_id), max(row_id) from typed").fetchall()[0]
    for start in range(low or 0, (high or -1) + 1, POSITION_CHUNK):
        rows = con.sql("select row_id, lon_in, lat_in, system from typed where row_id >= ? and row_id < ?",
                       params=[start, start + POSITION_CHUNK]).pl()
        x, y = rows["lon_in"].cast(pl.Float64).to_numpy().copy(), rows["lat_in"].cast(pl.Float64).to_numpy().copy()
        swapped = (np.abs(y) > 90) & (np.abs(x) <= 90)
        x, y = np.where(swapped, y, x), np.where(swapped, x, y)
        systems = rows["system"].to_numpy()
        for name, convert in (("gcj02", geo.gcj02_to_wgs84), ("bd09", geo.bd09_to_wgs84)):
            picked = systems == name
            if picked.any():  # 3 steps: within 0.1 mm, half the time of the default
                x[picked], y[picked] = convert(x[picked], y[picked], steps=3)
        placed = pl.DataFrame({"row_id": rows["row_id"], "lon": x, "lat": y}).fill_nan(None)
        if with_cell:
            placed = placed.with_columns(plh3.latlng_to_cell("lat", "lon", H3_RESOLUTION, return_dtype=pl.Utf8).alias("h3_r8"))
        con.register("placed", placed)
        con.execute("insert into positions select * from placed")
        con.unregister("placed")


def _normalise(con: duckdb.DuckDBPyConnection, kind: str, default_crs: str) -> None:
    """Temp table `typed`: the parse view read once; for kinds with coordinates, with the
    coordinate system each row is in, and temp table `positions` placing every row."""
    if kind in ("incidents", "stations"):
        con.execute("create or replace temp table typed as select *, crs_code(coalesce(crs, ?)) as system from parsed",
                    [default_crs])
        _positions(con, with_cell=kind == "incidents")
    else:
        con.execute("create or replace temp table typed as select * from parsed")
        con.execute("create or replace temp table positions as select row_id from typed limit 0")


def _check(con: duckdb.DuckDBPyConnection, kind: str, service_area=None, has_coordinates: bool = True) -> None:
    """Evaluate every rule of the kind on `typed`: temp table `checked` says per row whether it is
    rejected or flagged, temp table `problems` holds one row per (row, broken rule)."""
    key = [f"coalesce(cast({k} as varchar), '')" for k in rules.KEYS[kind]]
    extra = ""
    if kind in STATION_REFERRING:
        has_registry = con.execute("select count(*) > 0 from core.stations").fetchall()[0][0]
        extra = (", case when t.station_id is null then null else t.station_id in (select station_id from core.stations) end"
                 " as station_known") if has_registry else ", cast(null as boolean) as station_known"
    # a key seen twice in the file: the first occurrence is loaded, the others are duplicates
    con.execute(f"""create or replace temp table repeated_keys as
                    select {", ".join(f"{k} as k{i}" for i, k in enumerate(key))},
                           min(row_id) as first_row_id, min(source_row) as first_source_row
                    from typed group by all having count(*) > 1""")
    on = " and ".join(f"d.k{i} = {k.replace('cast(', 'cast(t.')}" for i, k in enumerate(key))
    con.execute(f"""
        create or replace temp view ranked as
        select t.*, pos.* exclude (row_id), coalesce(t.row_id <> d.first_row_id, false) as is_duplicate,
               d.first_source_row {extra}
        from typed t left join positions pos using (row_id) left join repeated_keys d on {on}
    """)
    checks = [r for r in rules.rules_for(kind, service_area)
              if has_coordinates or r.name != "coordinates"]  # a file without positions is not wrong row by row
    def any_of(action: str) -> str:
        return " or ".join(f"coalesce({r.predicate}, false)" for r in checks if r.action == action) or "false"
    con.execute(f"""
        create or replace temp table checked as
        select *, {any_of(rules.REJECT)} as is_rejected, {any_of(rules.FLAG)} as is_flagged from ranked
    """)
    items = ", ".join(
        f"case when coalesce({r.predicate}, false) then {{'rule': '{r.name}', 'action': '{r.action}', "
        f"'message': coalesce({r.message}, '{r.name}')}} end"
        for r in checks
    )
    con.execute(f"""
        create or replace temp table problems as
        select row_id, source_row, is_rejected, p.rule, p.action, p.message
        from (select row_id, source_row, is_rejected, unnest(list_filter([{items}], lambda p: p is not null)) as p
              from checked where is_rejected or is_flagged)
    """)


_CORE_SELECT = {
    "incidents": """
        select incident_id, station_id, incident_type, channel, district, street, community, address,
               lon, lat, h3_r8, call_at, dispatch_at, depart_at, arrive_at, clear_at, staff_sent, vehicles_sent,
               -- never below zero: under a mapping's minute precision the order rule tolerates an
               -- inversion within the rounding (etl/rules.py), which is a zero, not a negative, duration
               non_negative_s(dispatch_at - call_at) as call_processing_s,
               non_negative_s(depart_at - dispatch_at) as turnout_s,
               non_negative_s(arrive_at - depart_at) as travel_s,
               non_negative_s(arrive_at - call_at) as response_s,
               non_negative_s(clear_at - arrive_at) as on_scene_s,
               is_flagged, {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "stations": """
        select station_id, station_name, station_type, district, street, community, host_venue, lon, lat,
               opened_on, closed_on, duty_mode, is_24h, staff_count, captain_count, vice_captain_count,
               communicator_count, safety_officer_count, vehicle_count, is_forest, {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "inventory": """
        select station_id, counted_on, item, item_category, quantity, required_quantity, unit, expires_on, status,
               {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "targets": """
        select year, station_type, district, target_count, {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "patrols": """
        select patrol_id, station_id, start_at, end_at, street, community, place_type, places_visited,
               staff_on_patrol, hazards_found, is_flagged, {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "hazards": """
        select hazard_id, station_id, found_on, place, place_type, street, community, hazard_type, level,
               deadline_on, rectified_on,
               -- rectified when the register gives a date or says so; a date wins over a stale status
               case when rectified_on is not null then 'rectified' else coalesce(status, 'open') end as status,
               is_flagged, {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "outreach": """
        select event_id, station_id, held_on, kind, discipline, street, community, participants, hours,
               is_flagged, {batch} as batch_id, source_row
        from checked where not is_rejected""",
    "desk_services": """
        select station_id, served_at, service, service_count, is_flagged, {batch} as batch_id, source_row
        from checked where not is_rejected""",
}


def _upsert(con: duckdb.DuckDBPyConnection, kind: str, batch_id: int) -> int:
    table, key = CORE_TABLE[kind], rules.KEYS[kind]
    con.execute(f"create or replace temp view incoming as {_CORE_SELECT[kind].format(batch=batch_id)}")
    # keys the rules require are never null, so they match by plain equality (a hash join that can
    # skip stored row groups); a key that may be blank matches blank to blank
    match = " and ".join(f"t.{k} = i.{k}" if k not in rules.OPTIONAL_KEYS else f"t.{k} is not distinct from i.{k}"
                         for k in key)
    # and the first key's range, so that stored row groups holding none of these keys are skipped
    if table in partitions.PARTITIONED:  # keys are required there, so they match by plain equality
        # only the keys are kept: the rows are read once, by the write (kept as a table too, they
        # took 10 s of a 5.6 M-row export at 10 M incidents, and the file's upsert 16 % longer at 1 M)
        con.execute(f"create or replace temp table incoming_keys as select distinct {', '.join(key)} from incoming")
        partitions.replace_keys(con, table, "incoming_keys", key, "incoming")
    else:
        low, high = con.execute(f"select min({key[0]}), max({key[0]}) from incoming").fetchall()[0]
        con.execute(f"delete from {table} t using (select {', '.join(key)} from incoming) i "
                    f"where t.{key[0]} between ? and ? and {match}", [low, high])
        con.execute(f"insert into {table} by name select * from incoming")
    if kind == "incidents":  # what the derived tables must recompute (see warehouse.build.rebuild_derived)
        con.execute("insert into touched_incidents select distinct incident_id from incoming")
        con.execute("insert into touched_batches values (?)", [batch_id])
    return con.execute("select count(*) from checked where not is_rejected").fetchall()[0][0]


TIMESTAMP_FIELDS = ("call_at", "dispatch_at", "depart_at", "arrive_at", "clear_at")


def to_local_time(con: duckdb.DuckDBPyConnection, source_tz: str) -> None:
    """Exports in another zone are moved to the warehouse's local time (the city's, from its profile).

    Only wall-clock times move: a timestamp written with its offset is an instant, which parse_ts
    already gave in local time. Where the zone's clocks change, wall_clock_instant and
    wall_clock_instant_after (etl/sql/macros.sql) say which instant a time names; the steps are
    read in order (TIMESTAMP_FIELDS), each after the latest before it."""
    local_tz = profiles.current().timezone
    if source_tz == local_tz:
        return
    # one subquery per step, each reading the one before as a column: in one select list DuckDB
    # would expand every reference to an earlier step, twice as much work per step (10x at 5 steps)
    steps, latest = "typed", None
    for c in TIMESTAMP_FIELDS:
        wall = f"wall_clock_instant_after($zone, {c}, {latest})" if latest else f"wall_clock_instant($zone, {c})"
        steps = f"(select *, coalesce(parse_instant({c}_text), {wall}) as {c}_instant from {steps})"
        steps = f"(select *, {f'greatest({latest}, {c}_instant)' if latest else f'{c}_instant'} as {c}_latest from {steps})"
        latest = f"{c}_latest"
    helpers = ", ".join(f"{c}_instant, {c}_latest" for c in TIMESTAMP_FIELDS)
    local = ", ".join(f"timezone($local, {c}_instant) as {c}" for c in TIMESTAMP_FIELDS)
    con.execute(f"create or replace temp table typed as select * exclude ({helpers}) replace ({local}) from {steps}",
                {"zone": source_tz, "local": local_tz})


def _load_one(con: duckdb.DuckDBPyConnection, export: Export, kind: str, sha: str, default_crs: str,
              mapping: Mapping | None, scratch: Path) -> BatchReport:
    started = profiles.city_now()
    batch_id = con.execute("select coalesce(max(batch_id), 0) + 1 from meta.batches").fetchall()[0][0]
    rows_read = stage(con, export, kind, mapping, scratch)
    report = BatchReport(export.path.name, kind, "loaded", batch_id, export.encoding, rows_read=rows_read,
                         personal_columns=list(export.personal))
    parsing_macros(con, mapping.timestamp_formats if mapping else [])
    delivered = f"select {batch_id} as batch_id, * exclude (row_id) from stg"
    if RAW_TABLE[kind] in partitions.PARTITIONED:
        partitions.append(con, RAW_TABLE[kind], delivered, part=batch_id)  # the rows of one batch
    else:
        con.execute(f"insert into {RAW_TABLE[kind]} by name {delivered}")
    con.execute((SQL_DIR / f"{kind}.sql").read_text(encoding="utf-8"))
    _normalise(con, kind, mapping.crs if mapping and mapping.crs else default_crs)
    if kind == "incidents":
        to_local_time(con, (mapping.timezone if mapping else None) or profiles.current().timezone)
    has_coordinates = kind in ("incidents", "stations") and con.execute(
        "select count(*) > 0 from stg where lon is not null or lat is not null").fetchall()[0][0]
    _check(con, kind, mapping.service_area if mapping else None, has_coordinates)
    name = export.path.name
    con.execute("""
        insert into meta.rejects
        select ?, ?, p.source_row, p.rule, p.message, s.raw
        from (select * from problems where action = 'reject') p
        join (select row_id, to_json(struct_pack(*columns(* exclude (row_id, source_row)))) as raw from stg
              where row_id in (select row_id from problems where action = 'reject')) s
          using (row_id)
    """, [batch_id, name])
    con.execute("""
        insert into meta.flags
        select ?, ?, source_row, rule, message from problems where action = 'flag' and not is_rejected
    """, [batch_id, name])
    report.rows_loaded = _upsert(con, kind, batch_id)
    counts = con.execute("select count(*) filter (where is_rejected), count(*) filter (where is_flagged and not is_rejected) from checked").fetchall()[0]
    report.rows_rejected, report.rows_flagged = counts
    report.by_rule = dict(con.execute("select rule, count(*) from problems group by 1 order by 2 desc").fetchall())
    report.examples = [
        {"row": r, "rule": ru, "message": m}
        for r, ru, m in con.execute("""
            select source_row, rule, message from problems
            qualify row_number() over (partition by rule order by source_row) <= 3
            order by rule, source_row
        """).fetchall()
    ]
    _release(con)
    con.execute(
        """insert into meta.batches (batch_id, source_file, sha256, kind, encoding, sheet, header_row, rows_read,
                                     rows_loaded, rows_rejected, rows_flagged, started_at, finished_at, outcome)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded')""",
        [batch_id, name, sha, kind, export.encoding, export.sheet, export.header_row, report.rows_read,
         report.rows_loaded, report.rows_rejected, report.rows_flagged, started, profiles.city_now()],
    )
    return report


# One file's working tables, the size of the file: dropped once it is written, so that the next file
# and the marts have the load's memory (LOAD_MEMORY_LIMIT) to themselves; held, they made the marts'
# grouping spill (the marts of a million incidents built in twice the time).
PER_FILE_TABLES = ("delivered_joined", "typed", "positions", "repeated_keys", "checked", "problems",
                   "incoming_keys")


def _release(con: duckdb.DuckDBPyConnection) -> None:
    release(con, "delivered")  # a view, and the table of rows it names (etl.readers.materialise)
    for table in PER_FILE_TABLES:
        con.execute(f"drop table if exists temp.main.{table}")


class StrictError(Exception):
    """--strict: a file's reject rate passed the threshold, so nothing was loaded."""


def _load_key(path: Path, mapping: Mapping | None, sha: str) -> str:
    """What makes two loads the same: the file (its checksum `sha`), and the mapping (and joined file) it was read with."""
    h = hashlib.sha256(sha.encode())
    if mapping is not None:
        h.update(mapping.source.read_bytes())
        if mapping.join_file and (path.parent / mapping.join_file).exists():
            h.update(file_sha256(path.parent / mapping.join_file).encode())
    return h.hexdigest()


def ingest(paths: list[str | Path], warehouse: str | Path, kind: str | None = None,
           default_crs: str = "WGS-84", mapping: Mapping | str | Path | None = None,
           strict: float | None = None, progress=None) -> list[BatchReport]:
    """Load files into the warehouse in one atomic step; returns one report per file.

    Files that cannot be read are refused (reported, nothing of them written);
    the others still load. Files already loaded (same file, same mapping) are
    reported as unchanged. With `strict`, a file rejecting more than that share
    of its rows stops the whole load and nothing is written (StrictError).
    `progress`, if given, is called with a line of text at each stage.
    """
    say = progress or (lambda message: None)
    warehouse = Path(warehouse)
    if mapping is not None and not isinstance(mapping, Mapping):
        from etl.mapping import load_mapping
        mapping = load_mapping(mapping)
    kind = kind or (mapping.kind if mapping else None)
    # One load at a time, from before it reads what is already loaded until its result is in place.
    waiting = "另一个导入正在写入该数据仓库，等待其完成 / another load is writing this warehouse: waiting for it"
    late: dict[Path, str] = {}
    with writer_lock(warehouse, on_wait=lambda: say(waiting)), scratch_folder() as scratch:
        while True:
            try:
                return _ingest_locked(paths, warehouse, kind, default_crs, mapping, strict, say, scratch, late)
            except _LateRefusal as e:  # nothing was written: load again without that file, recording why
                late[e.path] = e.message
                say(f"拒收 / refused {e.path.name}: {e.message}")


class _LateRefusal(Exception):
    """A file that failed only once its rows were read (a bad byte past the sampled head)."""

    def __init__(self, path: Path, message: str):
        super().__init__(message)
        self.path, self.message = path, message


def _ingest_locked(paths, warehouse: Path, kind: str | None, default_crs: str, mapping: Mapping | None,
                   strict: float | None, say, scratch: Path, late: dict[Path, str]) -> list[BatchReport]:
    known = _known_checksums(warehouse)
    reports: list[BatchReport] = []
    pending: list[tuple[Export, str, str, str]] = []
    for p in map(Path, paths):
        try:
            if not p.exists():
                raise ExportError(f"文件不存在 / no such file: {p}")
            if p in late:
                raise ExportError(late[p])
            sha = file_sha256(p)
            key = _load_key(p, mapping, sha)
            if key in known:
                reports.append(BatchReport(p.name, kind, "unchanged", message="已导入过，未做改动 / already loaded; nothing changed"))
                continue
            say(f"读取 / reading {p.name}")
            export = read_export(p, header_words=mapping.source_columns() if mapping else None)
            k = kind or export.kind
            if k is None:
                closest = vocabulary.closest_kind(export.headers)
                if closest and closest[1]:
                    labels = "、".join(vocabulary.FIELDS[closest[0]][f][0] for f in closest[1])
                    kind_zh = messages.text(f"kind_{closest[0]}", "zh")
                    raise ExportError(f"像是{kind_zh}，但缺少必需列: {labels} / looks like {closest[0]} "
                                      f"but lacks required columns: {', '.join(closest[1])} (or use --kind)")
                raise ExportError("无法判断导出类型 / cannot tell what kind of export this is (use --kind)")
            if k not in vocabulary.KINDS:
                raise ExportError(f"未知类型 {k} / unknown kind {k}")
            plan(export, k, mapping)  # refuses now, before anything is written, if columns are missing
            pending.append((export, k, sha, key))
            known.add(key)
        except (ExportError, MappingError, UnsafeName) as e:
            reports.append(BatchReport(p.name, kind, "refused", message=str(e)))
    refused = [r for r in reports if r.outcome == "refused"]
    if not pending and not (refused and warehouse.exists()):
        return reports
    pending.sort(key=lambda e: (LOAD_ORDER.index(e[1]), e[0].path.name))
    # the load's connection reads these files (and its scratch copies) and nothing else
    readable = [e.path for e, *_ in pending]
    if mapping is not None and mapping.join_file:
        readable += [e.path.parent / mapping.join_file for e, *_ in pending]
    with open_writer(warehouse, readable=readable, readable_dirs=[scratch]) as con:
        build.ensure_schema(con)
        prepare_lookups(con)
        con.execute("create or replace temp table touched_incidents (incident_id varchar)")
        con.execute("create or replace temp table touched_batches (batch_id integer)")
        for r in refused:  # the refusal is part of the record, with its reason
            now = profiles.city_now()
            con.execute("""insert into meta.batches (batch_id, source_file, sha256, kind, started_at, finished_at,
                               outcome, message)
                           select coalesce(max(batch_id), 0) + 1, ?, '', coalesce(?, 'unknown'),
                                  ?, ?, 'refused', ? from meta.batches""",
                        [r.source_file, r.kind, now, now, r.message])
        for export, k, sha, key in pending:
            say(f"校验并写入 / validating and writing {export.path.name} ({export.path.stat().st_size / 1e6:,.1f} MB)")
            try:
                report = _load_one(con, export, k, sha, default_crs, mapping, scratch)
            except (ExportError, UnsafeName) as e:
                raise _LateRefusal(export.path, str(e)) from None
            con.execute("update meta.batches set load_key = ?, mapping_file = ? where batch_id = ?",
                        [key, mapping.source.name if mapping else None, report.batch_id])
            reports.append(report)
            if strict is not None and report.rows_read and report.rows_rejected / report.rows_read > strict:
                raise StrictError(
                    f"{export.path.name}: 拒收率 {report.rows_rejected / report.rows_read:.1%} 超过 {strict:.1%}，未导入任何数据 / "
                    f"reject rate {report.rows_rejected / report.rows_read:.1%} is over {strict:.1%}; nothing was loaded"
                )
        if pending:
            say("重建汇总表 / rebuilding marts")
            only_incidents = all(k == "incidents" for _, k, _, _ in pending)
            build.rebuild_derived(con, touched_incidents=only_incidents)
    return reports
