"""The pages' queries of one warehouse, run by one checkout's code or by several in turn.

    uv run python benchmarks/pages.py --warehouse W
    uv run python benchmarks/pages.py --warehouse W --project ../old --label before --project . --label after

Each page's queries as the page runs them when it is opened (benchmarks/run.py page_calls, recorded
by this checkout's pages), together, in a fresh process: once (cold), then --repeat times more (warm,
the median). With --project more than once, each checkout's code runs the same calls on the same
warehouse in turn, page by page and round by round, so that what else the machine does weighs on each
alike. W must be one every checkout can read: a warehouse last loaded by the newest of them (a load
adds the tables a newer version reads), which the older ones read as they always did. Medians of
--repeat rounds go to benchmarks/RESULTS.md (a section of their own) or --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.results import append_to_section, checkouts_table  # noqa: E402
from benchmarks.run import ROOT, page_calls, time_page  # noqa: E402

SECTION = "## Page queries, checkout against checkout"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--project", action="append", help="a checkout whose code runs the queries (default: this one)")
    parser.add_argument("--label", action="append", default=[], help="a name for each --project's figures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    projects = [Path(p).resolve() for p in (args.project or [ROOT])]
    labels = args.label + [""] * (len(projects) - len(args.label))
    warehouse = Path(args.warehouse).resolve()
    calls = page_calls(warehouse)
    runs = {(p, page): [] for p in projects for page in calls}
    for _ in range(args.repeat):
        for page, asked in calls.items():
            for project in projects:
                runs[(project, page)].append(time_page(warehouse, asked, args.repeat, project))
                print(page, project.name, f"{runs[(project, page)][-1]['warm'] * 1000:.0f} ms warm", flush=True)

    ms = lambda key, rs: f"{statistics.median(r[key] for r in rs) * 1000:,.0f}"  # noqa: E731
    rows = [[page, str(len(asked)), *(f"{ms('warm', runs[(p, page)])}, {ms('cold', runs[(p, page)])}" for p in projects)]
            for page, asked in calls.items()]
    lines = checkouts_table(f"{warehouse.name}, {dt.date.today().isoformat()}",
                            f"uv run python benchmarks/pages.py --warehouse {warehouse.name} --repeat {args.repeat}",
                            labels, args.repeat, "each page's queries in a fresh process", ["page", "queries"],
                            "warm, cold ms", rows)
    print("\n".join(lines))
    append_to_section(Path(args.out), SECTION, "Each page's queries, as the page runs them, on one warehouse by the "
                      "code of each checkout in turn (benchmarks/pages.py).", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
