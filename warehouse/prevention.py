"""Put the prevention standard (emss/standard.toml [prevention], read by emss.settings) where the
prevention SQL (derived/60_prevention.sql, queries/prevention/) can read it."""

from __future__ import annotations

from pathlib import Path

import duckdb

from emss import settings
from emss.settings import STANDARD_FILE
from warehouse.quoting import insert_rows


def load_prevention_standard(con: duckdb.DuckDBPyConnection, standard_file: Path = STANDARD_FILE) -> None:
    """meta.prevention_standard: one row per (measure, key), e.g. (training_hours, fire, 24)."""
    rows = settings.prevention_standard(standard_file).rows()
    con.execute("create or replace table meta.prevention_standard"
                " (measure varchar, key varchar, value double not null, primary key (measure, key))")
    insert_rows(con, "meta.prevention_standard", rows)
