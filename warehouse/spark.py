"""The derived layer and the named queries on a Spark cluster, from the same SQL DuckDB runs.

A *lake* is a folder of Parquet that any engine reads: a folder per table, and in it a folder per
city (`core.responses/city=shenzhen/`, `marts.incidents/city=guangzhou/`, ...), so a province keeps
all its cities in one lake. `export_lake` writes a city's warehouse there (its loaded tables; the
facts' files are linked, not copied); `build` computes every derived table of each city on Spark
from the SQL files of `warehouse/derived/` (translated by warehouse.dialect) and writes it beside
that city's loaded tables; a named query runs on Spark through `queries.run_on_spark`, for one city
or, with the province queries (queries/province/), over every city of the lake. `import_marts` reads a city's tables
built on Spark back into its DuckDB warehouse, so the dashboard and the snapshot read them as they
read a DuckDB build.

    spark = session("spark://host:7077")      # or "local[2]"
    export_lake("shenzhen.duckdb", "lake/"); export_lake("guangzhou.duckdb", "lake/")
    build(spark, "lake/")
    attach(spark, "lake/", "shenzhen")
    queries.run_on_spark(spark, "response/kpi", {"districts": ["futian"]})
    queries.run_on_spark(spark, "province/cities")

pyspark is an optional dependency (`uv sync --extra spark`); nothing else of emss imports this module.
"""

from __future__ import annotations

import json
import os
import shutil
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from emss import messages
from warehouse import dialect, partitions
from warehouse.build import DERIVED_DIR, SCHEMA_DIR, pin_period
from warehouse.connection import open_reader, open_writer
from warehouse.quoting import identifier

# Tables of the warehouse file that are bookkeeping of its own storage, not data: never in a lake.
_STORAGE_ONLY = {"meta.parts", "meta.parts_retired"}


def session(master: str = "local[2]", shuffle_partitions: int | None = None):
    """A Spark session on `master` ("local[2]", "spark://host:7077"), set up for the warehouse's SQL:
    timestamps without a zone stay without one (TIMESTAMP_NTZ), arithmetic refuses overflow as
    DuckDB does, and the session's clock is UTC so that no conversion shifts a time. A cluster keeps
    its own number of shuffle partitions unless `shuffle_partitions` is given; in local mode there
    is one per core, which suits a city's tables better than Spark's 200."""
    import warnings

    # pyspark checks the pandas version on import; results come back as Arrow, never through pandas
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName("emss")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.ansi.enabled", "true")
               .config("spark.sql.parquet.inferTimestampNTZ.enabled", "true")
               .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
               .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")  # city=… is text
               .config("spark.log.level", os.environ.get("EMSS_SPARK_LOG_LEVEL", "ERROR")))
    if shuffle_partitions or master.startswith("local"):
        cores = master.removeprefix("local").strip("[]")
        local = int(cores) if cores.isdigit() else os.cpu_count() or 1
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions or local))
    return builder.getOrCreate()


def _derived_names() -> set[str]:
    """Every table and view the derived SQL files create."""
    return {target for target, _, _ in _statements()}


def city_of(warehouse: str | os.PathLike) -> str:
    """The city a warehouse holds, as its folder in a lake is named (province.cities)."""
    con = open_reader(warehouse)
    try:
        return con.execute("select city from province.cities").fetchall()[0][0]
    finally:
        con.close()


def export_lake(warehouse: str | os.PathLike, lake: str | os.PathLike) -> tuple[str, list[str]]:
    """Write the loaded tables of `warehouse` (what the derived layer is computed from) into `lake`,
    a folder per table and in it one per city (`core.stations/city=shenzhen/`), replacing what the
    lake held of this city; returns the city and the tables. The big tables' files are hard-linked
    (copied across file systems); the rest is written from the warehouse's current version."""
    lake = Path(lake)
    derived = _derived_names()
    city = city_of(warehouse)
    _built_marker(lake, city).unlink(missing_ok=True)  # built again before it is read back
    con = open_reader(warehouse)
    try:
        tables = [f"{s}.{t}" for s, t in con.execute(
            """select table_schema, table_name from information_schema.tables
               where table_catalog = current_database() and table_schema in ('meta', 'raw', 'core')
               order by all""").fetchall()]
        tables = [t for t in tables if t not in derived and t not in _STORAGE_ONLY]
        root = partitions.root_of(warehouse)
        for table in tables:
            folder = _folder(lake, table, city)
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
    return city, tables


def _folder(lake: Path, table: str, city: str) -> Path:
    return lake / table / f"city={city}"


def cities(lake: str | os.PathLike) -> list[str]:
    """The cities a lake holds."""
    profile = Path(lake) / "meta.profile"
    return sorted(p.name.split("=", 1)[1] for p in profile.glob("city=*")) if profile.is_dir() else []


def _register(spark, lake: Path, table: str, city: str) -> None:
    """The lake's folder of `table` for `city` as the Spark view dialect.spark_name(...)."""
    schema, name = table.split(".")
    (spark.read.option("recursiveFileLookup", "true").parquet(str(_folder(lake, table, city)))
     .createOrReplaceTempView(dialect.spark_name(schema, name)))


@cache
def _macros() -> dialect.Macros:
    """The warehouse's macros, read once per process (never changed: expansion copies them)."""
    return dialect.Macros.of_files(sorted(SCHEMA_DIR.glob("*macros*.sql")) + sorted(DERIVED_DIR.glob("*.sql")))


@cache
def _statements() -> tuple[tuple[str, str, str], ...]:
    """(target table or view, kind, its select as DuckDB SQL) for each statement of the derived
    files, in order; read once per process."""
    return tuple(_read_statements())


def _read_statements():
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


def _tables_in(lake: Path, city: str) -> list[str]:
    return sorted(p.parent.name for p in lake.glob(f"*.*/city={city}") if p.is_dir())


def _views(spark, macros: dialect.Macros) -> None:
    for target, kind, select in _statements():
        if kind == "VIEW":
            schema, name = target.split(".")
            spark.sql(f"create or replace temp view {dialect.spark_name(schema, name)} as {dialect.to_spark(select, macros)}")


# The province views (70_province.sql) over a whole lake: each table's rows of every city, the city
# taken from the folder it lies in.
PROVINCE = {"incidents": "marts.incidents", "stations": "core.stations",
            "station_readiness": "marts.station_readiness", "station_targets": "core.station_targets"}


def _province(spark, lake: Path) -> None:
    """Point the province views at every city of the lake."""
    def every_city(table: str):
        return spark.read.option("basePath", str(lake / table)).parquet(str(lake / table))

    for view, table in PROVINCE.items():
        every_city(table).createOrReplaceTempView(dialect.spark_name("province", view))
    every_city("meta.profile").createOrReplaceTempView("lake__profile")
    every_city("meta.as_of").createOrReplaceTempView("lake__as_of")
    spark.sql(f"""create or replace temp view {dialect.spark_name("province", "cities")} as
                  select p.city, p.name_zh, p.name_en, p.timezone, a.as_of_date
                  from lake__profile p join lake__as_of a using (city)""")


def build(spark, lake: str | os.PathLike, city: str | None = None) -> dict[str, dict[str, int]]:
    """Compute every derived table of each city of `lake` (or of `city`) on Spark, write each into
    the lake beside the city's loaded tables, and define the views; returns the rows of each table
    written, by city. The session is left attached to the last city built, and to the province."""
    lake = Path(lake)
    macros = _macros()
    derived = _derived_names()
    written: dict[str, dict[str, int]] = {}
    for one in [city] if city else cities(lake):
        for table in _tables_in(lake, one):
            if table not in derived:
                _register(spark, lake, table, one)
        _built_marker(lake, one).unlink(missing_ok=True)
        written[one] = {}
        for target, kind, select in _statements():
            schema, name = target.split(".")
            sql = dialect.to_spark(select, macros)
            if kind != "TABLE":
                spark.sql(f"create or replace temp view {dialect.spark_name(schema, name)} as {sql}")
                continue
            folder = _folder(lake, target, one)
            spark.sql(sql).write.mode("overwrite").parquet(str(folder))
            _register(spark, lake, target, one)
            written[one][target] = sum(pq.read_metadata(f).num_rows for f in folder.glob("*.parquet"))
        batch = spark.sql(f"select max(batch_id) from {dialect.spark_name('meta', 'batches')}").collect()[0][0]
        _built_marker(lake, one).write_text(json.dumps({"batch_id": batch}), encoding="utf-8")
    _province(spark, lake)
    return written


def _built_marker(lake: Path, city: str) -> Path:
    """Written once every derived table of `city` is in the lake, with the last batch they were
    built from; removed when the city is written into the lake again or a build of it starts."""
    folder = lake / "_built"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"city={city}.json"


def _built(lake: Path, city: str) -> int | None:
    """The last batch the lake's derived tables of `city` were built from; None unless all were."""
    marker = _built_marker(lake, city)
    return json.loads(marker.read_text(encoding="utf-8"))["batch_id"] if marker.exists() else None


def attach(spark, lake: str | os.PathLike, city: str | None = None) -> None:
    """Make a built lake readable in `spark` for named queries: the tables and analyst views of `city`
    (needed unless the lake holds one city only), and the province views over every city."""
    lake = Path(lake)
    held = cities(lake)
    if city is None:
        if len(held) != 1:
            raise ValueError(messages.both("lake_several_cities", count=len(held), cities=", ".join(held)))
        city = held[0]
    if city not in held:
        raise ValueError(messages.both("lake_no_city", city=city, cities=", ".join(held)))
    for table in _tables_in(lake, city):
        _register(spark, lake, table, city)
    _views(spark, _macros())
    _province(spark, lake)


def import_marts(lake: str | os.PathLike, warehouse: str | os.PathLike) -> dict[str, int]:
    """Replace the derived tables of `warehouse` by those built on Spark for its city in `lake`, in
    one write (whole or not at all); returns the rows of each. Each column keeps the warehouse's
    own type. Refused when the warehouse has loaded more since it was written into the lake."""
    lake = Path(lake)
    city = city_of(warehouse)
    tables = [target for target, kind, _ in _statements() if kind == "TABLE"]
    built = _built(lake, city)
    if built is None:
        raise ValueError(messages.both("lake_not_built", city=city, tables=", ".join(tables)))
    with open_writer(warehouse, readable_dirs=[lake]) as con:
        current = con.execute("select max(batch_id) from meta.batches").fetchall()[0][0]
        if built != current:
            raise ValueError(messages.both("lake_stale", city=city, current=current, exported=built))
        counts = {}
        for table in tables:
            files = [str(f) for f in sorted(_folder(lake, table, city).glob("*.parquet"))]
            columns = con.execute(f"describe select * from {table}").fetchall()  # the warehouse's own catalog
            select = ("select " + ", ".join(f"cast({identifier(c[0])} as {c[1]}) as {identifier(c[0])}" for c in columns)
                      + " from read_parquet(?)")
            if table in partitions.PARTITIONED:
                partitions.rewrite(con, table, select, [files])
            else:
                con.execute(f"delete from {table}")
                con.execute(f"insert into {table} {select}", [files])
            counts[table] = con.execute(f"select count(*) from {table}").fetchall()[0][0]
        pin_period(con)
    return counts


def run_sql(spark, sql: str, params: dict[str, object] | None = None) -> pl.DataFrame:
    """Run one statement of the warehouse's DuckDB SQL on Spark (the lake attached or built in this
    session), its `$name` parameters bound as Spark's named parameters, never pasted in; returns a
    Polars frame (through Arrow)."""
    return pl.from_arrow(spark.sql(dialect.to_spark(sql, _macros()), args=params or None).toArrow())
