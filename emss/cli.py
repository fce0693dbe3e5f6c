"""The `emss` command: demo, ingest, query, snapshot, serve, rebuild, vacuum, profile, user, audit.

Every subcommand takes --warehouse; without it, EMSS_WAREHOUSE, then data/emss.duckdb.
The city: a warehouse records the city profile it was built with, and every command that reads it
works for that city. Commands that write (demo, ingest, rebuild) take --profile (or EMSS_PROFILE);
a new warehouse without one is the default city's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from emss import config, messages, profiles


def _add_warehouse(p: argparse.ArgumentParser, writes: bool = False) -> None:
    p.add_argument("--warehouse", "-w", metavar="W",
                   help="warehouse file (default: $EMSS_WAREHOUSE, else data/emss.duckdb)")
    if writes:
        p.add_argument("--profile", metavar="CITY",
                       help="city profile: a shipped name (shenzhen) or a folder made by `emss profile new` "
                            "(default: $EMSS_PROFILE, else the one the warehouse was built with, else shenzhen)")


def _use_city(args: argparse.Namespace, warehouse: Path, fresh: bool = False) -> profiles.Profile:
    """Work for the city the command is about: the one asked for (--profile, EMSS_PROFILE) when the
    command writes, else the one the warehouse records, else the default. A warehouse of another city
    is refused when written (warehouse.build.record_profile)."""
    asked = getattr(args, "profile", None) or (os.environ.get("EMSS_PROFILE") if hasattr(args, "profile") else None)
    recorded = None
    if not fresh and warehouse.exists():
        from warehouse.build import recorded_profile
        from warehouse.connection import open_reader

        con = open_reader(warehouse)
        try:
            recorded = recorded_profile(con)
        finally:
            con.close()
    city = profiles.load(asked) if asked else recorded or profiles.load(profiles.chosen())
    if recorded is not None:
        from warehouse.build import check_same_city

        check_same_city(recorded, city)  # said before anything is read, even for a file already loaded
    profiles.use(city)
    return city


def _is_demo_warehouse(warehouse: Path) -> bool:
    """True when every file ever loaded into it is one the demo writes (so rebuilding it loses nothing)."""
    import duckdb

    from emss import demo
    from warehouse.connection import open_reader

    fixed = {demo.REGISTRY_FILE, demo.INVENTORY_FILE, demo.TARGETS_FILE, demo.PATROL_FILE, demo.OUTREACH_FILE,
             demo.DESK_FILE}
    incident_file = re.compile(re.escape(demo.INCIDENT_FILE).replace(r"\{year\}", r"\d{4}"))
    hazard_file = re.compile(re.escape(demo.HAZARD_FILE).replace(r"\{day\}", r"\d{8}"))
    try:
        con = open_reader(warehouse)
        try:
            loaded = {r[0] for r in con.execute("select source_file from meta.batches").fetchall()}
        finally:
            con.close()
    except duckdb.Error:
        return False
    return all(name in fixed or incident_file.fullmatch(name) or hazard_file.fullmatch(name) for name in loaded)


def cmd_demo(args: argparse.Namespace) -> int:
    import shutil

    from emss import demo
    from etl.load import ingest
    from etl.reports import report_text
    from warehouse import partitions

    warehouse = config.warehouse_path(args.warehouse)
    exports_dir = warehouse.parent / "demo_exports"
    if warehouse.exists() and not _is_demo_warehouse(warehouse):
        print(f"错误 / error: {warehouse} 含有非演示数据，演示不会覆盖它 / holds data other than the demo's; "
              "the demo will not overwrite it. Give the demo its own --warehouse.", file=sys.stderr)
        return 2
    city = _use_city(args, warehouse, fresh=True)  # the demo warehouse is made anew
    t0 = time.perf_counter()
    files = demo.generate_exports(exports_dir, seed=args.seed, n_stations=args.stations, n_incidents=args.incidents,
                                  city=city)
    t1 = time.perf_counter()
    print(f"演示导出文件 / demo exports written to {exports_dir} ({t1 - t0:.1f} s)")
    if warehouse.exists():  # the demo warehouse is rebuilt from its exports every time
        warehouse.unlink()
        shutil.rmtree(partitions.root_of(warehouse), ignore_errors=True)
    reports = ingest([p for paths in files.values() for p in paths], warehouse)
    t2 = time.perf_counter()
    print(report_text(reports))
    size = warehouse.stat().st_size + sum(f.stat().st_size for f in partitions.root_of(warehouse).rglob("*.parquet"))
    print(f"仓库 / warehouse: {warehouse} ({size / 1e6:.1f} MB, loaded in {t2 - t1:.1f} s)")
    demo_admin = _demo_accounts(warehouse, city)
    if args.no_serve:
        return 0
    if args.host not in LOOPBACK:
        print(f"错误 / error: {messages.both('cli_demo_loopback')}", file=sys.stderr)
        return 2
    return _serve(warehouse, args.port, args.host, demo_user=demo_admin)


def _demo_accounts(warehouse: Path, city: profiles.Profile) -> str:
    """One account per role for the demo, passwords printed once; returns the administrator's name,
    whom the demo's dashboard signs in by itself (a demo-only setting)."""
    import secrets

    import duckdb

    from warehouse.access import AccessStore, access_path
    from warehouse.connection import open_reader

    access_path(warehouse).unlink(missing_ok=True)  # made anew with the demo warehouse
    con = open_reader(warehouse)
    try:
        station, district = con.execute("select station_id, district from stations order by station_id limit 1").fetchall()[0]
    except (duckdb.Error, IndexError):
        station, district = None, next(iter(city.districts), None)
    finally:
        con.close()
    store = AccessStore(warehouse)
    accounts = [("demo_admin", "admin", (), None), ("demo_leader", "leader", (), None),
                ("demo_analyst", "analyst", (), None), ("demo_district", "district", (district,), None),
                ("demo_station", "station", (), station)]
    print("演示账号 / demo accounts (仅用于演示 / for the demo only):")
    for name, role, districts, at in accounts:
        if (role == "district" and not district) or (role == "station" and not station):
            continue
        password = secrets.token_urlsafe(9)
        store.add_user(name, password, role, districts=districts, station=at)
        where = f" {','.join(districts)}" if districts else f" {at}" if at else ""
        print(f"  {name:14} {role:9}{where:12} 密码 / password: {password}")
    return "demo_admin"


def cmd_ingest(args: argparse.Namespace) -> int:
    from etl.load import StrictError, ingest
    from etl.reports import report_text, reports_json
    from etl.mapping import MappingError, load_mapping
    from etl.readers import ExportError
    from warehouse.quoting import UnsafeName

    warehouse = config.warehouse_path(args.warehouse)
    _use_city(args, warehouse)
    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
    except MappingError as e:
        print(f"错误 / error: {e}", file=sys.stderr)
        return 2
    if args.explain:
        from etl.explain import explain

        for path in args.paths:
            try:
                print(explain(path, args.kind, mapping))
            except (ExportError, UnsafeName) as e:
                print(f"错误 / error: {Path(path).name}: {e}", file=sys.stderr)
                return 2
        return 0
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not args.json:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    try:
        reports = ingest(args.paths, warehouse, kind=args.kind, default_crs=args.crs, mapping=mapping,
                         strict=args.strict, progress=progress)
    except StrictError as e:
        print(f"错误 / error: {e}", file=sys.stderr)
        return 3
    except OSError as e:  # a full disk, a folder that cannot be written: nothing was loaded
        print(f"错误 / error: 未导入任何数据 / nothing was loaded: {e.strerror or e} ({e.filename or warehouse})",
              file=sys.stderr)
        return 1
    print(reports_json(reports) if args.json else report_text(reports))
    refused = [r for r in reports if r.outcome == "refused"]
    if refused:
        print(f"错误 / error: {refused[0].source_file}: {refused[0].message}", file=sys.stderr)
        return 2
    # a load that rejected most of a file went wrong, even though what loaded stays: say so, and
    # fail, so that a scheduled load does not pass unnoticed
    for r in reports:
        if r.outcome == "loaded" and r.rows_read and r.rows_rejected / r.rows_read > args.fail_over:
            print("错误 / error: " + messages.both(
                "cli_too_many_rejects", file=r.source_file, rejected=f"{r.rows_rejected:,}", read=f"{r.rows_read:,}",
                share=f"{r.rows_rejected / r.rows_read:.1%}", limit=f"{args.fail_over:.0%}"), file=sys.stderr)
            return 4
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import queries
    from warehouse.connection import open_reader

    if args.list:
        for q in queries.catalogue().values():
            print(f"{q.name:32} {q.title} / {q.title_en}")
            for p in q.params:  # with what the query does when it is left out
                print(f"    -p {p.name}=…  ({p.type}) {p.description_zh} / {p.description}".rstrip(" /"))
        return 0
    if not args.name:
        print("错误 / error: give a query name, or --list", file=sys.stderr)
        return 2
    if args.format == "parquet" and not args.out:
        print("错误 / error: --format parquet writes a file: give --out FILE", file=sys.stderr)
        return 2
    params = {}
    for item in args.param or []:
        key, _, value = item.partition("=")
        params[key] = value
    if args.engine == "spark":
        if not args.lake:
            print("错误 / error: --engine spark reads a lake: give --lake DIR", file=sys.stderr)
            return 2
        from warehouse import spark

        session = spark.session(args.master)
        try:
            spark.attach(session, args.lake, args.city)
            frame = queries.run_on_spark(session, args.name, params)
        except ValueError as e:  # no such city in the lake, or several and none named
            print(f"错误 / error: {e}", file=sys.stderr)
            return 2
        finally:
            session.stop()
    else:
        _use_city(args, config.warehouse_path(args.warehouse))
        con = open_reader(config.warehouse_path(args.warehouse))
        try:
            unknown = _unknown_codes(con, params)
            if unknown:
                print("错误 / error: " + unknown, file=sys.stderr)
                return 2
            frame = queries.run(con, args.name, params)
        finally:
            con.close()
    if args.format == "parquet":
        frame.write_parquet(args.out, compression="zstd")
        return 0
    if args.format == "csv":
        from emss import spreadsheet

        # lists and records as text; text a spreadsheet would run as a formula starts with '
        out = spreadsheet.csv_text(frame)
    elif args.format == "json":
        out = json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=2)
    else:
        import polars as pl
        with pl.Config(tbl_rows=50, tbl_cols=20, fmt_str_lengths=40):
            out = str(frame)
    if args.out:
        Path(args.out).write_text(out, encoding="utf-8")
    else:
        print(out)
    return 0


# List parameters that name codes of a dimension: a value neither a known code nor in the data
# matches nothing, and the query would answer with nothing, silently.
CODE_PARAMS = {"districts": ("district", "incidents", "district"),
               "station_types": ("station_type", "stations", "station_type"),
               "incident_types": ("incident_type", "incidents", "incident_type"),
               "channels": ("channel", "incidents", "channel"),
               "stations": (None, "stations", "station_id")}


def _unknown_codes(con, params: dict[str, str]) -> str | None:
    """The first list parameter holding values that are neither known codes nor in the data, said in both languages."""
    for name, (dimension, view, column) in CODE_PARAMS.items():
        values = [v.strip() for v in params.get(name, "").split(",") if v.strip()]
        if not values:
            continue
        known = {r[0] for r in con.execute(
            f"select distinct {column} from {view} where {column} is not null").fetchall()}  # names from CODE_PARAMS
        if dimension:
            known |= {r[0] for r in con.execute("select code from labels where dimension = ?", [dimension]).fetchall()}
        missing = [v for v in values if v not in known]
        if missing:
            shown = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
            return messages.both("cli_unknown_values", param=name, values=", ".join(missing), known=shown)
    return None


def cmd_snapshot(args: argparse.Namespace) -> int:
    from emss import snapshot

    _use_city(args, config.warehouse_path(args.warehouse))
    snap = snapshot.take(config.warehouse_path(args.warehouse), args.week, args.out,
                         by_clock=args.by_clock, pdf=not args.no_pdf, lang=args.lang, district=args.district)
    from warehouse.access import AccessStore
    import getpass

    AccessStore(config.warehouse_path(args.warehouse)).record(f"cli:{getpass.getuser()}", "snapshot",
                                                              f"{snap.week} revision {snap.revision}")
    state = "新修订版 / new revision" if snap.new_revision else "数字未变 / figures unchanged"
    print(f"快照 / snapshot {snap.week} ({snap.week.start} – {snap.week.end}): {snap.folder}")
    print(f"  修订版 / revision {snap.revision} ({state}); {len(snap.manifest['files'])} files")
    if snap.pdf and not snap.pdf.written:
        print(f"  未生成PDF / PDF skipped: {snap.pdf.reason}")
    return 0


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _serve(warehouse: Path, port: int, host: str, demo_user: str | None = None) -> int:
    # the dashboard computes its pages' heavy default views (the Coverage page's model) once it starts
    env = dict(os.environ, EMSS_WAREHOUSE=str(warehouse.resolve()), EMSS_COMPUTE_DEFAULTS="1")
    env.pop("EMSS_DEMO_USER", None)
    if demo_user:
        env["EMSS_DEMO_USER"] = demo_user  # the demo opens signed in: loopback only (cmd_demo checks)
    cmd = [sys.executable, "-m", "streamlit", "run", str(config.DASHBOARD_APP),
           "--server.headless", "true", "--server.address", host, "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer",
           # every rerun's elements deflated on the websocket: a Coverage map's 2.3 MB of JSON goes as
           # 0.13 MB (18 ms of the server's time), which a district office's link feels
           "--server.enableWebsocketCompression", "true"]
    print(f"仪表盘 / dashboard: http://{host}:{port}", flush=True)
    # become the server rather than start a child: stopping `emss serve` then stops the dashboard
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def cmd_serve(args: argparse.Namespace) -> int:
    from warehouse.connection import open_reader

    from warehouse.access import AccessStore

    warehouse = config.warehouse_path(args.warehouse)
    open_reader(warehouse).close()  # fail here, clearly, if there is no warehouse
    if args.host not in LOOPBACK and not AccessStore(warehouse).has_accounts():
        # everyone on the network would see everything: refused until sign-in is on
        print(f"错误 / error: {messages.both('cli_serve_needs_accounts', host=args.host)}", file=sys.stderr)
        return 2
    return _serve(warehouse, args.port, args.host)


def cmd_rebuild(args: argparse.Namespace) -> int:
    from warehouse.build import rebuild

    _use_city(args, config.warehouse_path(args.warehouse))
    rebuild(config.warehouse_path(args.warehouse))
    print("已重建派生表 / derived tables rebuilt")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """The derived tables: on DuckDB in the warehouse (as `rebuild`), or on Spark in a lake."""
    if args.engine == "duckdb":
        return cmd_rebuild(args)
    if not args.lake:
        print("错误 / error: --engine spark builds in a lake: give --lake DIR", file=sys.stderr)
        return 2
    import time

    from warehouse import spark

    warehouse = config.warehouse_path(args.warehouse) if args.warehouse else None
    city = None
    if warehouse is not None:
        _use_city(args, warehouse)
        city, tables = spark.export_lake(warehouse, args.lake)
        print(f"已写入数据湖 / written into the lake: {city}, {len(tables)} tables")
    session = spark.session(args.master)
    try:
        started = time.perf_counter()
        written = spark.build(session, args.lake, city)
        for one, tables in written.items():
            rows = sum(tables.values())
            print(f"Spark 已计算 / built on Spark: {one}, {len(tables)} tables, {rows} rows")
        print(f"用时 / took {time.perf_counter() - started:.1f} s on {session.sparkContext.master}")
    finally:
        session.stop()
    if warehouse is not None:
        try:
            spark.import_marts(args.lake, warehouse)
        except ValueError as e:  # the warehouse loaded more since it was written into the lake
            print(f"错误 / error: {e}", file=sys.stderr)
            return 2
        print(f"已读回数据仓库 / read back into {warehouse}")
    return 0


def _add_engine(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb",
                   help="duckdb (default): the warehouse file; spark: a lake of Parquet on a Spark cluster")
    p.add_argument("--lake", metavar="DIR", help="with --engine spark: the lake folder (a folder per table and city)")
    p.add_argument("--master", default="local[2]", metavar="URL",
                   help="with --engine spark: the cluster, e.g. spark://host:7077 (default local[2], this machine)")


def cmd_vacuum(args: argparse.Namespace) -> int:
    from warehouse.build import vacuum

    removed = vacuum(config.warehouse_path(args.warehouse), args.grace_minutes * 60)
    print(f"已删除 {removed} 个不再使用的数据文件 / removed {removed} data files no version uses")
    return 0


def cmd_profile_new(args: argparse.Namespace) -> int:
    from emss.profiles.build import new_profile

    folder = new_profile(args.city, Path(args.out), Path(args.population) if args.population else None,
                         timezone=args.timezone, name_en=args.name_en)
    city = profiles.load(folder)
    print(f"城市配置 / city profile: {folder} — {city.name_zh}, {len(city.districts)} 个区 / districts: "
          + "、".join(d.name_zh for d in city.districts.values()))
    missing = [d.name_zh for d in city.districts.values() if d.population is None]
    if missing:
        print("  无人口数据 / no population for: " + "、".join(missing) + " (--population CSV; meanwhile by area)")
    print(f"  演示 / demo: emss demo --profile {folder}    导入 / load: emss ingest --profile {folder} FILES")
    return 0


def _password(args: argparse.Namespace) -> str:
    """A new password: from standard input with --password-stdin (for scripts), else asked twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输一次 / again: ") != first:
        raise ValueError("两次输入的密码不同 / the two passwords differ")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from warehouse.access import AccessStore

    store = AccessStore(config.warehouse_path(args.warehouse))
    if args.user_command == "add":
        store.add_user(args.name, _password(args), args.role, districts=tuple(args.district or ()), station=args.station)
        print(f"已添加 / added: {args.name} ({args.role})")
    elif args.user_command == "passwd":
        store.set_password(args.name, _password(args))
        print(f"已更改密码 / password changed: {args.name}")
    elif args.user_command in ("disable", "enable", "unlock"):
        getattr(store, args.user_command)(args.name)
        print(f"{args.user_command}: {args.name}")
    else:
        for u in store.users():
            state = "disabled" if u.disabled else f"locked until {u.locked_until}" if u.locked_until else "active"
            where = ",".join(u.districts) or u.station or "city"
            print(f"{u.name:20} {u.role:9} {where:16} {state:28} last sign-in: {u.last_sign_in or '—'}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    import polars as pl

    from emss import spreadsheet
    from warehouse.access import AccessStore

    events = AccessStore(config.warehouse_path(args.warehouse)).events(limit=args.limit, user=args.user)
    frame = pl.DataFrame(events, schema={"at": pl.String, "user": pl.String, "event": pl.String,
                                         "detail": pl.String, "scope": pl.String})
    out = spreadsheet.csv_text(frame)  # a name or statement a spreadsheet would run as a formula is quoted
    if args.out:
        Path(args.out).write_text(out, encoding="utf-8-sig")
        print(f"{frame.height} events → {args.out}")
    else:
        print(out, end="")
    return 0


def cmd_profile_show(args: argparse.Namespace) -> int:
    city = _use_city(args, config.warehouse_path(args.warehouse))
    print(f"{city.name_zh} / {city.name_en}  ({city.timezone})")
    for d in city.districts.values():
        population = f"{d.population:,}" if d.population is not None else messages.text("unknown", "zh")
        print(f"  {d.code:12} {d.name_zh} / {d.name_en}  {population}")
    if city.open_dimensions:
        print("  保留原值 / kept as written: " + ", ".join(sorted(city.open_dimensions)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emss", description="应急管理服务站数据仓库与仪表盘 / emergency management service station analytics")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="generate demo exports for a city (default: the shipped one), load them, open the dashboard")
    _add_warehouse(p, writes=True)
    p.add_argument("--no-serve", action="store_true", help="build the demo warehouse and stop")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    p.add_argument("--stations", type=int, default=1000, help="number of stations (default 1000)")
    p.add_argument("--incidents", type=int, default=300_000, help="number of incidents (default 300000)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("ingest", help="load export files (csv, xlsx, parquet) into the warehouse")
    _add_warehouse(p, writes=True)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--kind", choices=["incidents", "stations", "inventory", "targets", "patrols", "hazards", "outreach",
                                      "desk_services"],
                   help="kind of export (default: detected from the headers)")
    p.add_argument("--crs", default="WGS-84", help="coordinate system when the file has no 坐标系 column (WGS-84, GCJ-02, BD-09)")
    p.add_argument("--json", action="store_true", help="print the load report as JSON")
    p.add_argument("--mapping", metavar="FILE", help="a mapping file (TOML) for exports the built-in header words do not cover")
    p.add_argument("--explain", action="store_true", help="show how each column would be read; write nothing")
    p.add_argument("--strict", type=float, nargs="?", const=0.05, metavar="RATE",
                   help="load nothing if a file rejects more than RATE of its rows (default 0.05)")
    p.add_argument("--fail-over", type=float, default=0.5, metavar="RATE",
                   help="load, but exit with status 4, if a file rejects more than RATE of its rows (default 0.5)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("query", help="run a named query")
    _add_warehouse(p)
    p.add_argument("name", nargs="?", help="query name, e.g. response/kpi")
    p.add_argument("--list", action="store_true", help="list the named queries")
    p.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="a parameter; lists as a,b,c")
    p.add_argument("--format", choices=["table", "csv", "json", "parquet"], default="table",
                   help="output format (parquet needs --out)")
    p.add_argument("--out", metavar="FILE", help="write to this file instead of the terminal")
    _add_engine(p)
    p.add_argument("--city", help="with --engine spark, the lake's city the query is about (needed when it holds several)")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("snapshot", help="freeze a week's KPIs: tables, Excel, offline HTML and PDF report, history")
    _add_warehouse(p)
    p.add_argument("--week", metavar="YYYY-Www",
                   help="ISO week, e.g. 2026-W47 (default: the last complete week of the data, see --by-clock)")
    p.add_argument("--by-clock", action="store_true",
                   help="default to the last complete week by the city's wall clock, not by the data's as-of date")
    p.add_argument("--out", metavar="DIR",
                   help="folder that holds the week folders (default: $EMSS_SNAPSHOTS, else snapshots/)")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF (which needs Chromium)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the workbook and report (default zh)")
    p.add_argument("--district", metavar="CODE",
                   help="one district's pack, as its district account sees it (folder <week>-<district>; nothing recorded)")
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("serve", help="open the dashboard on the warehouse")
    _add_warehouse(p)
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("rebuild", help="rebuild derived tables and views (after editing emss/standard.toml or the profile)")
    _add_warehouse(p, writes=True)
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("build", help="compute the derived tables: in the warehouse (DuckDB), or on a Spark cluster in a lake")
    _add_warehouse(p, writes=True)
    _add_engine(p)
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("vacuum", help="remove the data files of replaced versions and of killed loads")
    _add_warehouse(p)
    p.add_argument("--grace-minutes", type=float, default=15,
                   help="keep files replaced less than this long ago: readers may still be reading them (default 15)")
    p.set_defaults(func=cmd_vacuum)

    p = sub.add_parser("profile", help="city profiles: make one for any Chinese city, show the warehouse's")
    what = p.add_subparsers(dest="profile_command", required=True)
    q = what.add_parser("new", help="write a profile folder for a Chinese city (districts and boundaries)")
    q.add_argument("city", help="the city's name as written, e.g. 广州市")
    q.add_argument("--out", required=True, metavar="DIR", help="the folder to write (must not hold a profile)")
    q.add_argument("--population", metavar="CSV", help="district, population per row (names or codes)")
    q.add_argument("--name-en", metavar="NAME", help="the city's English name (default: the Chinese)")
    q.add_argument("--timezone", default="Asia/Shanghai", help="IANA time zone (default Asia/Shanghai)")
    q.set_defaults(func=cmd_profile_new)
    q = what.add_parser("show", help="the city a warehouse (or --profile) is about")
    _add_warehouse(q, writes=True)
    q.set_defaults(func=cmd_profile_show)

    from emss.roles import ROLES

    p = sub.add_parser("user", help="accounts that sign in to the dashboard (sign-in is on once one exists)")
    what = p.add_subparsers(dest="user_command", required=True)
    q = what.add_parser("add", help="add an account: a role, and for district and station roles their scope")
    _add_warehouse(q)
    q.add_argument("name")
    q.add_argument("--role", required=True, choices=list(ROLES), help="leader, district, station, analyst, admin")
    q.add_argument("--district", action="append", metavar="CODE", help="a district the account sees (role district; repeat)")
    q.add_argument("--station", metavar="ID", help="the station the account sees (role station)")
    q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    q.set_defaults(func=cmd_user)
    for command, help_text in (("passwd", "set a new password"), ("disable", "stop an account signing in"),
                               ("enable", "let a disabled account sign in again"),
                               ("unlock", "lift a lock after too many wrong passwords")):
        q = what.add_parser(command, help=help_text)
        _add_warehouse(q)
        q.add_argument("name")
        if command == "passwd":
            q.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        q.set_defaults(func=cmd_user)
    q = what.add_parser("list", help="the accounts, their roles, scopes and state")
    _add_warehouse(q)
    q.set_defaults(func=cmd_user)

    p = sub.add_parser("audit", help="the audit trail (sign-ins, pages, SQL, downloads, snapshots) as CSV")
    _add_warehouse(p)
    p.add_argument("--user", help="one account's events only")
    p.add_argument("--limit", type=int, default=100_000, help="at most this many, newest first")
    p.add_argument("--out", metavar="FILE", help="write the CSV here instead of the terminal")
    p.set_defaults(func=cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (FileNotFoundError, KeyError, ValueError) as e:
        print(f"错误 / error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
