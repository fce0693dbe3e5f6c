"""The derived layer on Spark (local mode, this machine) against DuckDB, on the same warehouse.

    uv run python benchmarks/spark.py --warehouse data/emss.duckdb
    uv run python benchmarks/spark.py --warehouse W --master spark://host:7077 --out other.md

DuckDB: `emss rebuild` of a copy of the warehouse (every derived table, from the loaded tables,
written back in one swap). Spark: the same copy written into a lake (`export_lake`), every derived
table computed and written into the lake (`build`), and read back into the warehouse
(`import_marts`), with the JVM's start counted apart. Then a few named queries, warm, on both.
Figures go to benchmarks/RESULTS.md (a section of their own) or --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Spark against DuckDB: the derived layer"
QUERIES = ("response/kpi", "response/by_group", "stations/readiness_summary", "province/cities")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    import queries
    from results import replace_section
    from warehouse import spark
    from warehouse.build import rebuild
    from warehouse.connection import copy_warehouse, open_reader

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(ROOT / "data" / "emss.duckdb"))
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query, warm (the median is kept)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "emss.duckdb"
        copy_warehouse(args.warehouse, copy)
        con = open_reader(copy)
        incidents, responses = con.execute("select (select count(*) from incidents), (select count(*) from responses)").fetchall()[0]
        con.close()
        t = time.perf_counter()
        rebuild(copy)
        duck_build = time.perf_counter() - t
        print(f"DuckDB rebuild: {duck_build:.1f} s", flush=True)

        t = time.perf_counter()
        session = spark.session(args.master)
        jvm = time.perf_counter() - t
        t = time.perf_counter()
        spark.export_lake(copy, Path(tmp) / "lake")
        export = time.perf_counter() - t
        t = time.perf_counter()
        spark.build(session, Path(tmp) / "lake")
        spark_build = time.perf_counter() - t
        t = time.perf_counter()
        spark.import_marts(Path(tmp) / "lake", copy)
        read_back = time.perf_counter() - t
        print(f"Spark: start {jvm:.1f} s, export {export:.1f} s, build {spark_build:.1f} s, read back {read_back:.1f} s",
              flush=True)

        timings = []
        con = open_reader(copy)
        for name in QUERIES:
            queries.run(con, name), queries.run_on_spark(session, name)  # warm both
            duck, on_spark = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                queries.run(con, name)
                duck.append(time.perf_counter() - t)
                t = time.perf_counter()
                queries.run_on_spark(session, name)
                on_spark.append(time.perf_counter() - t)
            timings.append((name, statistics.median(duck), statistics.median(on_spark)))
            print(f"{name}: DuckDB {timings[-1][1] * 1000:.0f} ms, Spark {timings[-1][2] * 1000:.0f} ms", flush=True)
        con.close()
        session.stop()

    lines = [SECTION, "",
             f"`uv run python benchmarks/spark.py --warehouse {Path(args.warehouse).name} --master {args.master}` on "
             f"{platform.machine()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
             f"{dt.date.today().isoformat()}: {incidents:,} incidents, {responses:,} responses.", "",
             "| step | DuckDB | Spark | Spark / DuckDB |", "| --- | --- | --- | --- |",
             f"| every derived table (DuckDB: `emss rebuild`; Spark: `build`) | {duck_build:.1f} s | {spark_build:.1f} s "
             f"| {spark_build / duck_build:.1f}× |",
             f"| Spark's start (JVM and session) | | {jvm:.1f} s | |",
             f"| the warehouse written into the lake (`export_lake`) | | {export:.1f} s | |",
             f"| the derived tables read back into the warehouse (`import_marts`) | | {read_back:.1f} s | |"]
    lines += [f"| query `{n}`, warm (median of {args.repeat}) | {d * 1000:.0f} ms | {s * 1000:.0f} ms | {s / d:.0f}× |"
              for n, d, s in timings]
    replace_section(Path(args.out), SECTION, lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
