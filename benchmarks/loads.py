"""Loads into a warehouse that already holds years of history: the weekly export and a correction export.

    uv run python benchmarks/loads.py --warehouse W --export E
    uv run python benchmarks/loads.py --warehouse W --export E --project ../old --label before --project . --label after

E is the warehouse's last incident export (GB18030 CSV, as the demo writes it). From it, two
exports of the same format:
  weekly       benchmarks/run.py's weekly export (100,000 rows of E's end: 85 % new incidents,
               10 % revised, 5 % delivered again)
  corrections  --corrections records (default 3,000) of the two months before E's last, their clear
               times changed: a dispatch centre's corrections, few rows spread over weeks, each of
               which can change its station's later responses
Each export is loaded into a fresh copy of W in a fresh process (seconds and peak memory of that
process). With --project more than once, each checkout's code (on this environment's packages) loads
the same copies in turn, round by round, so that what else the machine does weighs on each alike.
Medians of --repeat rounds go to benchmarks/RESULTS.md (a section of their own) or --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.results import append_to_section, checkouts_table  # noqa: E402
from benchmarks.run import ROOT, load_into_copy, run_child  # noqa: E402

SECTION = "## Loads into a long history"


def make_corrections(source: Path, target: Path, rows: int = 3_000) -> Path:
    """`rows` records of the two months before the last month of `source`, each with its clear time's
    seconds set to 59 (a later clear: the station was out a little longer)."""
    import polars as pl

    frame = pl.read_csv(source.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    month = pl.col("接警时间").str.slice(0, 7)
    months = sorted(m for m in frame.select(month.unique()).to_series().to_list() if m)
    earlier = frame.filter(month.is_in(months[-3:-1]) & (pl.col("处置完毕时间") != ""))
    picked = earlier.sample(min(rows, earlier.height), seed=1)
    picked = picked.with_columns(pl.col("处置完毕时间").str.replace(r":\d\d$", ":59"))
    target.write_bytes(picked.write_csv(line_terminator="\r\n").encode("gb18030"))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--export", required=True, help="the warehouse's last incident export")
    parser.add_argument("--project", action="append", help="a checkout whose code loads (default: this one)")
    parser.add_argument("--label", action="append", default=[], help="a name for each --project's figures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--weekly-rows", type=int, default=100_000)
    parser.add_argument("--corrections", type=int, default=3_000)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    projects = [Path(p).resolve() for p in (args.project or [ROOT])]
    labels = args.label + [""] * (len(projects) - len(args.label))
    warehouse, source = Path(args.warehouse), Path(args.export)
    work = Path(tempfile.mkdtemp(prefix="emss-loads-", dir=warehouse.parent))
    try:
        # made in a child process: a process's peak memory passes to the processes it starts, and
        # reading E takes far more than a load
        exports = {"weekly": work / "weekly.csv", "corrections": work / "corrections.csv"}
        run_child(f"from benchmarks.run import make_weekly_export; from benchmarks.loads import make_corrections; "
                  f"from pathlib import Path; source = Path({str(source)!r}); "
                  f"make_weekly_export(source, Path({str(exports['weekly'])!r}), {args.weekly_rows}); "
                  f"make_corrections(source, Path({str(exports['corrections'])!r}), {args.corrections})")
        runs = {(p, name): [] for p in projects for name in exports}
        for _ in range(args.repeat):
            for name, export in exports.items():
                for project in projects:
                    runs[(project, name)].append(load_into_copy(warehouse, export, work / "copy.duckdb", project))
                    print(name, project.name, f"{runs[(project, name)][-1]['seconds']:.2f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = lambda key, rs: statistics.median(r[key] for r in rs)  # noqa: E731
    rows = [[name, f"{runs[(projects[0], name)][0].get('rows_loaded', 0):,}",
             *(f"{med('seconds', runs[(p, name)]):.2f} s, {med('peak_mb', runs[(p, name)]):,.0f} MB" for p in projects)]
            for name in exports]
    lines = checkouts_table(f"{warehouse.name}, {dt.date.today().isoformat()}",
                            f"uv run python benchmarks/loads.py --warehouse {warehouse.name} --export {source.name} "
                            f"--repeat {args.repeat}", labels, args.repeat,
                            "each load into a fresh copy, in a fresh process", ["export", "rows loaded"],
                            "seconds, peak MB", rows)
    print("\n".join(lines))
    append_to_section(Path(args.out), SECTION, "The weekly export and a correction export loaded into a warehouse "
                      "of long history (benchmarks/loads.py).", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
