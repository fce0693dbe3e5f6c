"""The coverage page's siting suggestion against the exact answer of the same problem.

    uv run python benchmarks/siting.py --warehouse data/emss.duckdb          # k = 5, 10, 20
    uv run python benchmarks/siting.py --warehouse W --k 5 --out quick.md

The page chooses the next k sites by greedy picks and exchanges (emss.coverage.maximal_cover). Here
the same maximal covering location problem — the same cells, weights, candidate sites and reach as
the page's defaults (stations in service on the data's as-of date, all hours, the period's
incidents as demand, every land cell a candidate) — is solved exactly as an integer program with
the CBC solver that ships with PuLP, and the two objectives are compared. Figures go to
benchmarks/RESULTS.md (a section of their own) or --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Siting against the exact answer"


def exact_cover(cell_idx: np.ndarray, site_idx: np.ndarray, weight: np.ndarray, covered: np.ndarray, k: int,
                n_sites: int, time_limit_s: float = 600) -> tuple[list[int], float, str]:
    """The best k sites by integer programming: max sum w_c y_c, y_c <= sum of x_s over the sites
    reaching c, sum x_s <= k, x binary, 0 <= y <= 1. Only uncovered cells with weight and the sites
    reaching one of them enter the model. Returns (sites, objective, solver status)."""
    import pulp

    free = (~np.asarray(covered, dtype=bool)) & (np.asarray(weight) > 0)
    keep = free[cell_idx]
    cells, sites = cell_idx[keep], site_idx[keep]
    if len(cells) == 0:
        return [], 0.0, "nothing to cover"
    problem = pulp.LpProblem("maximal_covering", pulp.LpMaximize)
    x = {s: problem.add_variable(f"x{s}", cat="Binary") for s in np.unique(sites).tolist()}
    y = {c: problem.add_variable(f"y{c}", lowBound=0, upBound=1) for c in np.unique(cells).tolist()}
    problem += pulp.lpSum(float(weight[c]) * v for c, v in y.items())
    order = np.argsort(cells, kind="stable")
    bounds = np.searchsorted(cells[order], np.array(sorted(y)), side="left").tolist() + [len(cells)]
    for i, c in enumerate(sorted(y)):
        reaching = sites[order[bounds[i]:bounds[i + 1]]]
        problem += y[c] <= pulp.lpSum(x[s] for s in np.unique(reaching).tolist())
    problem += pulp.lpSum(x.values()) <= k
    problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s))
    chosen = [s for s, v in x.items() if (v.value() or 0) > 0.5]
    return chosen, float(pulp.value(problem.objective) or 0.0), pulp.LpStatus[problem.status]


def covered_weight(chosen: list[int], cell_idx, site_idx, weight, covered) -> float:
    """The uncovered demand the chosen sites bring within reach (what both methods maximise)."""
    reached = np.zeros(len(weight), dtype=bool)
    reached[cell_idx[np.isin(site_idx, chosen)]] = True
    return float(np.asarray(weight)[reached & ~np.asarray(covered, dtype=bool)].sum())


DEMANDS = {"incidents": 0.0, "both": 0.5, "population": 1.0}  # population's share, as the page's switch


def page_inputs(warehouse: Path, read=None) -> dict:
    """What the coverage page reads by default from a warehouse (its city made current): the as-of date,
    the default period's start, every station, the year's travel samples and the period's incidents.
    `read(con, inputs)` may read more over the same connection, into the dict it returns."""
    import queries
    from emss import profiles
    from emss.settings import coverage as coverage_settings
    from warehouse.build import recorded_profile
    from warehouse.connection import open_reader

    settings = coverage_settings()
    con = open_reader(warehouse)
    try:
        city = recorded_profile(con)
        if city is not None:
            profiles.use(city)
        rng = queries.run(con, "meta/data_range").row(0, named=True)
        as_of, start = rng["as_of_date"], rng["default_start_date"]
        model_start = as_of - dt.timedelta(days=settings.period_days - 1)
        inputs = {"settings": settings, "as_of": as_of, "start": start,
                  "stations": queries.run(con, "coverage/stations", {"start_date": model_start, "end_date": as_of}),
                  "travel": queries.run(con, "coverage/travel_samples", {"start_date": model_start, "end_date": as_of}),
                  "points": queries.run(con, "coverage/incident_points", {"start_date": start, "end_date": as_of})}
        if read is not None:
            inputs.update(read(con, inputs))
        return inputs
    finally:
        con.close()


def page_problem(warehouse: Path, demand: str = "incidents"):
    """The siting problem as the coverage page poses it by default, from the warehouse's data."""
    from emss import coverage
    from emss.settings import ALL_HOURS

    inputs = page_inputs(warehouse)
    settings, as_of, stations, samples, points = (inputs[k] for k in ("settings", "as_of", "stations", "travel", "points"))
    model = coverage.calibrate(samples, settings)
    turnout = stations["city_turnout_p50_s"][0]
    sites = coverage.reach(coverage.in_service(stations, as_of), model, ALL_HOURS, settings, turnout)
    cells = coverage.land_cells()
    grid = coverage.demand_grid(cells, coverage.census_population(cells), coverage.incident_counts(points))
    counts = coverage.cover_counts(grid, sites)
    weight = coverage.demand_weight(grid, DEMANDS[demand])  # the page's default: the period's incidents
    candidates = coverage.reach(coverage.candidate_cells(grid), model, ALL_HOURS, settings, turnout)
    cell_idx, site_idx, _ = coverage.pairs_within(grid["lon"].to_numpy(), grid["lat"].to_numpy(),
                                                  candidates["lon"].to_numpy(), candidates["lat"].to_numpy(),
                                                  candidates["radius_m"].to_numpy())
    return cell_idx, site_idx, weight, counts > 0, candidates.height


def main(argv: list[str] | None = None) -> int:
    from emss.coverage import maximal_cover

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(ROOT / "data" / "emss.duckdb"))
    parser.add_argument("--k", type=int, action="append", help="sites to choose (repeat; default 5, 10, 20)")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds CBC may take per k")
    parser.add_argument("--demand", action="append", choices=list(DEMANDS),
                        help="the page's demand switch (repeat; default incidents and population)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    rows = []
    for demand in args.demand or ["incidents", "population"]:
        cell_idx, site_idx, weight, covered, n_sites = page_problem(Path(args.warehouse), demand)
        for k in args.k or [5, 10, 20]:
            t0 = time.perf_counter()
            greedy = maximal_cover(cell_idx, site_idx, weight, covered, k, n_sites)
            t1 = time.perf_counter()
            best, objective, status = exact_cover(cell_idx, site_idx, weight, covered, k, n_sites, args.time_limit)
            t2 = time.perf_counter()
            ours, exact = covered_weight(greedy, cell_idx, site_idx, weight, covered), \
                covered_weight(best, cell_idx, site_idx, weight, covered)
            gap = max(exact - ours, 0.0) / exact * 100 if exact > 0 else 0.0  # float noise is no gap
            rows.append((demand, k, ours, exact, gap, t1 - t0, t2 - t1, status))
            print(f"{demand} k={k}: page {ours:.6f}, exact {exact:.6f} ({status}), gap {gap:.2f} %, "
                  f"page {t1 - t0:.2f} s, CBC {t2 - t1:.1f} s", flush=True)
    lines = [SECTION, "",
             f"`uv run python benchmarks/siting.py --warehouse {Path(args.warehouse).name}` on "
             f"{platform.machine()}, Python {platform.python_version()}, {dt.date.today().isoformat()}: the page's "
             f"default problem (every land cell a candidate, stations in service on the as-of date, all hours, the "
             "default period). Objective = the share of the demand (the period's incidents, or residents) that the "
             "k new sites bring within reach, of all demand.", "",
             "| demand | k | page (greedy + exchanges) | exact (CBC) | gap | page time | CBC time | CBC status |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {d} | {k} | {o:.4%} | {e:.4%} | {g:.2f} % | {a:.2f} s | {b:.1f} s | {s} |"
              for d, k, o, e, g, a, b, s in rows]
    from results import replace_section  # benchmarks/results.py, beside this script

    replace_section(Path(args.out), SECTION, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
