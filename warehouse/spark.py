"""The derived layer and the named queries on a Spark cluster, from the same SQL DuckDB runs.

A *lake* is a folder of Parquet, a folder per table (`core.responses/`, `marts.incidents/`, ...),
that any engine reads. `export_lake` writes a warehouse's loaded tables there (the facts' files are
linked, not copied); `build` computes every derived table on Spark from the SQL files of
`warehouse/derived/` (translated by warehouse.dialect) and writes each into the lake; `query` runs
a named query on Spark over the lake. A lake built on Spark is read back into a DuckDB warehouse by
`import_marts`, so the dashboard and the snapshot read it as they read a DuckDB build.

    spark = session("spark://host:7077")      # or "local[2]"
    export_lake("emss.duckdb", "lake/")
    build(spark, "lake/")
    query(spark, "lake/", "response/kpi", {"districts": ["futian"]})

pyspark is an optional dependency (`uv sync --extra spark`); nothing else of emss imports this module.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import sqlglot
from sqlglot import exp

import queries
from warehouse import dialect, partitions
from warehouse.build import DERIVED_DIR, SCHEMA_DIR
from warehouse.connection import open_reader
from warehouse.quoting import identifier

# Tables of the warehouse file that are bookkeeping of its own storage, not data: never in a lake.
_STORAGE_ONLY = {"meta.parts", "meta.parts_retired"}


def session(master: str = "local[2]", shuffle_partitions: int | None = None):
    """A Spark session on `master` ("local[2]", "spark://host:7077"), set up for the warehouse's SQL:
    timestamps without a zone stay without one (TIMESTAMP_NTZ), arithmetic refuses overflow as
    DuckDB does, and the session's clock is UTC so that no conversion shifts a time."""
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName("emss")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "true")
               .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
               .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions or (4 if master.startswith("local") else 64)))
               .config("spark.log.level", os.environ.get("EMSS_SPARK_LOG_LEVEL", "ERROR")))
    return builder.getOrCreate()


def _derived_names() -> set[str]:
    """Every table and view the derived SQL files create."""
    names = set()
    for f in sorted(DERIVED_DIR.glob("*.sql")):
        for statement in dialect.split(f.read_text(encoding="utf-8")):
            tree = sqlglot.parse_one(statement, read=dialect.READ)
            if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Table):
                names.add(f"{tree.this.db or 'main'}.{tree.this.name}")
    return names


def export_lake(warehouse: str | os.PathLike, lake: str | os.PathLike) -> list[str]:
    """Write the loaded tables of `warehouse` (what the derived layer is computed from) into `lake`,
    a folder per table; returns their names. The big tables' files are hard-linked (copied across
    file systems); the rest is written from the warehouse's current version."""
    lake = Path(lake)
    derived = _derived_names()
    con = open_reader(warehouse)
    try:
        tables = [f"{s}.{t}" for s, t in con.execute(
            """select table_schema, table_name from information_schema.tables
               where table_catalog = current_database() and table_schema in ('meta', 'raw', 'core')
               order by all""").fetchall()]
        tables = [t for t in tables if t not in derived and t not in _STORAGE_ONLY]
        root = partitions.root_of(warehouse)
        for table in tables:
            folder = lake / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            files = [f for (f,) in con.execute(
                "select file from meta.parts where table_name = ? order by file", [table]).fetchall()] \
                if table in partitions.PARTITIONED else []
            if files:
                for i, f in enumerate(files):
                    target = folder / f"part-{i:05d}.parquet"
                    try:
                        os.link(root / f, target)
                    except OSError:
                        shutil.copyfile(root / f, target)
            else:
                schema, name = table.split(".")
                con.execute(f"copy (select * from {identifier(schema)}.{identifier(name)}) to ? (format parquet)",
                            [str(folder / "part-00000.parquet")])
    finally:
        con.close()
    return tables


def _register(spark, lake: Path, table: str) -> None:
    """The lake's folder of `table` as the Spark view dialect.spark_name(...)."""
    schema, name = table.split(".")
    (spark.read.option("recursiveFileLookup", "true").parquet(str(lake / table))
     .createOrReplaceTempView(dialect.spark_name(schema, name)))


def _macros() -> dialect.Macros:
    return dialect.Macros.of_files(sorted(SCHEMA_DIR.glob("*macros*.sql")) + sorted(DERIVED_DIR.glob("*.sql")))


def _statements():
    """(target table or view, kind, its select as DuckDB SQL) for each statement of the derived files, in order."""
    macros = dialect.Macros()
    for f in sorted(DERIVED_DIR.glob("*.sql")):
        for statement in dialect.split(macros.read(f.read_text(encoding="utf-8"))):
            tree = sqlglot.parse_one(statement, read=dialect.READ)
            if not isinstance(tree, exp.Create):
                raise dialect.Untranslatable(f"{f.name}: only create statements are expected, not {statement[:60]!r}")
            kind = (tree.args.get("kind") or "").upper()
            if kind == "SCHEMA":
                continue
            target = f"{tree.this.db or 'main'}.{tree.this.name}"
            if kind == "TABLE" and tree.find(exp.TemporaryProperty):
                kind = "TEMP TABLE"  # a step of the build: kept in the session, not in the lake
            yield target, kind, tree.expression.sql(dialect.READ)


def _tables_in(lake: Path) -> list[str]:
    return sorted(p.name for p in lake.iterdir() if p.is_dir() and "." in p.name)


def build(spark, lake: str | os.PathLike) -> dict[str, int]:
    """Compute every derived table of `lake` on Spark, write each into the lake, and define the
    views; returns the rows of each table written."""
    lake = Path(lake)
    macros = _macros()
    derived = _derived_names()
    for table in _tables_in(lake):
        if table not in derived:
            _register(spark, lake, table)
    written = {}
    for target, kind, select in _statements():
        schema, name = target.split(".")
        sql = dialect.to_spark(select, macros)
        if kind != "TABLE":
            spark.sql(f"create or replace temp view {dialect.spark_name(schema, name)} as {sql}")
            continue
        frame = spark.sql(sql)
        frame.write.mode("overwrite").parquet(str(lake / target))
        _register(spark, lake, target)
        written[target] = spark.table(dialect.spark_name(schema, name)).count()
    return written


def attach(spark, lake: str | os.PathLike) -> None:
    """Make a built lake's tables and the analyst views readable in `spark` (for `query`)."""
    lake = Path(lake)
    macros = _macros()
    for table in _tables_in(lake):
        _register(spark, lake, table)
    for target, kind, select in _statements():
        if kind == "VIEW":
            schema, name = target.split(".")
            spark.sql(f"create or replace temp view {dialect.spark_name(schema, name)} as {dialect.to_spark(select, macros)}")


def query(spark, name: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """Run the named query `name` on Spark (the lake attached or built in this session), its
    parameters bound as Spark's named parameters, never pasted in; returns a Polars frame."""
    named = queries.get(name)
    bound = queries.bind(named, params)
    sql = dialect.to_spark(named.sql, _macros())
    return pl.from_arrow(spark.sql(sql, args=bound or None).toArrow())
