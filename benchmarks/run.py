"""Speed and memory of the product against bare DuckDB on the same machine, in the same run.

    uv run python benchmarks/run.py                        # 1 M incidents
    uv run python benchmarks/run.py --incidents 10000000   # 10 M (about 3.5 GB of GB18030 CSV)
    uv run python benchmarks/run.py --incidents 20000 --repeat 1 --out quick.md   # a quick look

Each figure is the median of --repeat runs, each run in a fresh process (so peak memory is
that process's own). Measured:
  ingest       the demo's incident exports (GB18030 CSV) into a warehouse that holds the
               registry, vs the bare baseline: the same files transcoded to UTF-8 (iconv) and
               loaded by DuckDB's typed read_csv into a table
  incremental  a 100 k-row weekly export (10 % revised records, 5 % duplicates) into that warehouse,
               vs the same file read by typed read_csv and merged into the bare table in place
  pages        each dashboard page's named queries as the page runs them when opened, together,
               cold (fresh process) and warm
  after load   the Overview, Response and Coverage pages opened as the server runs them, first
               and again after the weekly export is loaded (what was shown is computed ahead)
  snapshot     `emss snapshot` of the last complete week
The figures and the machine go into benchmarks/RESULTS.md (or --out), every size's figures into
results.json beside it, and from those a table of how the weekly load grows with history.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from warehouse.connection import copy_warehouse

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "dashboard" / "app_pages"


def compile_bytecode() -> None:
    """Every measured process starts as a user's does from its second run on: with the bytecode of
    the installed packages and of the project compiled. Python writes it at a module's first import,
    unless it may not write there (a read-only install, PYTHONDONTWRITEBYTECODE): then every process
    compiles every module it imports again, about 2 s of a fresh load process, which is no cost of
    the product (`uv sync --compile-bytecode` compiles them at install)."""
    import sysconfig

    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
               *(str(ROOT / d) for d in ("emss", "etl", "warehouse", "queries", "dashboard", "benchmarks"))}
    # some packages ship files that are not Python 3 (templates, tests): compileall says so and goes on
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *sorted(folders)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_child(code: str, env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Run Python code in a fresh process (in `cwd`: the checkout whose code it imports); it prints
    one JSON line; we add its peak memory."""
    wrapper = textwrap.dedent("""
        import json, resource, sys, time
        t0 = time.perf_counter()
        result = {}
        exec(compile(sys.argv[1], "bench", "exec"))
        result.setdefault("seconds", time.perf_counter() - t0)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result, default=str))
    """)
    out = subprocess.run([sys.executable, "-c", wrapper, code], capture_output=True, text=True, cwd=cwd,
                         env=env or os.environ.copy())
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def page_queries() -> dict[str, list[str]]:
    """Each page's named queries, as the page file declares them (QUERIES = [...])."""
    pages = {}
    for path in sorted(PAGES_DIR.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "QUERIES" for t in node.targets):
                pages[path.stem] = ast.literal_eval(node.value)
    return pages


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = next((int(l.split()[1]) / 1024 / 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    import duckdb
    import polars
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB RAM; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, Polars {polars.__version__}; {platform.platform()}")


def make_exports(work: Path, incidents: int) -> dict:
    marker = work / f"exports-{incidents}.json"
    if marker.exists():
        return {k: [Path(p) for p in v] for k, v in json.loads(marker.read_text()).items()}
    from emss import demo

    files = demo.generate_exports(work / f"exports-{incidents}", seed=1, n_stations=1000, n_incidents=incidents)
    marker.write_text(json.dumps({k: [str(p) for p in v] for k, v in files.items()}))
    return files


def make_weekly_export(source: Path, target: Path, rows: int = 100_000) -> Path:
    """A weekly export in the same format: new incidents, with 10 % revised and 5 % duplicate records."""
    import polars as pl

    text = source.read_bytes().decode("gb18030")
    frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    tail = frame.tail(rows)
    n_rev, n_dup = rows // 10, rows // 20
    fresh = tail.slice(n_rev + n_dup).with_columns((pl.col("警情编号") + "W").alias("警情编号"))
    revised = tail.head(n_rev).with_columns(pl.col("处置完毕时间").str.replace(r":\d\d$", ":59"))
    duplicates = tail.slice(n_rev, n_dup)
    weekly = pl.concat([revised, duplicates, fresh])
    target.write_bytes(weekly.write_csv(line_terminator="\r\n").encode("gb18030"))
    return target


def remove_warehouse(path: Path) -> None:
    """A warehouse is its file and the folder of its Parquet files."""
    from warehouse import partitions

    path.unlink(missing_ok=True)
    shutil.rmtree(partitions.root_of(path), ignore_errors=True)


def sizes_mb(warehouse: Path) -> tuple[float, float]:
    """The warehouse file, and its Parquet files, in MB."""
    from warehouse import partitions

    parts = sum(f.stat().st_size for f in partitions.root_of(warehouse).rglob("*.parquet"))
    return warehouse.stat().st_size / 1e6, parts / 1e6


def bench_ingest(exports: dict, work: Path, repeat: int) -> tuple[list[dict], list[dict], Path, Path]:
    seed = work / "registry.duckdb"
    if not seed.exists():
        from etl.load import ingest
        ingest([*exports["stations"], *exports["targets"], *exports["inventory"]], seed)
    incidents = [str(p) for p in exports["incidents"]]
    ours, bare = [], []
    for i in range(repeat):
        target = work / f"ingest-{i}.duckdb"
        copy_warehouse(seed, target)
        ours.append(run_child(f"from etl.load import ingest; ingest({incidents!r}, {str(target)!r})"))
        if i < repeat - 1:
            remove_warehouse(target)
        bare_target = work / f"bare-{i}.duckdb"
        bare_target.unlink(missing_ok=True)
        bare.append(run_child(textwrap.dedent(f"""
            import duckdb, subprocess, tempfile, os
            con = duckdb.connect({str(bare_target)!r})
            con.execute("SET enable_progress_bar = false")
            types = {{"警情编号": "VARCHAR", "警情类型": "VARCHAR", "接警渠道": "VARCHAR", "所属区": "VARCHAR",
                     "街道": "VARCHAR", "事发地址": "VARCHAR", "经度": "DOUBLE", "纬度": "DOUBLE", "坐标系": "VARCHAR",
                     "接警时间": "TIMESTAMP", "派警时间": "TIMESTAMP", "出动时间": "TIMESTAMP", "到场时间": "TIMESTAMP",
                     "处置完毕时间": "TIMESTAMP", "出警站点编号": "VARCHAR", "出警站点": "VARCHAR", "出动人数": "INTEGER",
                     "出动车辆数": "INTEGER", "报警人": "VARCHAR", "联系电话": "VARCHAR"}}
            with tempfile.TemporaryDirectory() as d:
                for n, path in enumerate({incidents!r}):
                    utf8 = os.path.join(d, f"{{n}}.csv")
                    with open(utf8, "wb") as out:
                        subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", path], stdout=out, check=True)
                    verb = "create table incidents as" if n == 0 else "insert into incidents"
                    con.execute(f"{{verb}} select * from read_csv(?, header = true, columns = ?, timestampformat = '%Y-%m-%d %H:%M:%S')",
                                [utf8, types])
            con.close()
        """)))
        if i < repeat - 1:
            bare_target.unlink(missing_ok=True)
    return ours, bare, work / f"ingest-{repeat - 1}.duckdb", work / f"bare-{repeat - 1}.duckdb"


def load_into_copy(warehouse: Path, export: Path, target: Path, project: Path = ROOT) -> dict:
    """Load `export` into a fresh copy of `warehouse` (at `target`, removed after) with the code of
    `project`, in a fresh process; its figures and the rows it loaded."""
    copy_warehouse(warehouse, target)
    env = {**os.environ, "PYTHONPATH": str(project)}
    try:
        return run_child(f"from etl.load import ingest; r = ingest([{str(export)!r}], {str(target)!r}); "
                         "result['rows_loaded'] = sum(b.rows_loaded for b in r)", env=env, cwd=project)
    finally:
        remove_warehouse(target)


def bench_incremental(warehouse: Path, weekly: Path, work: Path, repeat: int) -> list[dict]:
    return [load_into_copy(warehouse, weekly, work / f"incr-{i}.duckdb") for i in range(repeat)]


def bench_incremental_bare(bare: Path, weekly: Path, work: Path, repeat: int) -> list[dict]:
    """The bare baseline of a weekly load: the same file transcoded and read by DuckDB's typed
    read_csv, then the rows with the same (incident, station) replaced (DELETE + INSERT), in place."""
    runs = []
    for i in range(repeat):
        target = work / f"bare-incr-{i}.duckdb"
        shutil.copyfile(bare, target)
        runs.append(run_child(textwrap.dedent(f"""
            import duckdb, subprocess, tempfile, os
            con = duckdb.connect({str(target)!r})
            con.execute("SET enable_progress_bar = false")
            with tempfile.TemporaryDirectory() as d:
                utf8 = os.path.join(d, "weekly.csv")
                with open(utf8, "wb") as out:
                    subprocess.run(["iconv", "-f", "GB18030", "-t", "UTF-8", {str(weekly)!r}], stdout=out, check=True)
                types = dict(con.execute("select column_name, data_type from duckdb_columns() where table_name = 'incidents' "
                                         "order by column_index").fetchall())
                con.execute("create temp table w as select * from read_csv(?, header = true, columns = ?, "
                            "timestampformat = '%Y-%m-%d %H:%M:%S')", [utf8, types])
                con.execute("begin")
                con.execute('delete from incidents t using w where t."警情编号" = w."警情编号" and t."出警站点编号" = w."出警站点编号"')
                con.execute("insert into incidents select * from w")
                con.execute("commit")
            con.close()
        """)))
        target.unlink()
    return runs


def page_calls(warehouse: Path) -> dict[str, list[list]]:
    """Each page's named queries as the page runs them when it is opened: every distinct (query,
    parameters) it asks `dashboard.data` for, in order, recorded by rendering the page once with
    Streamlit's AppTest in a fresh process. A page runs some queries twice with other parameters
    (the Response page's groups by district and by incident type) and others with parameters of its
    own (one kind of exception, a year of turnouts): what a page costs is what it runs, not its
    declared queries with their defaults. Dates come back as ISO text, which the queries read as dates."""
    code = textwrap.dedent(f"""
        import os
        from streamlit.testing.v1 import AppTest
        import dashboard.data as data
        asked = []
        real = data._run
        def recorded(name, params, path, version, scope=None):
            if [name, dict(params)] not in asked:
                asked.append([name, dict(params)])
            return real(name, params, path, version, scope)
        data._run = recorded
        for page in {list(page_queries())!r}:
            at = AppTest.from_file(os.path.join("dashboard", "app.py"), default_timeout=600)
            asked.clear()
            at.run()
            if page != "overview":
                asked.clear()
                at.switch_page(f"app_pages/{{page}}.py").run()
            if at.exception:
                raise RuntimeError(f"{{page}}: {{[e.value for e in at.exception]}}")
            result[page] = list(asked)
    """)
    found = run_child(code, env={**os.environ, "EMSS_WAREHOUSE": str(warehouse)})
    return {page: calls for page, calls in found.items() if page not in ("seconds", "peak_mb")}


def time_page(warehouse: Path, calls: list[list], repeat: int, project: Path = ROOT) -> dict:
    """One page's queries (`calls`, from page_calls) together, in a fresh process running `project`'s
    code: once (cold), then `repeat` times more (warm, the median)."""
    code = textwrap.dedent(f"""
        import time, queries
        from warehouse.connection import open_reader
        con = open_reader({str(warehouse)!r})
        timings = []
        for attempt in range({repeat} + 1):
            t = time.perf_counter()
            for name, params in {calls!r}:
                queries.run(con, name, params)
            timings.append(time.perf_counter() - t)
        result["cold"] = timings[0]
        result["warm"] = sorted(timings[1:])[len(timings[1:]) // 2]
    """)
    return run_child(code, cwd=project)


def bench_pages(warehouse: Path, repeat: int) -> dict[str, dict]:
    """Each page's queries as it runs them (page_calls), together: once in a fresh process (cold),
    then `repeat` times more (warm, the median)."""
    out = {}
    for page, calls in page_calls(warehouse).items():
        runs = [time_page(warehouse, calls, repeat) for _ in range(repeat)]
        out[page] = {"queries": len(calls), "cold": median_of(runs, "cold"), "warm": median_of(runs, "warm")}
    return out


AFTER_LOAD_PAGES = ("overview", "response_times", "coverage")  # what the weekly meeting opens first


# a page opened in a new session as the server runs it (the Overview first, as a browser does); the
# seconds of that page's own run
_OPENING = textwrap.dedent("""
    import os, time
    from streamlit.testing.v1 import AppTest
    import dashboard.data as data
    def opening(page):
        at = AppTest.from_file(os.path.join("dashboard", "app.py"), default_timeout=900)
        t = time.perf_counter()
        at.run()
        if page != "overview":
            t = time.perf_counter()
            at.switch_page(f"app_pages/{page}.py").run()
        if at.exception:
            raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
        return time.perf_counter() - t
""")


def bench_opening_after_load(warehouse: Path, weekly: Path, work: Path, repeat: int, project: Path = ROOT) -> dict:
    """Opening a page after a weekly load, as the server runs it (Streamlit's AppTest: the queries,
    the page's own work and its elements, no browser). In a fresh process on a fresh copy of the
    warehouse: each of AFTER_LOAD_PAGES opened in a session of its own (a week of reading), the weekly
    export loaded by another process, and once the server's watcher has computed ahead the views
    shown, each page opened in a new session, all with the code of `project`. Medians of `repeat`
    runs: per page, the first opening and the opening after the load; how long after the load the
    views were ready, and how many. Then, as `emss serve` runs the dashboard (its pages' default views
    computed once its first session has started): the Overview opened on a fresh server, and once
    those views are ready, each other page opened in a session of its own ("after_start")."""
    runs = []
    for i in range(repeat):
        target = work / f"after-load-{i}.duckdb"
        copy_warehouse(warehouse, target)
        code = _OPENING + textwrap.dedent(f"""
            import subprocess, sys
            result["first"] = {{page: opening(page) for page in {list(AFTER_LOAD_PAGES)!r}}}
            watcher = data._watcher({str(target)!r})
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", "from etl.load import ingest; ingest([{str(weekly)!r}], {str(target)!r})"],
                           check=True, capture_output=True)
            loaded = time.perf_counter()
            while not watcher.warmed and time.perf_counter() - loaded < 900:
                time.sleep(0.05)
            result["ready_s"] = time.perf_counter() - loaded
            result["views"] = watcher.warmed[-1][1] if watcher.warmed else 0
            result["after_load"] = {{page: opening(page) for page in {list(AFTER_LOAD_PAGES)!r}}}
        """)
        started = _OPENING + textwrap.dedent(f"""
            AppTest.from_file(os.path.join("dashboard", "app.py"), default_timeout=900).run()
            watcher = data._watcher({str(target)!r})
            t = time.perf_counter()
            while watcher.defaults is None and time.perf_counter() - t < 900:
                time.sleep(0.05)
            result["defaults_s"] = time.perf_counter() - t
            result["after_start"] = {{page: opening(page) for page in {list(AFTER_LOAD_PAGES[1:])!r}}}
        """)
        env = {**os.environ, "EMSS_WAREHOUSE": str(target), "PYTHONPATH": str(project)}
        try:
            run = run_child(code, env=env, cwd=project)
            if "COMPUTE_DEFAULTS_ENV" in (project / "dashboard" / "data.py").read_text(encoding="utf-8"):  # a version that can
                run.update(run_child(started, env={**env, "EMSS_COMPUTE_DEFAULTS": "1"}, cwd=project))
            runs.append(run)
        finally:
            remove_warehouse(target)
    started = all("after_start" in r for r in runs)
    return {"pages": {page: {"first": statistics.median(r["first"][page] for r in runs),
                             "after_load": statistics.median(r["after_load"][page] for r in runs),
                             **({"after_start": statistics.median(r["after_start"][page] for r in runs)}
                                if started and page != AFTER_LOAD_PAGES[0] else {})}
                      for page in AFTER_LOAD_PAGES},
            "ready_s": median_of(runs, "ready_s"), "views": median_of(runs, "views"),
            **({"defaults_s": median_of(runs, "defaults_s")} if started else {})}


def bench_snapshot(warehouse: Path, work: Path, repeat: int) -> list[dict] | None:
    try:
        import emss.snapshot  # noqa: F401
    except ImportError:
        return None
    runs = []
    for i in range(repeat):
        target = work / f"snap-{i}.duckdb"
        copy_warehouse(warehouse, target)
        out = work / f"snapshots-{i}"
        runs.append(run_child(textwrap.dedent(f"""
            from emss.cli import main
            assert main(["snapshot", "--warehouse", {str(target)!r}, "--out", {str(out)!r}]) == 0
        """)))
        remove_warehouse(target)
        shutil.rmtree(out, ignore_errors=True)
    return runs


def growth_section(history: dict, title: str) -> str:
    """The incremental weekly load at each size of history measured, against the smallest."""
    sizes = sorted(history, key=int)
    base = history[sizes[0]]["incremental"]["seconds"]
    lines = [title, "", "A weekly export of the same make-up (85 % new incidents, 10 % revised, 5 % delivered again; "
             "100,000 rows, or a fifth of a small run) loaded into each warehouse; target: at most 1.1× the time at "
             f"{int(sizes[0]):,}.", "", "| incidents of history | measured | weekly load | bare DuckDB | against "
             f"{int(sizes[0]):,} |", "| --- | --- | --- | --- | --- |"]
    for size in sizes:
        inc = history[size]["incremental"]
        bare = f"{inc['bare_s']:.1f} s" if "bare_s" in inc else ""
        lines.append(f"| {int(size):,} | {history[size]['date']} | {inc['seconds']:.1f} s | {bare} | {inc['seconds'] / base:.2f}× |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / "out"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    args = parser.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    compile_bytecode()

    t = time.perf_counter()
    # generated in a child process, like every measured step (see the weekly export below)
    run_child(f"from benchmarks.run import make_exports; from pathlib import Path; "
              f"make_exports(Path({str(work)!r}), {args.incidents})")
    exports = make_exports(work, args.incidents)  # now only reads what the child wrote
    size_mb = sum(p.stat().st_size for p in exports["incidents"]) / 1e6
    print(f"exports: {args.incidents:,} incidents, {size_mb:,.0f} MB of GB18030 CSV ({time.perf_counter() - t:.0f} s)", flush=True)

    ours, bare, warehouse, bare_warehouse = bench_ingest(exports, work, args.repeat)
    ingest = {"ours_s": median_of(ours, "seconds"), "bare_s": median_of(bare, "seconds"),
              "ours_mb": median_of(ours, "peak_mb"), "bare_mb": median_of(bare, "peak_mb")}
    print(f"ingest: {ingest['ours_s']:.1f} s / bare {ingest['bare_s']:.1f} s = {ingest['ours_s'] / ingest['bare_s']:.1f}x; "
          f"peak {ingest['ours_mb']:,.0f} MB / bare {ingest['bare_mb']:,.0f} MB", flush=True)

    # in a child process: it reads a whole export into memory, and a child forked from a large
    # parent would report the parent's peak memory as its own
    weekly = work / "weekly.csv"
    run_child(f"from benchmarks.run import make_weekly_export; from pathlib import Path; "
              f"make_weekly_export(Path({str(exports['incidents'][-1])!r}), Path({str(weekly)!r}), "
              f"rows={min(100_000, args.incidents // 5)})")
    incr = bench_incremental(warehouse, weekly, work, args.repeat)
    incr_bare = bench_incremental_bare(bare_warehouse, weekly, work, args.repeat)
    stored, bare_mb = sizes_mb(warehouse), bare_warehouse.stat().st_size / 1e6
    bare_warehouse.unlink(missing_ok=True)
    incremental = {"seconds": median_of(incr, "seconds"), "peak_mb": median_of(incr, "peak_mb"),
                   "bare_s": median_of(incr_bare, "seconds")}
    print(f"incremental weekly export: {incremental['seconds']:.1f} s / bare {incremental['bare_s']:.1f} s, "
          f"peak {incremental['peak_mb']:,.0f} MB", flush=True)

    pages = bench_pages(warehouse, args.repeat)
    for page, p in pages.items():
        print(f"page {page}: {p['queries']} queries, cold {p['cold'] * 1000:.0f} ms, warm {p['warm'] * 1000:.0f} ms", flush=True)

    after_load = bench_opening_after_load(warehouse, weekly, work, args.repeat)
    for page, p in after_load["pages"].items():
        print(f"page {page} opened: first {p['first']:.2f} s, after a weekly load {p['after_load']:.2f} s"
              + (f", after a start {p['after_start']:.2f} s" if "after_start" in p else ""), flush=True)

    snap = bench_snapshot(warehouse, work, args.repeat)
    snapshot = median_of(snap, "seconds") if snap else None
    if snapshot is not None:
        print(f"snapshot: {snapshot:.1f} s", flush=True)

    rows = [
        f"| ingest of the incident exports | {ingest['ours_s']:.1f} s | {ingest['bare_s']:.1f} s | "
        f"{ingest['ours_s'] / ingest['bare_s']:.1f}× | ≤ 3× (stretch 1.5×) |",
        f"| peak memory of that ingest | {ingest['ours_mb']:,.0f} MB | {ingest['bare_mb']:,.0f} MB | "
        f"{ingest['ours_mb'] / ingest['bare_mb']:.1f}× | ≤ 2,500 MB |",
        f"| incremental weekly export ({min(100_000, args.incidents // 5):,} rows) | {incremental['seconds']:.1f} s | "
        f"{incremental['bare_s']:.1f} s | {incremental['seconds'] / incremental['bare_s']:.1f}× | ≤ 2 s |",
        f"| peak memory of that load | {incremental['peak_mb']:,.0f} MB | | | |",
        f"| warehouse file / its Parquet files | {stored[0]:,.0f} MB / {stored[1]:,.0f} MB | {bare_mb:,.0f} MB | | |",
    ]
    figures = Path(args.out).with_name("results.json")  # every size's figures, for the growth table
    history = json.loads(figures.read_text()) if figures.exists() else {}
    history[str(args.incidents)] = {"date": dt.date.today().isoformat(), "ingest": ingest, "incremental": incremental,
                                    "pages": pages, "after_load": after_load, "snapshot": snapshot}
    figures.write_text(json.dumps(history, indent=1, sort_keys=True) + "\n")
    rows += [f"| page `{page}`: {p['queries']} queries, cold / warm | {p['cold'] * 1000:,.0f} / {p['warm'] * 1000:,.0f} ms | | | "
             f"≤ 1,000 / 150 ms |" for page, p in pages.items()]
    rows += [f"| page `{page}` opened after a weekly load (its first opening) | {p['after_load']:.2f} s "
             f"({p['first']:.2f} s) | | | |" for page, p in after_load["pages"].items()]
    rows.append(f"| views computed ahead after that load ({after_load['views']:.0f}), ready after | "
                f"{after_load['ready_s']:.1f} s | | | |")
    rows += [f"| page `{page}` opened after a server start, the default views computed ahead | {p['after_start']:.2f} s "
             f"| | | |" for page, p in after_load["pages"].items() if "after_start" in p]
    if "defaults_s" in after_load:
        rows.append(f"| default views computed after a start, ready after the first session | "
                    f"{after_load['defaults_s']:.1f} s | | | |")
    if snapshot is not None:
        rows.append(f"| snapshot of one week | {snapshot:.1f} s | | | ≤ 15 s |")
    section = "\n".join([
        f"## {args.incidents:,} incidents ({size_mb:,.0f} MB of GB18030 CSV) — {dt.date.today().isoformat()}",
        "",
        f"Machine: {machine()}.",
        f"Command: `uv run python benchmarks/run.py --incidents {args.incidents} --repeat {args.repeat}`; "
        f"medians of {args.repeat} runs, each in a fresh process.",
        "",
        "| measure | emss | bare DuckDB | ratio | target |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
    ])
    out = Path(args.out)
    previous = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n\n"
    marker = f"## {args.incidents:,} incidents"
    growth_title = "## How the weekly load grows with history"
    head, *blocks = previous.split("\n## ")
    blocks = ["## " + b.rstrip() + "\n" for b in blocks if not ("## " + b).startswith((marker, growth_title))]
    blocks = ["\n".join(line for line in b.splitlines() if not line.startswith("| incremental load at ")) + "\n"
              for b in blocks]  # a growth row written inside a size's table by an earlier version
    def size(block: str) -> int | None:  # "## 1,000,000 incidents ..." -> 1000000; other sections None
        word = block.split()[1].replace(",", "")
        return int(word) if word.isdigit() else None

    by_size = sorted([b for b in [*blocks, section] if size(b) is not None], key=size)
    others = [b for b in blocks if size(b) is None]  # sections written by other scripts, kept as they are
    text = (head.rstrip() + "\n\n" + "\n".join(by_size) + "\n" + growth_section(history, growth_title)
            + "".join("\n" + b for b in others))
    out.write_text(text, encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
