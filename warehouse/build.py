"""Create the warehouse's tables and rebuild what is derived from them.

Layers, in the order they are built:
  schema/   meta (batches, rejects, labels), raw (as delivered), core (clean facts)
  derived/  core.incidents, marts (what pages read), and the analyst views
The SQL files are the definition; this module only runs them in order.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import duckdb

from emss import messages, profiles, settings
from emss.settings import RESPONSE_RULES_FILE, STANDARD_FILE
from warehouse import partitions
from warehouse.connection import open_writer
from warehouse.prevention import load_prevention_standard
from warehouse.quoting import insert_rows, literal

WAREHOUSE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = WAREHOUSE_DIR / "schema"
DERIVED_DIR = WAREHOUSE_DIR / "derived"


def _run_files(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for sql_file in sorted(folder.glob("*.sql")):
        _run_statements(con, sql_file.read_text(encoding="utf-8"))


def _run_statements(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run `sql`; a big table it creates (warehouse.partitions.PARTITIONED) is written as Parquet files,
    a table of AFTER_PIN left to _run_after_pin."""
    for query in _before_pin(con, sql):
        m = _CTAS.match(query)
        if m and m.group(1) in partitions.PARTITIONED:
            partitions.rewrite(con, m.group(1), m.group(2))
        else:
            con.execute(query)


def _before_pin(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """The statements of `sql` but those building a table of AFTER_PIN (see _run_after_pin)."""
    return [st.query for st in con.extract_statements(sql) if not _is_after_pin(st.query)]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create meta, raw and core tables if missing, and refresh the label table."""
    if con.execute("""select count(*) from duckdb_constraints() where database_name = current_database()
                      and schema_name = 'core' and table_name = 'responses' and constraint_type = 'PRIMARY KEY'""").fetchall()[0][0]:
        # warehouses built before core.responses lost its index: same columns, rows moved across
        con.execute("alter table core.responses rename to responses_indexed")
        _run_files(con, SCHEMA_DIR)
        con.execute("insert into core.responses select * from core.responses_indexed")
        con.execute("drop table core.responses_indexed")
    if con.execute("""select count(*) from duckdb_tables() where database_name = current_database()
                      and schema_name = 'core' and table_name = 'incidents'""").fetchall()[0][0]:
        con.execute("drop table core.incidents")  # now a view over marts.incidents, made by the rebuild
    _run_files(con, SCHEMA_DIR)
    for table in ("raw.incident_rows", "core.responses"):  # out of the file, in a warehouse built before
        if not partitions.is_partitioned(con, table):
            partitions.rewrite(con, table, f"select * from {table}")
    partitions.fill_ranges(con)
    record_profile(con)


class ProfileMismatch(ValueError):
    """A load or rebuild for another city (or another clock) than the warehouse holds."""


def recorded_profile(con: duckdb.DuckDBPyConnection) -> profiles.Profile | None:
    """The city profile the warehouse was built with, None for one built before profiles."""
    if not con.execute("""select count(*) from duckdb_tables() where database_name = current_database()
                          and schema_name = 'meta' and table_name = 'profile'""").fetchall()[0][0]:
        return None
    rows = con.execute("select record from meta.profile").fetchall()
    return profiles.from_record(rows[0][0]) if rows else None


def check_same_city(recorded: profiles.Profile | None, city: profiles.Profile) -> None:
    """ProfileMismatch when a warehouse recorded for one city (or clock) is about to be written for another."""
    if recorded is not None and (recorded.name_zh, recorded.timezone) != (city.name_zh, city.timezone):
        raise ProfileMismatch(messages.both("profile_mismatch", warehouse=f"{recorded.name_zh} ({recorded.timezone})",
                                            profile=f"{city.name_zh} ({city.timezone})"))


def record_profile(con: duckdb.DuckDBPyConnection) -> None:
    """Record the current city profile in meta.profile and its words in meta.labels. A warehouse
    holding data of another city, or of this city read on another clock, is refused: its dates and
    hours would mix two clocks."""
    city = profiles.current()
    before = recorded_profile(con)
    has_data = con.execute("select count(*) from meta.batches where outcome = 'loaded'").fetchall()[0][0]
    if has_data:
        check_same_city(before, city)
    con.execute("create or replace table meta.profile (name_zh varchar, name_en varchar, timezone varchar,"
                " record varchar)")
    con.execute("insert into meta.profile values (?, ?, ?, ?)", [city.name_zh, city.name_en, city.timezone, city.record()])
    # its districts as a table, so SQL of any engine reads them without parsing the record
    con.execute("create or replace table meta.profile_districts (district varchar primary key, population bigint,"
                " streets varchar[])")
    if city.districts:
        insert_rows(con, "meta.profile_districts", [(d.code, d.population, list(d.streets)) for d in city.districts.values()])
    con.execute("delete from meta.labels")
    insert_rows(con, "meta.labels", [(dim, c.code, c.zh, c.en) for dim, cats in city.dimensions.items() for c in cats.values()])


def load_messages(con: duckdb.DuckDBPyConnection) -> None:
    """Put the message catalog (emss/messages.toml) where the derived SQL can read its words,
    so a phrase the warehouse writes (a readiness shortfall) is the pages' phrase, written once."""
    con.execute("create or replace table meta.messages (key varchar primary key, zh varchar not null, en varchar not null)")
    keys = list(messages.STRINGS)
    con.execute("insert into meta.messages select unnest(?), unnest(?), unnest(?)",
                [keys, [messages.STRINGS[k]["zh"] for k in keys], [messages.STRINGS[k]["en"] for k in keys]])


def load_standard(con: duckdb.DuckDBPyConnection, standard_file: Path = STANDARD_FILE) -> None:
    """Put the station standard (emss/standard.toml, read by emss.settings) where the readiness SQL can read it."""
    std = settings.standard(standard_file)
    con.execute("create or replace table meta.standard (key varchar primary key, value varchar)")
    con.execute(
        "create or replace table meta.standard_kit"
        " (kit varchar, item varchar, required_quantity double, names varchar[], item_en varchar)"
    )
    con.execute("create or replace table meta.standard_roles (role varchar primary key, name varchar,"
                " item_en varchar, position integer)")
    con.execute("create or replace table meta.item_names (item varchar primary key, item_en varchar)")
    values = {
        "staff.min": std.staff_min,
        "staff.max": std.staff_max,
        "vehicles.min": std.vehicles_min,
        "duty.mode": std.duty_mode,
        "inventory.stale_after_days": std.stale_after_days,
    }
    insert_rows(con, "meta.standard", [(k, str(v)) for k, v in values.items()])
    if std.roles:
        insert_rows(con, "meta.standard_roles", [(r.column, r.name, r.name_en, i) for i, r in enumerate(std.roles)])
    insert_rows(con, "meta.standard_kit", [(k.kit, k.item, k.required, k.names, k.name_en) for k in std.kit])
    if std.item_names_en:
        insert_rows(con, "meta.item_names", list(std.item_names_en.items()))
    load_prevention_standard(con, standard_file)


def load_response_rules(con: duckdb.DuckDBPyConnection, rules_file: Path = RESPONSE_RULES_FILE) -> None:
    """Put the response-time rules (emss/response_rules.toml, read and checked by emss.settings) in
    meta.response_rules, one row per setting, where every query reads them."""
    rows = settings.response_rules(rules_file).rows()
    con.execute("create or replace table meta.response_rules"
                " (rule varchar, key varchar, value varchar, primary key (rule, key))")
    insert_rows(con, "meta.response_rules", rows)


# Tables a load that only brings incident exports can update for just the rows it touched:
# table -> (the sources read from, narrowed to the context; the temp table of the context (incidents,
# or days for the daily rollup) whose rows are read; the temp table of the keys whose rows are
# replaced, with the key columns). All but the refused rows are also built in time slices by a full
# build of a large warehouse (_build_in_steps); refused rows are few, and some belong to no slice.
INCREMENTAL = {
    "marts.incidents": (("core.responses",), "touched_incidents", "touched_incidents", ("incident_id",)),
    "marts.incident_daily": (("marts.incidents",), "touched_dates", "touched_dates", ("call_date",)),
    "marts.station_daily": (("marts.incidents",), "touched_dates", "touched_dates", ("call_date",)),
    "marts.street_daily": (("marts.incidents",), "touched_dates", "touched_dates", ("call_date",)),
    "marts.responses": (("core.responses", "marts.incidents"), "context_incidents", "affected_responses",
                        ("incident_id", "station_id")),
    "marts.travel_samples": (("marts.responses",), "context_incidents", "touched_responses", ("incident_id", "station_id")),
    "marts.travel_sample_daily": (("marts.travel_samples",), "touched_dates", "touched_dates", ("call_date",)),
    "marts.response_rejects": (("meta.rejects", "marts.incidents", "core.responses"), "reject_incidents",
                               "touched_rejects", ("batch_id", "source_row")),
}
# A table made row by row from another's rows, with the same keys, from columns that only the
# response's own incident changes: a load replaces the rows of the touched incidents' responses
# (not the later responses of their stations, whose concurrency alone changed), computed from the
# other table's new rows (its delta) instead of reading that table again.
ROW_WISE = {"marts.travel_samples": "marts.responses"}
# The tables whose rows a load leaves as they are where its recomputed rows equal them
# (partitions.replace_keys): the travel samples' files are in sample-rank order, not in time order, so a
# revision of a few days touched every file of its month, and a revised clear time or a station's later
# response changes no sample. At 10 M incidents a weekly load wrote 438,536 sample rows (the whole
# month) where about 85,000 were new, and a load of 3,000 corrections over two months 1,088,641 where
# none changed. The tables in time order rewrite only the files their revised rows are in, so the
# comparison (0.1-0.2 s a table) saves less there (at 1 M, 229,577 rows of marts.responses written
# against 140,603); in two runs neither choice moved a load's seconds beyond this host's spread.
KEEP_UNCHANGED = ("marts.travel_samples",)
# Derived tables over a period that ends at the data's as-of date, built by every load after the rest,
# once pin_period has written that date as a constant: only then does DuckDB list only the period's
# months' files (a table function takes no subquery). Another engine builds them in file order.
AFTER_PIN = ("marts.station_turnout_year",)
# The tables a full build of a large warehouse fills a slice of incidents at a time (_build_in_steps).
# The daily rollups are not among them: built once from the whole incidents mart after the steps, they
# took 1.5 s at 10 M incidents, where each step reading its days' incidents back took 37 s in all.
STEPPED = ("marts.incidents", "marts.responses", "marts.travel_samples")
# A response keeps its station out at most this long after its dispatch: etl.rules rejects any row
# whose last timestamp is over 7 days (settings.LOAD_LIMITS.impossible_s) after the alarm, and the alarm comes before the dispatch.
# So a station's responses dispatched earlier than this before a time cannot make it busy then.
STATION_BUSY_AT_MOST = f"interval {int(settings.LOAD_LIMITS.impossible_s)} seconds"
_CTAS = re.compile(r"^\s*(?:--[^\n]*\n\s*)*create\s+or\s+replace\s+table\s+([\w.]+)\s+as\s+(.*?);?\s*$",
                   re.IGNORECASE | re.DOTALL)


def _fingerprint(con: duckdb.DuckDBPyConnection, *tables: str) -> str:
    """The rows of small settings tables, to tell whether a load changed them ("" before they exist)."""
    try:
        return str([sorted(map(str, con.execute(f"select * from {table}").fetchall())) for table in tables])
    except duckdb.CatalogException:
        return ""


def _rules_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return _fingerprint(con, "meta.response_rules")


STANDARD_TABLES = ("meta.standard", "meta.standard_kit", "meta.standard_roles", "meta.item_names")

# Readiness on a month end before the as-of date is judged from the registry, the inventory counts
# and the standard alone (45_marts_stations.sql): a load of incidents only, the standard unchanged,
# judges again only the as-of date and any month end not judged yet. The dates to judge are a
# temp table of the file; the monthly table keeps its rows of the other dates.
READINESS_DATES = "readiness_dates"
READINESS_MONTHLY = "marts.station_readiness_monthly"
_TEMP_TABLE = re.compile(r"^\s*(?:--[^\n]*\n\s*)*create\s+or\s+replace\s+temp\s+table\s+(\w+)\s+as\b", re.IGNORECASE)


def _judge_new_dates_only(con: duckdb.DuckDBPyConnection, statement: str) -> bool:
    """Run `statement` of the readiness SQL for the dates not judged yet; False if it is not one of its two."""
    m = _TEMP_TABLE.match(statement)
    if m and m.group(1) == READINESS_DATES:
        con.execute(statement)
        con.execute(f"""delete from {READINESS_DATES} where not is_current and judged_on in
                        (select judged_on from {READINESS_MONTHLY} where not is_as_of_date)""")
        return True
    m = _CTAS.match(statement)
    if m and m.group(1) == READINESS_MONTHLY:
        con.execute(f"create or replace temp table readiness_new as {m.group(2)}")
        # rows of a date judged again, of the last as-of date, or of a date the as-of date no longer passed
        con.execute(f"""delete from {READINESS_MONTHLY} where is_as_of_date
                        or judged_on >= (select as_of_date from meta.as_of)
                        or judged_on in (select judged_on from readiness_new)""")
        # appended in order: the dates judged now are the latest ones (the table is in date order)
        con.execute(f"insert into {READINESS_MONTHLY} select * from readiness_new order by judged_on, station_id")
        return True
    return False


def _among(con: duckdb.DuckDBPyConnection, column: str, table: str, alias: str = "") -> str:
    """SQL condition: `column` (of the row `alias`, if given) is one of the values in temp table `table`.

    The range test first is only a shortcut, but a large one: incident ids mostly grow with time
    and the big tables are stored in time order, so DuckDB skips every stored row group whose ids
    are all out of range, and the weekly load's cost stays flat as history grows."""
    low, high = con.execute(f"select min({column}), max({column}) from {table}").fetchall()[0]
    if low is None:
        return "false"
    own = f"{alias}.{column}" if alias else column
    return f"({own} between {literal(low)} and {literal(high)} and {own} in (select {column} from {table}))"


def _narrowed(con: duckdb.DuckDBPyConnection, table: str, column: str, context: str) -> str:
    """What to read `table` from for the rows whose `column` is in temp table `context`: for a big
    table kept as files (warehouse.partitions), only the files that can hold them, by their incident
    ids or, for days, their months; else the table. The caller still filters the rows."""
    if not partitions.is_partitioned(con, table) or column not in ("incident_id", "call_date"):
        return table
    low, high = con.execute(f"select min({column}), max({column}) from {context}").fetchall()[0]
    if low is None:
        return table
    if column == "incident_id":
        return partitions.narrowed(con, table, low, high)
    if table not in partitions.PATH_COLUMNS:  # partitioned by month of the call: the months of those days
        return table
    return f"{partitions.PATH_COLUMNS[table][1]}({literal(f'{low:%Y-%m}')}, {literal(f'{high:%Y-%m}')})"


def _scope_touched(con: duckdb.DuckDBPyConnection, later: bool = True) -> None:
    """From the touched incidents (temp table touched_incidents), what each derived table must redo.

    With `later` false (a step of a full build, in time order), the touched stations' later
    responses are left to their own step: only what comes before the touched ones is read.

    touched_dates       the days whose rollup changes: where the touched incidents were, and are now
    touched_responses   the touched incidents' responses, as the marts had them and as loaded now
    affected_responses  the responses whose marts.responses row can change: those of the touched
                        incidents, and the later responses of a station one of them was (or now is)
                        with that were dispatched while it kept the station out (as it was, or as it
                        is now), since whether that station was already out may have changed
    context_incidents   the incidents whose responses those rows are computed from: the touched and
                        affected ones, and those of the station's earlier responses that still kept
                        it out when an affected one was dispatched (whether it was already out is
                        all an earlier response decides)
    """
    touched = _among(con, "incident_id", "touched_incidents")
    busy_until = "main.busy_until(clear_at, arrive_at, depart_at, dispatch_at) as busy_until"
    con.execute(f"""create or replace temp table touched_now as   -- the touched incidents' responses, as loaded
                    select incident_id, station_id, call_at, dispatch_at, {busy_until}
                    from {_narrowed(con, "core.responses", "incident_id", "touched_incidents")} where {touched}""")
    con.execute(f"""create or replace temp table touched_before as   -- and as the marts had them
                    select incident_id, station_id, call_date, dispatch_at, {busy_until}
                    from {_narrowed(con, "marts.responses", "incident_id", "touched_incidents")} where {touched}""")
    con.execute("""create or replace temp table touched_responses as   -- theirs, before and now
                   select incident_id, station_id from touched_before
                   union
                   select incident_id, station_id from touched_now""")
    con.execute("""create or replace temp table touched_dates as
                   select distinct call_date from touched_before
                   union
                   select distinct cast(call_at as date) from touched_now""")
    # Each touched response, as it was and as it is, kept its station out from its dispatch until
    # busy_until: only the station's responses dispatched in that span can have found it out because
    # of it (a station's responses are ordered by dispatch; one never dispatched finds nothing out).
    con.execute("""create or replace temp table touched_spans as
                   select station_id, dispatch_at, greatest(busy_until, dispatch_at) as busy_until
                   from (select station_id, dispatch_at, busy_until from touched_before
                         union all
                         select station_id, dispatch_at, busy_until from touched_now)
                   where dispatch_at is not null""")
    con.execute("""create or replace temp table touched_stations as
                   select station_id, min(dispatch_at) as from_at, max(dispatch_at) as until_at,
                          max(busy_until) as reach_at
                   from touched_spans group by station_id""")
    earliest = con.execute(f"select min(from_at) - {STATION_BUSY_AT_MOST} from touched_stations").fetchall()[0][0]
    window = f"""select r.incident_id, r.station_id, r.dispatch_at, t.from_at, {busy_until}
                 from core.responses r join touched_stations t using (station_id)
                 where r.dispatch_at >= ? and r.dispatch_at >= t.from_at - {STATION_BUSY_AT_MOST}
                   and r.dispatch_at <= {"t.reach_at" if later else "t.until_at"}"""
    if later:  # the later ones: dispatched while a touched response (as it was, or is) kept the station out,
        # i.e. before the latest busy_until of the spans that began by then (an as-of join on each station's spans)
        # one row per station and dispatch time: a response as it was and as it is share their
        # dispatch, and the as-of join would take either of two rows with the same time
        con.execute("""create or replace temp table span_reach as
                       select station_id, dispatch_at,
                              max(max(busy_until)) over (partition by station_id order by dispatch_at
                                                         rows between unbounded preceding and current row) as reach_at
                       from touched_spans group by station_id, dispatch_at""")
        con.execute(f"""create or replace temp table station_window as   -- the touched stations' responses around them
                        select w.incident_id, w.station_id, w.dispatch_at, w.busy_until,
                               coalesce(w.dispatch_at <= s.reach_at, false) as is_later
                        from ({window}) w
                        asof left join span_reach s on w.station_id = s.station_id and w.dispatch_at >= s.dispatch_at""",
                    [earliest])
    else:
        con.execute(f"""create or replace temp table station_window as   -- the touched stations' responses since
                        select incident_id, station_id, dispatch_at, busy_until, dispatch_at >= from_at as is_later
                        from ({window})""",
                    [earliest])
    con.execute("""create or replace temp table affected_responses as
                   select incident_id, station_id from touched_now
                   union
                   select incident_id, station_id from station_window where is_later""")
    # An affected response's row needs the earlier responses of its station that were still out when
    # it was dispatched: a response of the window is one of them when it lasted until the next
    # affected dispatch of its station, at or after its own (an as-of join); any later one it could
    # keep out comes after that one. Concurrency over two months of revisions is then computed over
    # the rows it depends on, not over every response of every station in those months.
    con.execute("""create or replace temp table affected_dispatches as
                   select station_id, dispatch_at from touched_now where dispatch_at is not null
                   union
                   select station_id, dispatch_at from station_window where is_later and dispatch_at is not null""")
    con.execute("""create or replace temp table context_incidents as
                   select incident_id from touched_incidents
                   union
                   select incident_id from station_window where is_later
                   union
                   select w.incident_id from station_window w
                   asof join affected_dispatches a on w.station_id = a.station_id and w.dispatch_at <= a.dispatch_at
                   where a.dispatch_at <= greatest(w.busy_until, w.dispatch_at)""")
    if later:  # refused rows: this load's, and those of the incidents it touched (now loaded, or changed)
        con.execute("""create or replace temp table touched_rejects as
                       select batch_id, source_row, nullif(trim(raw ->> 'incident_id'), '') as incident_id
                       from meta.rejects
                       where batch_id in (select batch_id from touched_batches)
                          or nullif(trim(raw ->> 'incident_id'), '') in (select incident_id from touched_incidents)""")
        con.execute("""create or replace temp table reject_incidents as
                       select distinct incident_id from touched_rejects where incident_id is not null""")


def _delta(table: str) -> str:
    """The temp table of a load's new rows of `table` (those of the keys it replaced)."""
    return "delta_" + table.replace(".", "_")


def _run_incrementally(con: duckdb.DuckDBPyConnection, sql: str, readiness_kept: bool = False,
                       stored: bool = True) -> None:
    """Run a derived file, replacing only the touched rows of the tables in INCREMENTAL.

    The file stays the one definition: its select is run on its sources narrowed to the context
    incidents (each read once into a temp table), and the rows it gives for the affected keys
    replace those keys' rows (the rest of the table is left as it is). A source narrowed to the same
    context as for the statement just before (the two daily rollups read the same days of
    marts.incidents) is read once. `stored`: the tables may hold rows of the touched keys (not so in
    a full build's steps, whose tables start empty)."""
    narrowed_to: dict[str, str] = {}  # scoped temp table -> the context it holds
    for query in _before_pin(con, sql):
        m = _CTAS.match(query)
        if readiness_kept and _judge_new_dates_only(con, query):
            narrowed_to.clear()
            continue
        if not m or m.group(1) not in INCREMENTAL:
            con.execute(query)
            narrowed_to.clear()  # whatever it changed, nothing read before is reused after it
            continue
        table, select = m.group(1), m.group(2)
        sources, context, affected, keys = INCREMENTAL[table]
        key = "call_date" if context == "touched_dates" else "incident_id"
        if table in ROW_WISE:  # from the other table's new rows alone
            select = re.sub(rf"\b{re.escape(ROW_WISE[table])}\b", _delta(ROW_WISE[table]), select)
        else:
            for source in sources:
                scoped = "scoped_" + source.replace(".", "_")
                select = re.sub(rf"\b{re.escape(source)}\b", scoped, select)
                if narrowed_to.get(scoped) == context:
                    continue
                narrowed_to[scoped] = context
                if source == "meta.rejects":  # no incident column of its own: the rows _scope_touched found
                    narrowed = "select r.* from meta.rejects r semi join touched_rejects t using (batch_id, source_row)"
                else:
                    narrowed = f"select * from {_narrowed(con, source, key, context)} where {_among(con, key, context)}"
                con.execute(f"create or replace temp table {scoped} as {narrowed}")
        narrowed_to.pop("scoped_" + table.replace(".", "_"), None)  # its rows are about to change
        delta = _delta(table)
        con.execute(f"create or replace temp table {delta} as select d.* from ({select}) d "
                    f"semi join {affected} a using ({', '.join(keys)})")
        if table in partitions.PARTITIONED:
            partitions.replace_keys(con, table, affected, list(keys), delta, keep_unchanged=stored and table in KEEP_UNCHANGED)
            continue
        if len(keys) == 1:
            con.execute(f"delete from {table} where {_among(con, key, affected)}")
        else:
            match = " and ".join(f"t.{k} = a.{k}" for k in keys)
            first = _among(con, keys[0], affected, "t") if keys[0] == "incident_id" else "true"
            con.execute(f"delete from {table} t using {affected} a where {first} and {match}")
        con.execute(f"insert into {table} select * from {delta}")


def _derived_statements(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every statement of the derived layer's files, in file order."""
    return [st.query for f in sorted(DERIVED_DIR.glob("*.sql")) for st in con.extract_statements(f.read_text(encoding="utf-8"))]


def _build_in_steps(con: duckdb.DuckDBPyConnection, responses: int) -> None:
    """A full build of a large warehouse: the tables in STEPPED are filled a slice of incidents at a
    time, in time order, by the same narrowed runs an incremental load uses; each statement then
    works on a slice that fits the load's memory. Everything else runs once, in file order, after
    the steps (the daily rollups from the whole incidents mart)."""
    statements = [q for q in _derived_statements(con) if not _is_after_pin(q)]
    stepped = [i for i, q in enumerate(statements) if (m := _CTAS.match(q)) and m.group(1) in STEPPED]
    for q in statements[:stepped[0]]:
        con.execute(q)
    for i in stepped:  # each table created empty, with its columns, from its own definition
        table, select = _CTAS.match(statements[i]).groups()
        for source in INCREMENTAL[table][0]:
            select = re.sub(rf"\b{re.escape(source)}\b", f"(select * from {source} limit 0)", select)
        _run_statements(con, f"create or replace table {table} as {select}")
    con.execute("""create or replace temp table incident_starts as
                   select incident_id, min(call_at) as first_call_at from core.responses group by incident_id""")
    slices = max(1, -(-responses // FULL_BUILD_STEP))
    bounds = con.execute("select quantile_disc(first_call_at, ?::double[]) from incident_starts",
                         [[k / slices for k in range(1, slices)]]).fetchall()[0][0] if slices > 1 else []
    edges = [None, *bounds, None]
    for low, high in zip(edges, edges[1:]):
        con.execute("""create or replace temp table touched_incidents as
                       select incident_id from incident_starts
                       where (? is null or first_call_at >= ?) and (? is null or first_call_at < ?)""",
                    [low, low, high, high])
        _scope_touched(con, later=False)
        for i in stepped:
            _run_incrementally(con, statements[i], stored=False)
    for i, q in enumerate(statements[stepped[0]:], start=stepped[0]):
        if i not in stepped:
            con.execute(q)


# A load touching more than this share of the incidents rebuilds every table in full: cheaper then.
FULL_REBUILD_SHARE = 0.3
# A full build over more responses than this goes in steps of about this many (see _build_in_steps).
FULL_BUILD_STEP = int(os.environ.get("EMSS_BUILD_STEP", "1500000"))


def rebuild_derived(con: duckdb.DuckDBPyConnection, response_rules: Path = RESPONSE_RULES_FILE,
                    touched_incidents: bool = False) -> None:
    """Rebuild core.incidents, the marts and the views from the core tables.

    With `touched_incidents` (a load that brought only incident exports, whose touched ids are in
    temp table `touched_incidents`), the tables in INCREMENTAL are updated for those incidents
    only, unless the response rules changed since the last build, which touches every incident;
    and readiness is judged only on the dates not judged yet, unless the standard changed."""
    before, standard_before = _rules_fingerprint(con), _fingerprint(con, *STANDARD_TABLES)
    load_messages(con)
    load_standard(con)
    load_response_rules(con, response_rules)
    if touched_incidents:
        _bring_rollups_up_to_date(con)
    incremental = (touched_incidents and before == _rules_fingerprint(con) and all(_has_table(con, t) for t in INCREMENTAL)
                   and con.execute("select (select count(*) from touched_incidents) <= ? * (select count(*) from marts.incidents)",
                                   [FULL_REBUILD_SHARE]).fetchall()[0][0])
    # Every derived table that needs an order says so (ORDER BY): DuckDB may then stream the rest
    # in any order, which lets a full build of millions of rows stay within the load's memory limit.
    con.execute("SET preserve_insertion_order = false")
    try:
        if not incremental:
            responses = con.execute("select count(*) from core.responses").fetchall()[0][0]
            if responses > FULL_BUILD_STEP:
                _build_in_steps(con, responses)
            else:
                _run_files(con, DERIVED_DIR)
        else:
            _scope_touched(con)
            readiness_kept = standard_before == _fingerprint(con, *STANDARD_TABLES) and _has_table(con, READINESS_MONTHLY)
            for sql_file in sorted(DERIVED_DIR.glob("*.sql")):
                _run_incrementally(con, sql_file.read_text(encoding="utf-8"), readiness_kept)
    finally:
        con.execute("RESET preserve_insertion_order")
    pin_period(con)
    _run_after_pin(con)


def _is_after_pin(query: str) -> bool:
    return bool((m := _CTAS.match(query)) and m.group(1) in AFTER_PIN)


def _run_after_pin(con: duckdb.DuckDBPyConnection) -> None:
    """Build the tables of AFTER_PIN from their definitions, the as-of date pinned."""
    for query in _derived_statements(con):
        if _is_after_pin(query):
            con.execute(query)


def _bring_rollups_up_to_date(con: duckdb.DuckDBPyConnection) -> None:
    """A small table of INCREMENTAL that a warehouse built by an earlier version lacks, or holds with
    other columns than this version defines (a daily rollup added, or given a count, since), built
    whole from its sources as they stand, before the load updates the days it touched: so that the
    first load after an upgrade stays a load of what it touched, not a build of every table of a long
    history. The big tables (warehouse.partitions.PARTITIONED) are left to the full build, as is a
    table whose sources are missing too."""
    statements = _derived_statements(con)
    definitions = [(m.group(1), m.group(2), query) for query in statements if (m := _CTAS.match(query))]
    candidates = {t for t in INCREMENTAL if t not in partitions.PARTITIONED
                  and all(_has_table(con, source) for source in INCREMENTAL[t][0])}
    stale = [query for table, select, query in definitions
             if table in candidates and (not _has_table(con, table) or _columns(con, table) != _columns(con, select))]
    if not stale:
        return
    for query in statements:  # the macros a rollup may call, as this version defines them
        if re.match(r"\s*(?:--[^\n]*\n\s*)*create\s+or\s+replace\s+macro\b", query, re.IGNORECASE):
            con.execute(query)
    for query in stale:
        con.execute(query)


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]] | None:
    """The names and types of a table's (or a select's) columns; None where this version's macros or
    tables are needed to tell."""
    try:
        return [(name, kind) for name, kind, *_ in con.execute(f"describe {relation}").fetchall()]
    except duckdb.Error:
        return None


def pin_period(con: duckdb.DuckDBPyConnection) -> None:
    """Write this version's as-of date and default period length into `main.as_of_date()` and
    `main.default_period_days()` as constants (44_meta_as_of.sql defines them by their tables).

    The period macros (50_views.sql) read them: with constants there, a period's bounds are known
    when a query is planned, so DuckDB skips every stored row group outside the period; a subquery
    there would make every page read all of history. Both values are typed (a DATE, an integer)
    from this warehouse's own tables, so they are written as a date and a number, never as text."""
    as_of, days = con.execute("select main.as_of_date(), main.default_period_days()").fetchall()[0]
    as_of = dt.date.fromisoformat(as_of.isoformat())  # a date, whatever DuckDB returned it as
    con.execute(f"create or replace macro main.as_of_date() as date '{as_of.isoformat()}'")
    con.execute(f"create or replace macro main.default_period_days() as {int(days)}")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Is there a table (or a big table's view, see warehouse.partitions) of this name?"""
    schema, table = name.split(".")
    return con.execute("""select count(*) from information_schema.tables where table_catalog = current_database()
                          and table_schema = ? and table_name = ?""", [schema, table]).fetchall()[0][0] > 0


def rebuild(warehouse: str | os.PathLike) -> None:
    """Rebuild the derived tables and views of a warehouse file (after editing the standard or the
    response rules, or after an upgrade): a write like any load, whole or not at all."""
    with open_writer(warehouse) as con:
        ensure_schema(con)
        rebuild_derived(con)


def vacuum(warehouse: str | os.PathLike, grace_s: float = partitions.GRACE_S) -> int:
    """Remove the Parquet files no reader can still be reading (see warehouse.partitions.vacuum):
    those left by killed loads and those of versions replaced over `grace_s` seconds ago. Every
    load does this too, with the default grace period; returns how many files went."""
    with open_writer(warehouse) as con:
        return partitions.vacuum(con, grace_s)
