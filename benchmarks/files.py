"""What the number of Parquet files costs a period query, on an existing warehouse.

    uv run python benchmarks/files.py --warehouse emss.duckdb

A big table is many files (warehouse/partitions.py: a file per FILE_ROWS rows of a month, so that a
revision rewrites one small file). DuckDB opens every file of a table's list on every query, even
when it skips all its rows, so a query of four weeks pays for all of history's files. This measures,
on the default period's incidents (the aggregate of response/kpi, warm, median of --repeat):
  view          the table itself: every file
  incidents_in  as the pages read it: the period macro, which reads incidents_of_months, whose list
                holds only the period's months' files (warehouse/partitions.py PATH_COLUMNS)
  period files  only the files of the months the period falls in (the list pruned by month)
  month files   the same rows written again as one file per month (row groups of FILE_ROWS), the
                whole list read
and what writing one month again costs (the price of one file per month: a revision rewrites it).
The figures go into benchmarks/RESULTS.md (or --out) as their own section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE = "## Parquet files per query"
AGGREGATE = "count(*), quantile_cont(response_s, 0.9), count(*) filter (where is_within_target)"


def timed(con, sql: str, params: list, repeat: int) -> float:
    runs = []
    for _ in range(repeat + 1):  # the first run warms the metadata cache
        t = time.perf_counter()
        con.execute(sql, params).fetchall()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs[1:]) * 1000


def main(argv: list[str] | None = None) -> int:
    import duckdb

    from warehouse import partitions
    from warehouse.connection import open_reader

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)

    con = open_reader(args.warehouse)
    start, end = con.execute("select main.period_start(null, null), main.period_end(null)").fetchall()[0]
    incidents = con.execute("select count(*) from marts.incidents").fetchall()[0][0]
    files = [f for (f,) in con.execute("select unnest(getvariable(?))", [partitions.variable("marts.incidents")]).fetchall()]
    months = {f"{start + dt.timedelta(days=d):%Y-%m}" for d in range((end - start).days + 1)}
    period_files = [f for f in files if Path(f).parent.name.split("=", 1)[-1] in months]
    where = "call_date between ? and ?"
    view = timed(con, f"select {AGGREGATE} from marts.incidents where {where}", [start, end], args.repeat)
    pruned = timed(con, f"select {AGGREGATE} from read_parquet(?) where {where}", [period_files, start, end], args.repeat)
    # as the pages read it: incidents_in, which lists only the period's months' files
    # (warehouse/partitions.py PATH_COLUMNS; a warehouse built before it has no month column)
    has_month = con.execute("select count(*) from (describe main.incidents) where column_name = 'call_month'").fetchall()[0][0]
    macro = timed(con, f"select {AGGREGATE} from incidents_in(?, ?, [], [])", [start, end], args.repeat) if has_month else None
    con.close()

    plain = duckdb.connect()
    plain.execute("SET parquet_metadata_cache = true")
    data = [f for f in files if partitions.SCHEMA_PART not in Path(f).parts]
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        plain.execute(f"""copy (select *, strftime(call_at, '%Y-%m') as month from read_parquet(?) order by call_at)
                          to '{folder}' (format parquet, partition_by (month), compression zstd, compression_level 1,
                                         row_group_size {partitions.FILE_ROWS})""", [data])
        all_months = time.perf_counter() - t
        per_month = sorted(str(p) for p in Path(folder).rglob("*.parquet"))
        merged = timed(plain, f"select {AGGREGATE} from read_parquet(?) where {where}", [per_month, start, end], args.repeat)
        newest = [f for f in data if Path(f).parent.name == f"month={end:%Y-%m}"]
        rows = plain.execute("select count(*) from read_parquet(?)", [newest]).fetchall()[0][0]
        t = time.perf_counter()
        plain.execute(f"copy (select * from read_parquet(?) order by call_at) to '{folder}/one.parquet' "
                      f"(format parquet, compression zstd, compression_level 1, row_group_size {partitions.FILE_ROWS})", [newest])
        one_month = time.perf_counter() - t

    lines = [
        f"{TITLE}",
        "",
        f"`uv run python benchmarks/files.py --warehouse <warehouse>` on a warehouse of {incidents:,} incidents, "
        f"{dt.date.today().isoformat()}; {platform.machine()}, DuckDB {duckdb.__version__}. The default period's "
        f"incidents ({start} to {end}), the aggregate of `response/kpi`, warm, medians of {args.repeat}.",
        "",
        "| read | files listed | query |",
        "| --- | --- | --- |",
        f"| the view (every file of `marts.incidents`) | {len(files)} | {view:.0f} ms |",
        *([f"| `incidents_in`, as the pages read it (only the period's months listed, and the file of no rows) "
           f"| {len(period_files) + 1} | {macro:.0f} ms |"] if macro is not None else []),
        f"| only the files of the period's months | {len(period_files)} | {pruned:.0f} ms |",
        f"| the same rows as one file per month | {len(per_month)} | {merged:.0f} ms |",
        "",
        f"Writing every month again as one file took {all_months:.1f} s; writing one month ({rows:,} rows) "
        f"{one_month:.2f} s, what a revision of that month would cost each table if a month were one file.",
        "",
    ]
    print("\n".join(lines))
    out = Path(args.out)
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    head, *blocks = text.split("\n## ")
    kept = ["## " + b.rstrip() + "\n" for b in blocks if not ("## " + b).startswith(TITLE)]
    out.write_text(head.rstrip() + "\n\n" + "\n".join([*kept, "\n".join(lines)]), encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
