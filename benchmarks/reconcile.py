"""The coverage page's expected 5-minute rate against the measured one, city-wide and by district.

    uv run python benchmarks/reconcile.py --warehouse data/emss.duckdb
    uv run python benchmarks/reconcile.py --warehouse W --out quick.md

The page's model: stations in service on the as-of date, the year's travel-time fit, and the spread
of measured arrivals around it over the last `spread_days` (emss/coverage.toml). Its expected rate is
each grid cell's chance of an arrival within the target, weighted by the period's incidents in the
cell (the tile 预计5分钟到场率). The measured rate is counted here in SQL from the incidents view.

Two checks:
- **as the page shows it**: the default period, the spread of the weeks ending on the as-of date
  (the period lies inside them);
- **forward**: the same period, with the spread of the weeks before it, so no incident of the period
  was seen by the model: what a planner would get predicting the next four weeks.

Figures go to benchmarks/RESULTS.md (a section of their own) or --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## The coverage model against the measured 5-minute rate"
MIN_INCIDENTS = 300  # districts with fewer incidents in the period are listed but not held to the 5 points


def check(warehouse: Path) -> tuple[dict, list[dict]]:
    import queries
    from emss import coverage, profiles
    from emss.settings import ALL_HOURS
    from siting import page_inputs  # benchmarks/siting.py, beside this script: the page's default inputs

    def read(con, got: dict) -> dict:
        settings, as_of, start = got["settings"], got["as_of"], got["start"]
        spreads = {name: queries.run(con, "coverage/arrival_samples", {
            "start_date": end - dt.timedelta(days=settings.spread_days - 1), "end_date": end})
            for name, end in (("page", as_of), ("forward", start - dt.timedelta(days=1)))}
        measured = {d: (rate, n) for d, rate, n in con.execute(
            """select district, avg((response_s <= ?)::int), count(*) from incidents
               where call_date between ? and ? and response_s is not null and lat is not null
               group by rollup (district)""", [settings.target_s, start, as_of]).fetchall()}
        return {"spreads": spreads, "measured": measured}

    inputs = page_inputs(warehouse, read)
    settings, as_of, start, stations, travel, points, spreads, measured = (inputs[k] for k in (
        "settings", "as_of", "start", "stations", "travel", "points", "spreads", "measured"))
    model = coverage.calibrate(travel, settings)
    turnout = stations["city_turnout_p50_s"][0]
    sites = coverage.reach(coverage.in_service(stations, as_of), model, ALL_HOURS, settings, turnout)
    cells = coverage.land_cells()
    grid = coverage.demand_grid(cells, coverage.census_population(cells), coverage.incident_counts(points))
    counts = coverage.cover_counts(grid, sites)
    kpis = {}
    for name, samples in spreads.items():
        spread = coverage.arrival_spread(samples, stations, model, ALL_HOURS, settings, turnout)
        chance = coverage.reach_chance(grid["lon"], grid["lat"], grid["district"].to_list(), sites, spread,
                                       settings.target_s)
        kpis[name] = {r["district"]: r for r in coverage.coverage_kpis(grid, counts, chance).iter_rows(named=True)}
    about = {"as_of": as_of, "start": start, "spread_days": settings.spread_days, "target_s": settings.target_s}
    rows = []
    for code in (None, *profiles.current().districts):
        rate, n = measured.get(code, (None, 0))
        page, forward = kpis["page"].get(code), kpis["forward"].get(code)
        if page is None or rate is None:
            continue
        rows.append({"district": code, "label": profiles.current().label("district", code, "zh") if code else "全市",
                     "timed": n, "measured": rate, "circle": page["incident_share"],
                     "page": page["incident_expected_share"], "forward": forward["incident_expected_share"]})
    return about, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default=str(ROOT / "data" / "emss.duckdb"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    about, rows = check(Path(args.warehouse))
    held = [r for r in rows if r["district"] is None or r["timed"] >= MIN_INCIDENTS]
    worst = {k: max(abs(r[k] - r["measured"]) * 100 for r in held) for k in ("page", "forward")}
    for r in rows:
        print(f"{r['label']}: {r['timed']} timed, measured {r['measured']:.1%}, circle {r['circle']:.1%}, "
              f"expected {r['page']:.1%} ({(r['page'] - r['measured']) * 100:+.1f} pp), "
              f"forward {r['forward']:.1%} ({(r['forward'] - r['measured']) * 100:+.1f} pp)")
    print(f"largest gap where held (city and districts with {MIN_INCIDENTS}+ incidents): "
          f"page {worst['page']:.1f} pp, forward {worst['forward']:.1f} pp")
    lines = [SECTION, "",
             f"`uv run python benchmarks/reconcile.py --warehouse {Path(args.warehouse).name}` on "
             f"{platform.machine()}, Python {platform.python_version()}, {dt.date.today().isoformat()}. Period "
             f"{about['start']} to {about['as_of']} (the default), stations in service on {about['as_of']}, target "
             f"{about['target_s']:.0f} s. Measured: the incidents' own 5-minute rate, counted in SQL. Circle: the share "
             f"inside the drawn circle. Expected: the page's tile, each cell's chance of an arrival within the target "
             f"by the spread of the {about['spread_days']} days ending on the as-of date. Forward: the same with the "
             f"spread of the {about['spread_days']} days before the period, which never saw its incidents.", "",
             "| district | incidents with an arrival | measured | circle | expected | gap | forward | gap |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['label']} | {r['timed']:,} | {r['measured']:.1%} | {r['circle']:.1%} | {r['page']:.1%} | "
              f"{(r['page'] - r['measured']) * 100:+.1f} pp | {r['forward']:.1%} | "
              f"{(r['forward'] - r['measured']) * 100:+.1f} pp |" for r in rows]
    lines += ["", f"Largest gap over the city and the districts with {MIN_INCIDENTS} or more incidents: "
              f"{worst['page']:.1f} pp as the page shows it, {worst['forward']:.1f} pp forward."]
    from results import replace_section  # benchmarks/results.py, beside this script

    replace_section(Path(args.out), SECTION, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
