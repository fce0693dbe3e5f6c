"""The big tables as Parquet files beside the warehouse: listed by it, written only where a load
touches them, readable by any engine, moved out of older warehouses with the same figures, and
removed only when no reader can still be reading them."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from etl.load import ingest
from queries import run
from warehouse import build, partitions
from warehouse.connection import copy_warehouse, open_reader, open_writer
from warehouse.quoting import literal

BIG = list(partitions.PARTITIONED)


def manifest(warehouse: Path) -> dict[str, set[tuple[str, str]]]:
    con = open_reader(warehouse)
    try:
        rows = con.execute("select table_name, part, file from meta.parts").fetchall()
    finally:
        con.close()
    out: dict[str, set[tuple[str, str]]] = {}
    for table, part, file in rows:
        out.setdefault(table, set()).add((part, file))
    return out


def counts(warehouse: Path) -> dict[str, int]:
    con = open_reader(warehouse)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in BIG}
    finally:
        con.close()


def assert_each_file_holds_its_partition(root: Path, table: str, files: set[tuple[str, str]]) -> None:
    """Each file holds the rows of its own partition (read from its rows), and says so in its folder."""
    name, *_ = partitions.PARTITIONED[table]
    for part, f in files:
        if part == partitions.SCHEMA_PART:
            assert pq.ParquetFile(root / f).metadata.num_rows == 0
            continue
        assert Path(f).parent.name == f"{name}={part}"
        frame = pl.read_parquet(root / f)
        values = (frame["batch_id"].cast(pl.Utf8) if name == "batch"
                  else frame["call_at"].dt.strftime("%Y-%m")).unique().to_list()
        assert values == [part], f"{table}: {f}"


def test_the_big_tables_are_parquet_files_any_engine_reads(demo_warehouse):
    root = partitions.root_of(demo_warehouse)
    listed = manifest(demo_warehouse)
    assert set(listed) == set(BIG)
    con = open_reader(demo_warehouse)
    try:
        # the warehouse file holds none of them as a table of its own
        assert con.execute("""select count(*) from duckdb_tables() where schema_name || '.' || table_name in
                              (select unnest(?))""", [BIG]).fetchall()[0][0] == 0
        for table in BIG:
            files = [root / f for part, f in listed[table]]
            assert all(f.is_file() for f in files)
            # read by pyarrow, a different reader: the same rows the view gives
            assert sum(pq.ParquetFile(f).metadata.num_rows for f in files) == con.execute(
                f"select count(*) from {table}").fetchall()[0][0]
            assert_each_file_holds_its_partition(root, table, listed[table])
    finally:
        con.close()
    # a plain DuckDB connection, without the product's variables, reads them where they were written
    plain = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        assert plain.execute("select count(*) from core.responses").fetchall()[0][0] == counts(demo_warehouse)["core.responses"]
    finally:
        plain.close()


def weekly_export(demo_exports, target: Path) -> tuple[Path, set[str]]:
    """The last 60 rows of the last export with arrivals a minute earlier, and 20 new incidents;
    and the months of their alarms, read from the file."""
    source = demo_exports["incidents"][-1]
    whole = pl.read_csv(source.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    tail = whole.tail(60)
    arrive = pl.col("到场时间").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False)
    revised = tail.with_columns((arrive - pl.duration(minutes=1)).dt.strftime("%Y-%m-%d %H:%M:%S").fill_null("").alias("到场时间"))
    fresh = tail.tail(20).with_columns((pl.col("警情编号") + "N").alias("警情编号"))
    out = pl.concat([revised, fresh])
    target.write_bytes(out.write_csv(line_terminator="\r\n").encode("gb18030"))
    months = set(out["接警时间"].str.slice(0, 7).to_list())
    return target, months


def test_a_load_writes_only_the_months_it_touches(demo_warehouse, demo_exports, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    before = manifest(warehouse)
    export, months = weekly_export(demo_exports, tmp_path / "出警记录_本周.csv")
    assert len(months) <= 2, "the export should cover the last weeks only"
    ingest([export], warehouse)
    after = manifest(warehouse)
    for table in ("core.responses", "marts.incidents", "marts.responses"):
        untouched_before = {(p, f) for p, f in before[table] if p not in months}
        untouched_after = {(p, f) for p, f in after[table] if p not in months}
        assert untouched_after == untouched_before, f"{table}: months the load did not touch were written again"
        latest = max(months)
        assert {f for p, f in after[table] if p == latest} != {f for p, f in before[table] if p == latest}
    # the files this load wrote, into one month's folder or into each of its months', hold their folder's rows
    for table in BIG:
        assert after[table] - before[table]
        assert_each_file_holds_its_partition(partitions.root_of(warehouse), table, after[table] - before[table])
    new_batches = {p for p, _ in after["raw.incident_rows"]} - {p for p, _ in before["raw.incident_rows"]}
    assert len(new_batches) == 1 and before["raw.incident_rows"] <= after["raw.incident_rows"]
    # the delivered rows of this load are kept as delivered: 80 more raw rows
    assert counts(warehouse)["raw.incident_rows"] == counts(demo_warehouse)["raw.incident_rows"] + 80
    con = open_reader(warehouse)
    try:
        new_ids = pl.read_csv(export.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False).tail(20)["警情编号"]
        found = con.execute("""select count(distinct id) from (select incident_id as id from core.responses
                               union select raw ->> 'incident_id' from meta.rejects)
                               where id in (select unnest(?))""", [new_ids.to_list()]).fetchall()[0][0]
        assert found == new_ids.n_unique()   # each loaded, or refused with its reason
    finally:
        con.close()


def test_a_partition_given_by_the_caller_names_a_folder_and_nothing_else(demo_warehouse, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    root = partitions.root_of(warehouse)
    before = sorted(root.rglob("*"))
    select = "select * from core.responses limit 10"
    with open_writer(warehouse) as con:
        for part in ("../../elsewhere", "2026-11/../x", "2026-11' or '1", ""):
            with pytest.raises(ValueError, match="not a partition"):
                partitions._write(con, "core.responses", select, part=part)
        assert sorted(root.rglob("*")) == before
        # a month given: the rows go into that month's folder, as the partitioned write names it
        month = con.execute("select max(strftime(call_at, '%Y-%m')) from core.responses").fetchall()[0][0]
        written = partitions._write(con, "core.responses",
                                    f"select * from core.responses where strftime(call_at, '%Y-%m') = {literal(month)}",
                                    part=month)
        # and none: no file (a file of no rows would be a part of nothing)
        folder = root / "core.responses" / f"month={month}"
        files_before = sorted(folder.iterdir())
        assert partitions._write(con, "core.responses", "select * from core.responses where false", part=month) == []
        assert sorted(folder.iterdir()) == files_before
    assert written and {row[1] for row in written} == {month}
    assert_each_file_holds_its_partition(root, "core.responses", {(row[1], row[2]) for row in written})


def _as_older_warehouse(warehouse: Path) -> None:
    """Put the big tables back inside the file, as warehouses were built before they were Parquet."""
    con = duckdb.connect(str(warehouse))
    try:
        for table in BIG:
            con.execute(f"create table {table}_inside as select * from {table}")
            con.execute(f"drop view {table}")
            con.execute(f"alter table {table}_inside rename to {table.split('.')[1]}")
        con.execute("delete from meta.parts")
        con.execute("drop table meta.parts_retired")
        con.execute("drop table meta.parts")
    finally:
        con.close()
    import shutil
    shutil.rmtree(partitions.root_of(warehouse))


FIGURES = [("response/kpi", {}), ("response/by_group", {"group_by": "station"}), ("overview/week_compare", {}),
           ("incidents/timeline", {}), ("incidents/exceptions", {})]


def figures(warehouse: Path) -> list:
    con = open_reader(warehouse)
    try:
        return [run(con, name, params).rows() for name, params in FIGURES]
    finally:
        con.close()


def test_an_older_warehouse_moves_its_big_tables_out_with_the_same_figures(demo_warehouse, tmp_path):
    warehouse = tmp_path / "old.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    _as_older_warehouse(warehouse)
    assert not partitions.root_of(warehouse).exists()
    expected, rows = figures(warehouse), counts(warehouse)
    build.rebuild(warehouse)
    assert set(manifest(warehouse)) == set(BIG)
    assert figures(warehouse) == expected and counts(warehouse) == rows


def test_files_stay_while_readers_may_read_them_and_go_after(demo_warehouse, demo_exports, tmp_path, capsys):
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    root = partitions.root_of(warehouse)
    earlier = open_reader(warehouse)            # a reader on the version before the load
    seen = earlier.execute("select count(*) from core.responses").fetchall()[0][0]
    stray = root / "core.responses" / "month=2001-01" / "vkilled.parquet"   # as a killed load leaves it
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"PAR1")
    old = time.time() - 3600
    os.utime(stray, (old, old))
    export, _ = weekly_export(demo_exports, tmp_path / "出警记录_本周.csv")
    ingest([export], warehouse)                  # vacuums with the default grace period
    assert not stray.exists(), "a file no version lists, written an hour ago, is a killed load's: removed"
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*.parquet")}
    listed = {f for files in manifest(warehouse).values() for _, f in files}
    replaced = on_disk - listed
    assert replaced, "the files the load replaced are kept for the grace period"
    assert earlier.execute("select count(*) from core.responses").fetchall()[0][0] == seen
    from emss.cli import main
    assert main(["vacuum", "-w", str(warehouse), "--grace-minutes", "0"]) == 0
    assert f"removed {len(replaced)} data files" in capsys.readouterr().out
    assert {str(p.relative_to(root)) for p in root.rglob("*.parquet")} == listed
    earlier.close()
    assert counts(warehouse)["core.responses"] > 0


def _writing(proc, warehouse: Path) -> float:
    """Wait until the load `proc` starts writing (its private copy of the file appears); the time then."""
    copy = warehouse.with_name(f"{warehouse.name}.tmp-{proc.pid}")
    while not copy.exists() and proc.poll() is None:
        time.sleep(0.002)
    return time.monotonic()


def test_a_load_killed_at_ten_points_leaves_every_figure_and_reader_whole(demo_warehouse, demo_exports, tmp_path):
    """SIGKILL at ten points spread over a load's writing (timed on a copy first), while a reader
    keeps reading: after each, the file is byte for byte what it was and every figure the same (or,
    killed after its swap, the load landed whole); the reader never fails and sees the figures before
    or after, never a mix; the next load then lands."""
    import hashlib
    import signal
    import subprocess
    import sys
    import threading

    export, _ = weekly_export(demo_exports, tmp_path / "出警记录_本周.csv")
    command = [sys.executable, "-m", "emss.cli", "ingest", str(export), "-w"]
    trial = tmp_path / "trial.duckdb"
    copy_warehouse(demo_warehouse, trial)
    proc = subprocess.Popen([*command, str(trial)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = _writing(proc, trial)
    assert proc.wait() == 0
    writing = time.monotonic() - started
    after = figures(trial)

    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    before, digest = figures(warehouse), hashlib.sha256(warehouse.read_bytes()).hexdigest()
    assert before != after
    seen, failures, stop = [], [], threading.Event()

    def keep_reading():
        while not stop.is_set():
            try:
                seen.append(figures(warehouse))
            except Exception as e:  # noqa: BLE001 - any failure of a reader is what this test is about
                failures.append(repr(e))

    reader = threading.Thread(target=keep_reading)
    reader.start()
    try:
        kills = 0
        for k in range(10):
            proc = subprocess.Popen([*command, str(warehouse)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            started = _writing(proc, warehouse)
            time.sleep(max(0.0, started + writing * (k + 0.5) / 10 - time.monotonic()))
            if proc.poll() is not None:  # a quicker run than the trial: this one landed before its kill
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            if hashlib.sha256(warehouse.read_bytes()).hexdigest() != digest:
                # killed after its file was in place (on its way out): then the load landed whole
                assert figures(warehouse) == after, f"kill {k} left a file that is neither version"
                break
            kills += 1
            assert figures(warehouse) == before, f"kill {k} changed a figure"
        assert kills >= 6, f"only {kills} loads were still running when killed"
        subprocess.run([*command, str(warehouse)], check=True, capture_output=True)
        time.sleep(0.2)
    finally:
        stop.set()
        reader.join()
    assert not failures, failures[:3]
    odd = [[name for (name, _), got, b, a in zip(FIGURES, s, before, after) if got not in (b, a)]
           for s in seen if s not in (before, after)]
    assert seen and not odd, f"{len(odd)} of {len(seen)} reads mixed versions: {odd[:3]}"
    assert figures(warehouse) == after


def test_a_month_left_in_too_many_files_is_written_again_whole(demo_warehouse, demo_exports, tmp_path, monkeypatch):
    """Each load adds files to the months it touches; past MAX_FILES a month is written again, in
    order, as few files as its rows need, with the same rows."""
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    export, months = weekly_export(demo_exports, tmp_path / "出警记录_本周.csv")
    monkeypatch.setattr(partitions, "MAX_FILES", 1)
    ingest([export], warehouse)
    con = open_reader(warehouse)
    try:
        for table in ("core.responses", "marts.incidents", "marts.responses"):
            for month in months:
                files, rows = con.execute("select count(*), sum(rows) from meta.parts where table_name = ? and part = ?",
                                          [table, month]).fetchall()[0]
                counted = con.execute(f"select count(*) from {table} where strftime(call_at, '%Y-%m') = ?",
                                      [month]).fetchall()[0][0]
                assert rows == counted and files == -(-counted // partitions.FILE_ROWS), (table, month, files)
    finally:
        con.close()
    assert figures(warehouse) == figures_after_plain_load(demo_warehouse, export, tmp_path)


def figures_after_plain_load(demo_warehouse: Path, export: Path, tmp_path: Path) -> list:
    """The same load with the default number of files per month."""
    plain = tmp_path / "plain.duckdb"
    copy_warehouse(demo_warehouse, plain)
    ingest([export], plain)
    return figures(plain)


def test_a_period_reads_only_the_stored_row_groups_of_its_months(demo_warehouse):
    """The default period's bounds are constants when a query is planned (the as-of date is written
    into the warehouse as a value), so the scan skips the files of other months."""
    con = open_reader(demo_warehouse)
    try:
        as_of, days = con.execute("""select (select as_of_date from meta.as_of),
                                            (select cast(value as integer) from meta.response_rules
                                             where rule = 'period' and key = 'default_days')""").fetchall()[0]
        # the macros give the tables' values
        assert con.execute("select period_end(null), period_start(null, null)").fetchall()[0] == (
            as_of, as_of - dt.timedelta(days=days - 1))
        total = con.execute("select count(*) from parquet_metadata(getvariable('parts_marts_incidents'))"
                            " where column_id = 0").fetchall()[0][0]
        plan = con.execute("explain analyze select count(*) from incidents_in(null, null, [], [])").fetchall()[0][1]
        scanned = [int(line.split(":")[1].split("/")[0]) for line in plan.splitlines() if "Row Groups Scanned" in line
                   for line in [line.strip("│ ")]]
        in_period = con.execute("""select count(distinct (file_name, row_group_id)) from parquet_metadata(getvariable('parts_marts_incidents'))
                                   where path_in_schema = 'call_date' and stats_max_value::date >= ? and stats_min_value::date <= ?""",
                                [as_of - dt.timedelta(days=days - 1), as_of]).fetchall()[0][0]
        assert total > 10 and scanned == [in_period] and in_period < total / 4
    finally:
        con.close()


IN_PERIOD = ["response/kpi", "response/by_district", "response/histogram"]  # the default period's incidents only


def test_a_period_opens_only_the_files_of_its_months(demo_warehouse, tmp_path):
    """A period's incidents are read from its months' files alone: the others are neither opened nor
    looked for (DuckDB checks every file it is given when it plans a query: they are not given)."""
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    con = open_reader(warehouse)
    try:
        first, last = con.execute("select period_start(null, null), period_end(null)").fetchall()[0]
        expected = [run(con, name).rows() for name in IN_PERIOD]
        total = con.execute("select count(*) from marts.incidents").fetchall()[0][0]
        # each incident's month, as the pages' columns give it, is the month of its call date
        assert con.execute("select count(*) from main.incidents where call_month = strftime(call_date, '%Y-%m')"
                           ).fetchall()[0][0] == total
        months = {m.strftime("%Y-%m") for m in (first, last)}
        others = [f for (f,) in con.execute(
            "select file from meta.parts where table_name = 'marts.incidents' and part not in (select unnest(?)) "
            "and part <> ?", [sorted(months), partitions.SCHEMA_PART]).fetchall()]
    finally:
        con.close()
    assert len(others) > 10
    root = partitions.root_of(warehouse)
    for f in others:  # every other month's file gone (the copy's own link: the original keeps its files)
        (root / f).unlink()
    con = open_reader(warehouse)
    try:
        assert [run(con, name).rows() for name in IN_PERIOD] == expected
        with pytest.raises(duckdb.IOException, match="No files found"):  # while a read of the whole table looks for them
            con.execute("select count(*) from marts.incidents").fetchall()
    finally:
        con.close()


def test_a_warehouse_whose_view_lacks_the_month_gets_it_on_its_next_load(demo_warehouse, demo_exports, tmp_path):
    """A warehouse written before marts.incidents carried call_month (and its macro of a range of
    months): its next load, even one that brings no incident, defines them again, and the pages'
    figures are the same."""
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    expected = figures(warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        listed = [str(partitions.root_of(warehouse) / f) for (f,) in con.execute(
            "select file from meta.parts where table_name = 'marts.incidents' order by part, file").fetchall()]
        files = "[" + ", ".join(literal(f) for f in listed) + "]"  # as the view was defined then
        con.execute(f"create or replace view marts.incidents as select * from read_parquet({files})")
        con.execute("drop macro table marts.incidents_months")
        con.execute("drop macro table main.incidents_of_months")
    finally:
        con.close()
    with pytest.raises(duckdb.CatalogException):
        figures(warehouse)
    counts = tmp_path / "物资盘点_补录.csv"  # an inventory count of a few stations: a load that brings no incident
    counts.write_bytes(b"".join(demo_exports["inventory"][0].read_bytes().splitlines(keepends=True)[:40]))
    reports = ingest([counts], warehouse)
    assert [r.outcome for r in reports] == ["loaded"], reports
    assert figures(warehouse) == expected


def test_a_warehouse_built_before_the_travel_samples_says_to_rebuild_and_then_gives_the_same_samples(
        demo_warehouse, tmp_path, monkeypatch):
    """A warehouse written before marts.travel_samples (and the view of the daily counts) existed:
    the command line and the dashboard say, in a line, to rebuild, instead of showing DuckDB's
    error; `emss rebuild` then gives the same samples as a warehouse built with them."""
    import subprocess
    import sys

    import queries
    from conftest import open_dashboard

    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    con = open_reader(warehouse)
    try:
        expected = run(con, "coverage/travel_samples").rows()
    finally:
        con.close()
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("drop macro table marts.travel_samples_months")
        con.execute("drop view marts.travel_samples")
        con.execute("delete from meta.parts where table_name = 'marts.travel_samples'")
        con.execute("drop view main.incident_daily")
    finally:
        con.close()

    con = open_reader(warehouse)
    try:
        with pytest.raises(queries.WarehouseOutdated, match="emss rebuild"):
            run(con, "coverage/travel_samples")
    finally:
        con.close()
    out = subprocess.run([sys.executable, "-m", "emss.cli", "query", "coverage/travel_samples", "-w", str(warehouse)],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "emss rebuild" in out.stderr and "Traceback" not in out.stderr, out.stderr
    monkeypatch.setenv("EMSS_WAREHOUSE", str(warehouse))
    at = open_dashboard(check=False)
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] and all("emss rebuild" in e.value for e in at.error)

    build.rebuild(warehouse)
    con = open_reader(warehouse)
    try:
        assert run(con, "coverage/travel_samples").rows() == expected
    finally:
        con.close()


def file_ids(path: Path) -> list[str]:
    """The incident ids a file holds, read by pyarrow (not by the code under test)."""
    return [i for i in pq.read_table(path, columns=["incident_id"]).column("incident_id").to_pylist() if i is not None]


def test_each_file_s_incident_range_is_kept_and_a_load_lists_only_the_files_it_can_touch(demo_warehouse, demo_exports,
                                                                                           tmp_path):
    """meta.parts keeps each file's smallest and largest incident id; the files listed for a range of
    ids are every file holding one of them, and not the others."""
    root = partitions.root_of(demo_warehouse)
    export, _ = weekly_export(demo_exports, tmp_path / "出警记录_本周.csv")
    ids = pl.read_csv(export.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)["警情编号"].to_list()
    low, high = min(ids), max(ids)
    con = open_reader(demo_warehouse)
    try:
        for table in BIG:
            rows = con.execute("select file, first_id, last_id from meta.parts where table_name = ? and rows > 0",
                               [table]).fetchall()
            assert rows
            for file, first, last in rows:
                held = file_ids(root / file)
                assert (first, last) == (min(held), max(held)), file
            listed = {Path(f) for f in partitions.files_in_range(con, table, low, high)}
            holding = {root / f for f, _, _ in rows if any(low <= i <= high for i in file_ids(root / f))}
            assert holding and holding <= listed, f"{table}: a file holding an id of the range is not listed"
            others = {root / f for f, first, last in rows if last < low or first > high}
            assert others and not (others & listed), f"{table}: files out of the range are listed"
    finally:
        con.close()


def test_a_warehouse_without_file_ranges_gets_them_on_its_next_load_with_the_same_figures(demo_warehouse, demo_exports,
                                                                                           tmp_path):
    ranged, older = tmp_path / "ranged.duckdb", tmp_path / "older.duckdb"
    copy_warehouse(demo_warehouse, ranged)
    copy_warehouse(demo_warehouse, older)
    con = duckdb.connect(str(older))
    try:  # as meta.parts was before it kept them
        con.execute("alter table meta.parts drop column first_id")
        con.execute("alter table meta.parts drop column last_id")
    finally:
        con.close()
    export, _ = weekly_export(demo_exports, tmp_path / "出警记录_本周.csv")
    for warehouse in (ranged, older):
        ingest([export], warehouse)
    assert figures(older) == figures(ranged) and counts(older) == counts(ranged)
    con = open_reader(older)
    try:
        unranged = con.execute("select count(*) from meta.parts where rows > 0 and first_id is null").fetchall()[0][0]
        file, first, last = con.execute("select file, first_id, last_id from meta.parts where rows > 0 order by file limit 1"
                                        ).fetchall()[0]
    finally:
        con.close()
    assert unranged == 0
    held = file_ids(partitions.root_of(older) / file)
    assert (first, last) == (min(held), max(held))


def _revised_export(demo_exports, target: Path, column: str, minutes: int) -> tuple[Path, set[tuple[str, str]]]:
    """The last 60 rows of the last export with `column` moved by `minutes`; and their responses
    (incident, station)."""
    source = demo_exports["incidents"][-1]
    tail = pl.read_csv(source.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False).tail(60)
    moved = pl.col(column).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False) + pl.duration(minutes=minutes)
    out = tail.with_columns(moved.dt.strftime("%Y-%m-%d %H:%M:%S").fill_null("").alias(column))
    target.write_bytes(out.write_csv(line_terminator="\r\n").encode("gb18030"))
    return target, set(zip(tail["警情编号"], tail["出警站点编号"]))


def _rows(warehouse: Path, table: str) -> list[tuple]:
    con = open_reader(warehouse)
    try:
        return sorted(con.execute(f"select * exclude (call_month) from {table}").fetchall(), key=repr)
    finally:
        con.close()


def test_a_load_that_changes_no_travel_sample_writes_no_sample_file(demo_warehouse, demo_exports, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    copy_warehouse(demo_warehouse, warehouse)
    # later clear times: the responses change, their travel samples (departure to arrival) do not
    export, _ = _revised_export(demo_exports, tmp_path / "出警记录_处置更正.csv", "处置完毕时间", 7)
    before = manifest(warehouse)
    ingest([export], warehouse)
    after = manifest(warehouse)
    assert after["marts.responses"] != before["marts.responses"], "the load should have written the responses"
    assert after["marts.travel_samples"] == before["marts.travel_samples"]
    # and the samples are those a whole rebuild from the loaded responses gives
    rebuilt = tmp_path / "rebuilt.duckdb"
    copy_warehouse(warehouse, rebuilt)
    build.rebuild(rebuilt)
    assert _rows(warehouse, "marts.travel_samples") == _rows(rebuilt, "marts.travel_samples")

    # earlier arrivals change the samples: their month's files are written again, with the new times
    export, revised = _revised_export(demo_exports, tmp_path / "出警记录_到场更正.csv", "到场时间", -1)
    travel_before = _travel(warehouse, revised)
    ingest([export], warehouse)
    assert manifest(warehouse)["marts.travel_samples"] != after["marts.travel_samples"]
    travel_after = _travel(warehouse, revised)
    # a revision that would put the arrival before the departure is refused, the stored row kept
    moved = {k for k in travel_before.keys() & travel_after.keys() if travel_before[k] > 60}
    assert moved and all(travel_after[k] == travel_before[k] - 60 for k in moved)
    copy_warehouse(warehouse, rebuilt)
    build.rebuild(rebuilt)
    assert _rows(warehouse, "marts.travel_samples") == _rows(rebuilt, "marts.travel_samples")


def _travel(warehouse: Path, responses: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The stored travel times of `responses` (incident, station) that are travel samples."""
    con = open_reader(warehouse)
    try:
        return {(i, s): t for i, s, t in con.execute(
            "select incident_id, station_id, travel_s from marts.travel_samples where incident_id in (select unnest(?))",
            [sorted({i for i, _ in responses})]).fetchall() if (i, s) in responses}
    finally:
        con.close()
