"""The snapshot history in the warehouse (meta.snapshots): each week's KPIs as they were reported.

Trends read from here survive later revisions of the data. A snapshot of a
week whose figures equal its latest revision records nothing (re-running is
free and leaves the warehouse file untouched); one whose figures differ is
added as the next revision, and the earlier ones stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from emss import profiles
from emss.snapshot.tables import KpiValue
from emss.snapshot.week import Week
from warehouse import build
from warehouse.connection import open_writer


@dataclass(frozen=True)
class Batch:
    batch_id: int
    source_file: str
    kind: str
    sha256: str
    rows_loaded: int | None
    finished_at: dt.datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "batch_id": self.batch_id, "source_file": self.source_file, "kind": self.kind, "sha256": self.sha256,
            "rows_loaded": self.rows_loaded,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


@dataclass(frozen=True)
class DataState:
    """What the warehouse held when the snapshot was cut."""

    as_of: dt.date
    batches: tuple[Batch, ...]

    @property
    def cut_at(self) -> dt.datetime | None:
        """When the last loaded batch finished: the snapshot's time, fixed by the data, not the clock."""
        times = [b.finished_at for b in self.batches if b.finished_at]
        return max(times) if times else None

    @property
    def version(self) -> str:
        """A checksum over the loaded batches: equal warehouses give equal versions."""
        lines = "".join(f"{b.batch_id}:{b.sha256}\n" for b in self.batches)
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def data_state(con: duckdb.DuckDBPyConnection) -> DataState:
    """The as-of date and the batches that brought data in (unchanged and refused files brought none)."""
    as_of = con.execute("select as_of_date from data_as_of").fetchone()[0]
    rows = con.execute(
        "select batch_id, source_file, kind, sha256, rows_loaded, finished_at from meta.batches"
        " where outcome = 'loaded' order by batch_id"
    ).fetchall()
    return DataState(as_of, tuple(Batch(*r) for r in rows))


def _has_history(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'meta' and table_name = 'snapshots'"
        " and database_name = current_database()"
    ).fetchone()[0] > 0


def _rounded(value: float | None) -> float | None:
    # figures are compared as reported, not to the last bit of a float
    return None if value is None else round(value, 9)


def latest_revision(con: duckdb.DuckDBPyConnection, week: Week) -> tuple[int, dict[tuple[str, str, str], float | None]]:
    """The week's latest revision number (0 if none) and its values by (kpi, dimension, code)."""
    if not _has_history(con):
        return 0, {}
    rows = con.execute(
        "select revision, kpi, dimension, code, value from meta.snapshots"
        " where week = ? and revision = (select max(revision) from meta.snapshots where week = ?)",
        [week.label, week.label],
    ).fetchall()
    if not rows:
        return 0, {}
    return rows[0][0], {(k, d, c): _rounded(v) for _, k, d, c, v in rows}


def unchanged(previous: dict[tuple[str, str, str], float | None], values: list[KpiValue]) -> bool:
    return previous == {v.key: _rounded(v.value) for v in values}


def record(warehouse: str | Path, week: Week, values: list[KpiValue], state: DataState,
           taken_at: dt.datetime | None = None) -> tuple[int, bool]:
    """Keep the week's KPIs in meta.snapshots; returns (revision, whether a new revision was written).

    Written through `open_writer` (a copy swapped in whole), and only when the
    figures differ from the week's latest revision.
    """
    taken_at = taken_at or profiles.city_now().replace(microsecond=0)
    with open_writer(warehouse) as con:
        # a warehouse built before meta.snapshots existed gets it here
        build.ensure_schema(con)
        revision, previous = latest_revision(con, week)
        if revision and unchanged(previous, values):
            return revision, False
        revision += 1
        con.executemany(
            "insert into meta.snapshots (week, revision, kpi, dimension, code, value, query, week_start,"
            " as_of_date, cut_at, data_version, batch_ids, taken_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(week.label, revision, v.kpi, v.dimension, v.code, v.value, v.query, week.start, state.as_of,
              state.cut_at, state.version, [b.batch_id for b in state.batches], taken_at) for v in values],
        )
    return revision, True
