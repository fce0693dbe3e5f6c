"""Create the warehouse's tables and rebuild what is derived from them.

Layers, in the order they are built:
  schema/   meta (batches, rejects, labels), raw (as delivered), core (clean facts)
  derived/  core.incidents, marts (what pages read), and the analyst views
The SQL files are the definition; this module only runs them in order.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb

from emss import categories
from emss.config import PACKAGE_DIR

WAREHOUSE_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = WAREHOUSE_DIR / "schema"
DERIVED_DIR = WAREHOUSE_DIR / "derived"
STANDARD_FILE = PACKAGE_DIR / "standard.toml"


def _run_files(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for sql_file in sorted(folder.glob("*.sql")):
        con.execute(sql_file.read_text(encoding="utf-8"))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create meta, raw and core tables if missing, and refresh the label table."""
    _run_files(con, SCHEMA_DIR)
    con.execute("delete from meta.labels")
    con.executemany(
        "insert into meta.labels values (?, ?, ?, ?)",
        [(dim, c.code, c.zh, c.en) for dim, cats in categories.DIMENSIONS.items() for c in cats.values()],
    )


def load_standard(con: duckdb.DuckDBPyConnection, standard_file: Path = STANDARD_FILE) -> None:
    """Put the station standard (emss/standard.toml) where the readiness SQL can read it."""
    std = tomllib.loads(standard_file.read_text(encoding="utf-8"))
    con.execute("create or replace table meta.standard (key varchar primary key, value varchar)")
    con.execute(
        "create or replace table meta.standard_kit (kit varchar, item varchar, required_quantity double, names varchar[])"
    )
    settings = {
        "staff.min": std["staff"]["min"],
        "staff.max": std["staff"]["max"],
        "vehicles.min": std["vehicles"]["min"],
        "duty.mode": std["duty"]["mode"],
        "inventory.stale_after_days": std["inventory"]["stale_after_days"],
    }
    con.executemany("insert into meta.standard values (?, ?)", [(k, str(v)) for k, v in settings.items()])
    kit_rows = []
    for kit, items in std["kit"].items():
        for item, spec in items.items():
            if isinstance(spec, dict):
                kit_rows.append((kit, item, spec["required"], spec.get("names", [item])))
            else:
                kit_rows.append((kit, item, spec, [item]))
    con.executemany("insert into meta.standard_kit values (?, ?, ?, ?)", kit_rows)


def rebuild_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild core.incidents, the marts and the views from the core tables."""
    load_standard(con)
    _run_files(con, DERIVED_DIR)
