"""Loading incident exports one after another (each updating only the incidents it touched) must
give exactly the tables a single full build gives."""

from __future__ import annotations


import duckdb
import polars as pl
import pytest

import queries
from etl.load import ingest
from warehouse import build
from warehouse.connection import copy_warehouse, open_reader

TABLES = ["core.incidents", "marts.incidents", "marts.incident_daily", "marts.station_daily", "marts.street_daily",
          "marts.responses",
          "marts.travel_samples", "marts.travel_sample_daily", "marts.station_turnout_year", "marts.response_rejects", "marts.station_readiness", "marts.station_readiness_monthly",
          "marts.inventory_latest"]


def shifted(column: str, delta) -> pl.Expr:
    return ((pl.col(column).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False) + delta)
            .dt.strftime("%Y-%m-%d %H:%M:%S").fill_null("").alias(column))


CHAIN = ["接警时间", "派警时间", "出动时间", "到场时间", "处置完毕时间"]


def corrected(whole: pl.DataFrame) -> pl.DataFrame:
    """Rows refused for timestamps out of order, delivered again with every time set to the alarm's
    (from the first half of the file, whose rows the export does not revise otherwise, and not the
    rows the demo writes twice on purpose)."""
    key = ["警情编号", "出警站点编号"]
    whole = whole.with_row_index("n").filter((pl.col("n") < len(whole) // 2) & (pl.len().over(key) == 1)).drop("n")
    times = [pl.col(c).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False) for c in CHAIN]
    out_of_order = pl.any_horizontal([a > b for i, a in enumerate(times) for b in times[i + 1:]])
    return whole.filter(out_of_order.fill_null(False)).with_columns(
        [pl.when(pl.col(c) != "").then(pl.col("接警时间")).otherwise(pl.col(c)).alias(c) for c in CHAIN[1:]])


def revised_export(source, target):
    """A later export: the last 200 rows with arrivals a minute earlier, one row twice and new
    incidents; and 100 rows from the middle of the file cleared 6 days later, which keeps their
    stations out longer, so later responses of those stations (not in this export) change too."""
    whole = pl.read_csv(source.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    frame = whole.tail(200)
    revised = frame.head(100).with_columns(shifted("到场时间", -pl.duration(minutes=1)))
    fresh = frame.tail(100).with_columns((pl.col("警情编号") + "R").alias("警情编号"))
    kept_out = whole.slice(len(whole) // 2, 100).with_columns(shifted("处置完毕时间", pl.duration(days=6)))
    out = pl.concat([revised, fresh, fresh.head(1), kept_out, corrected(whole)])
    target.write_bytes(out.write_csv(line_terminator="\r\n").encode("gb18030"))
    return target


@pytest.fixture(scope="module")
def warehouses(demo_exports, tmp_path_factory):
    folder = tmp_path_factory.mktemp("incremental")
    weekly = revised_export(demo_exports["incidents"][-1], folder / "出警记录_修订.csv")
    others = [*demo_exports["stations"], *demo_exports["targets"], *demo_exports["inventory"]]

    full = folder / "full.duckdb"
    ingest([*others, *demo_exports["incidents"], weekly], full)       # one load: everything built in full

    step = folder / "step.duckdb"
    ingest(others, step)
    for export in demo_exports["incidents"]:                           # each a load of incidents only
        ingest([export], step)
    before = folder / "before.duckdb"
    copy_warehouse(step, before)
    ingest([weekly], step)
    return full, step, before


@pytest.fixture(scope="module")
def built_in_steps(demo_exports, warehouses, tmp_path_factory):
    """The same exports as `full` in one load, its full build done a slice of about 40 responses (some days) at a time, so that many responses
    have the station history they depend on in an earlier slice. The slice size is set for this build
    only: a later test's rebuild is a full build of the usual kind, whatever order the tests run in."""
    stepped = tmp_path_factory.mktemp("stepped") / "stepped.duckdb"
    others = [*demo_exports["stations"], *demo_exports["targets"], *demo_exports["inventory"]]
    weekly = warehouses[0].parent / "出警记录_修订.csv"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build, "FULL_BUILD_STEP", 40)
        ingest([*others, *demo_exports["incidents"], weekly], stepped)
    return stepped


def same_rows(a, b, table):
    """Rows of `table` only in a, only in b (batch numbers aside), and the two counts. Each warehouse
    is read through its own reader (each version's own files), the comparison made apart."""
    frames = []
    for path in (a, b):
        con = open_reader(path)
        columns = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        cols = ", ".join(c for c in columns if c != "batch_id")  # batch numbers differ between two histories
        frames.append(con.sql(f"select {cols} from {table}").arrow().read_all())
        con.close()
    con = duckdb.connect()
    con.register("a_rows", frames[0])
    con.register("b_rows", frames[1])
    only_a = con.execute("select count(*) from (select * from a_rows except all select * from b_rows)").fetchall()[0][0]
    only_b = con.execute("select count(*) from (select * from b_rows except all select * from a_rows)").fetchall()[0][0]
    con.close()
    return only_a, only_b, [frames[0].num_rows, frames[1].num_rows]


@pytest.mark.parametrize("table", TABLES)
def test_full_build_in_steps_equals_one_build(warehouses, built_in_steps, table):
    only_full, only_stepped, (n_full, n_stepped) = same_rows(warehouses[0], built_in_steps, table)
    assert n_full > 0 and n_full == n_stepped
    assert (only_full, only_stepped) == (0, 0), f"{table}: {only_full} rows differ"


@pytest.mark.parametrize("table", TABLES)
def test_incremental_equals_full(warehouses, table):
    full, step, _ = warehouses
    only_full, only_step, (n_full, n_step) = same_rows(full, step, table)
    assert n_full > 0 and n_full == n_step
    assert (only_full, only_step) == (0, 0), f"{table}: {only_full} rows differ"


def test_revised_arrivals_reached_the_marts(warehouses, demo_exports):
    _, step, _ = warehouses
    con = open_reader(step)
    revised = con.execute("select count(*) from incidents where incident_id like '%R'").fetchall()[0][0]
    assert revised > 0
    con.close()


def test_revision_reached_responses_it_did_not_name(warehouses):
    """Later clear times make later responses of the same stations concurrent: rows the export
    never named changed, so the equality above covers the station-history part of the update."""
    _, step, before = warehouses
    frames = []
    for path in (step, before):  # each through its own reader: each version's own files
        con = open_reader(path)
        frames.append(con.sql("select incident_id, station_id, is_concurrent, clear_at, arrive_at from marts.responses").pl())
        con.close()
    joined = frames[0].join(frames[1], on=["incident_id", "station_id"], suffix="_before")
    changed = joined.filter((pl.col("is_concurrent") != pl.col("is_concurrent_before"))
                            & pl.col("clear_at").eq_missing(pl.col("clear_at_before"))
                            & pl.col("arrive_at").eq_missing(pl.col("arrive_at_before")))
    assert len(changed) > 0


def test_a_revision_inside_an_earlier_load_s_long_response_still_finds_the_station_out(warehouses, demo_exports,
                                                                                         tmp_path):
    """One load clears some responses days later; the next revises only responses of the same
    stations dispatched hours to days after them. The second load must read those earlier long
    responses (no row of its own) to know their stations were out: its marts equal a full build of
    the same data, and the revised responses are concurrent."""
    whole = pl.read_csv(demo_exports["incidents"][-1].read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    key = ["警情编号", "出警站点编号"]
    whole = whole.filter(pl.len().over(key) == 1).with_columns(
        pl.col("派警时间").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False).alias("dispatched"))
    long = whole.slice(len(whole) // 3, 20).filter(pl.col("dispatched").is_not_null())
    later = (whole.join(long.select(pl.col("出警站点编号"), pl.col("dispatched").alias("long_dispatched")), on="出警站点编号")
             .filter((pl.col("dispatched") > pl.col("long_dispatched") + pl.duration(hours=2))
                     & (pl.col("dispatched") < pl.col("long_dispatched") + pl.duration(days=3))
                     & ~pl.col("警情编号").is_in(long["警情编号"].implode()))
             .unique(key).select(whole.columns))
    assert len(later) > 0
    exports = [tmp_path / "出警记录_长时间处置.csv", tmp_path / "出警记录_修订到场.csv"]
    for frame, path in ((long.with_columns(shifted("处置完毕时间", pl.duration(days=4))), exports[0]),
                        (later.with_columns(shifted("到场时间", -pl.duration(minutes=1))), exports[1])):
        path.write_bytes(frame.drop("dispatched").write_csv(line_terminator="\r\n").encode("gb18030"))

    loaded, rebuilt = tmp_path / "loaded.duckdb", tmp_path / "rebuilt.duckdb"
    copy_warehouse(warehouses[2], loaded)
    for export in exports:  # each a load of incidents only: the second one's rows alone are touched
        ingest([export], loaded)
    copy_warehouse(loaded, rebuilt)
    build.rebuild(rebuilt)
    for table in ("marts.responses", "marts.travel_samples"):
        assert same_rows(loaded, rebuilt, table)[:2] == (0, 0), table
    con = open_reader(loaded)
    try:
        con.register("later_keys", later.select(pl.col("警情编号").alias("incident_id"),
                                                pl.col("出警站点编号").alias("station_id")).to_arrow())
        concurrent = con.execute("select count(*) from marts.responses r semi join later_keys k"
                                 " using (incident_id, station_id) where r.is_concurrent").fetchall()[0][0]
    finally:
        con.close()
    assert concurrent > 0


def test_corrected_rows_left_the_refused_list(warehouses, demo_exports):
    """Refused rows delivered again in order load, and leave marts.response_rejects in an incremental load."""
    _, step, before = warehouses
    whole = pl.read_csv(demo_exports["incidents"][-1].read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    fixed = set(zip(corrected(whole)["警情编号"], corrected(whole)["出警站点编号"]))
    assert fixed
    counts = []
    for path in (before, step):
        con = open_reader(path)
        counts.append(sum(con.execute("select count(*) from marts.response_rejects where incident_id = ? and station_id = ?",
                                      list(key)).fetchall()[0][0] > 0 for key in fixed))
        con.close()
    assert counts == [len(fixed), 0]


def test_travel_sample_daily_counts_the_samples(warehouses):
    """The samples per station and day, against the travel samples counted in Python, after a load
    that updated only what it touched (the revised arrivals and the new incidents change samples)."""
    con = open_reader(warehouses[1])
    try:
        samples = con.execute("select call_date, station_id from marts.travel_samples").fetchall()
        daily = {(d, s): n for d, s, n in con.execute(
            "select call_date, station_id, samples from marts.travel_sample_daily").fetchall()}
    finally:
        con.close()
    expected: dict[tuple, int] = {}
    for day, station in samples:
        expected[(day, station)] = expected.get((day, station), 0) + 1
    assert len(expected) > 1000 and daily == expected


def test_station_daily_counts_what_the_incidents_say(warehouses):
    """The per-station day counts, against the incidents counted in Python after a load that updated
    only what it touched."""
    con = open_reader(warehouses[1])  # the one loaded export by export
    try:
        rows = con.execute("select call_date, first_station_id, district, first_station_type, response_s, target_s"
                           " from incidents").fetchall()
        daily = {tuple(r[:4]): tuple(r[4:]) for r in con.execute(
            "select call_date, station_id, district, first_station_type, incidents, timed, within_target"
            " from station_daily").fetchall()}
    finally:
        con.close()
    expected: dict[tuple, list[int]] = {}
    for day, station, district, station_type, response_s, target_s in rows:
        if station is None:
            assert response_s is None  # no first station, no arrival: the counts by station miss no timed incident
            continue
        counts = expected.setdefault((day, station, district, station_type), [0, 0, 0])
        counts[0] += 1
        counts[1] += response_s is not None
        counts[2] += response_s is not None and response_s <= target_s
    assert len(expected) > 1000 and daily == {k: tuple(v) for k, v in expected.items()}
    assert 0 < sum(v[2] for v in expected.values()) < sum(v[1] for v in expected.values())


def test_incident_daily_counts_every_incident_once_and_the_history_figures_read_it(warehouses):
    """The per-day counts, against the incidents counted in Python after a load that updated only
    what it touched; and the figures over all of history that read them (the data's range, the
    values a filter offers) say what the incidents say."""
    import queries

    con = open_reader(warehouses[1])  # the one loaded export by export
    try:
        rows = con.execute("select call_date, district, first_station_type, incident_type, channel, first_arrive_at,"
                           " response_s, is_within_target from incidents").fetchall()
        daily = {tuple(r[:5]): r[5:] for r in con.execute(
            "select call_date, district, first_station_type, incident_type, channel, incidents, arrived, timed,"
            " within_target from incident_daily").fetchall()}
        data_range = queries.run(con, "meta/data_range").row(0, named=True)
        default_start = con.execute("select period_start(null, null)").fetchall()[0][0]
        values = {(r["dimension"], r["value"]): r["incidents"] for r in queries.run(con, "meta/category_values").iter_rows(named=True)}
    finally:
        con.close()
    expected: dict[tuple, list[int]] = {}
    for day, district, station_type, incident_type, channel, arrived, response_s, within in rows:
        counts = expected.setdefault((day, district, station_type, incident_type, channel), [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += arrived is not None
        counts[2] += response_s is not None
        counts[3] += within is True
    assert len(expected) > 1000 and daily == {k: tuple(v) for k, v in expected.items()}
    assert 0 < sum(v[3] for v in expected.values()) < sum(v[2] for v in expected.values())
    days = [r[0] for r in rows]
    assert (data_range["first_call_date"], data_range["last_call_date"]) == (min(days), max(days))
    assert data_range["incidents"] == len(rows)
    assert data_range["incidents_in_default_period"] == sum(d >= default_start for d in days)
    for dimension, column in (("district", 1), ("incident_type", 3), ("channel", 4)):
        held = [r[column] for r in rows if r[column] is not None]
        assert {v: values[(dimension, v)] for v in set(held)} == {v: held.count(v) for v in set(held)}


def test_street_daily_counts_every_incident_once_by_its_street(warehouses):
    """The per-day counts by street, against the incidents counted in Python after a load that
    updated only what it touched: each street named without its suffix (街道, 街道办事处)."""
    con = open_reader(warehouses[1])  # the one loaded export by export
    try:
        rows = con.execute("select call_date, district, street, incident_type from incidents").fetchall()
        daily = {tuple(r[:4]): r[4] for r in con.execute(
            "select call_date, district, street, incident_type, incidents from street_daily").fetchall()}
    finally:
        con.close()
    expected: dict[tuple, int] = {}
    for day, district, street, incident_type in rows:
        name = (street or "").strip()
        for suffix in ("街道办事处", "街道"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        key = (day, district, name or None, incident_type)
        expected[key] = expected.get(key, 0) + 1
    assert any(street and street.endswith("街道") for _, _, street, _ in rows)  # the suffix is there to take off
    assert len(expected) > 1000 and daily == expected


def test_a_warehouse_without_a_rollup_added_since_gets_it_and_its_next_load_stays_incremental(warehouses, tmp_path):
    """A warehouse of an earlier version, before `marts.street_daily` and `marts.travel_sample_daily` were
    added and `marts.station_daily` counted arrivals within the target: its next incident load builds both whole from the incidents
    as they stand, then updates the days it touched, as every load does; the big tables keep the
    files of the months the load did not reach (a full build would have written every month again),
    and the rollups are the ones a full build gives."""
    from warehouse.connection import open_writer

    full, _, before = warehouses
    earlier = tmp_path / "earlier.duckdb"
    copy_warehouse(before, earlier)
    with open_writer(earlier) as con:
        con.execute("drop view main.street_daily")
        con.execute("drop table marts.street_daily")
        con.execute("drop table marts.travel_sample_daily")
        con.execute("drop view main.station_daily")
        con.execute("alter table marts.station_daily drop column within_target")
        files_before = {f for (f,) in con.execute("select file from meta.parts where table_name = 'marts.incidents'").fetchall()}
    con = open_reader(earlier)
    try:  # until then the queries that read them say what to do, in the user's words
        for name in ("overview/worsening", "prevention/payoff", "coverage/travel_samples"):
            with pytest.raises(queries.WarehouseOutdated, match="emss rebuild"):
                queries.run(con, name)
    finally:
        con.close()
    ingest([full.parent / "出警记录_修订.csv"], earlier)
    con = open_reader(earlier)
    try:
        files_after = {f for (f,) in con.execute("select file from meta.parts where table_name = 'marts.incidents'").fetchall()}
    finally:
        con.close()
    assert files_before & files_after, "every month's file written again: a full build, not a load of what it touched"
    assert files_after - files_before  # the touched months' files are new
    for table in ("marts.street_daily", "marts.travel_sample_daily"):
        only_full, only_earlier, (n_full, n_earlier) = same_rows(full, earlier, table)
        assert n_full > 1000 and (only_full, only_earlier, n_earlier) == (0, 0, n_full), table
    for view in ("main.street_daily", "main.station_daily"):  # the analysts' views are back too
        assert same_rows(full, earlier, view)[:2] == (0, 0), view
    only_full, only_earlier, (n_full, n_earlier) = same_rows(full, earlier, "marts.station_daily")
    assert n_full > 1000 and (only_full, only_earlier, n_earlier) == (0, 0, n_full)
    answers = []
    for path in (full, earlier):
        con = open_reader(path)
        try:
            answers.append([queries.run(con, name).rows()
                            for name in ("overview/worsening", "prevention/payoff", "coverage/travel_samples")])
        finally:
            con.close()
    assert answers[0] == answers[1] and answers[0][0]  # (no patrol log here: the payoff has no rows to give)


READINESS = ("marts.station_readiness", "marts.station_readiness_monthly")


def later_week(source, target, days: int):
    """The file's last 60 responses again as new incidents `days` later: the data's as-of date moves on."""
    whole = pl.read_csv(source.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)
    frame = whole.tail(60).with_columns([shifted(c, pl.duration(days=days)) for c in CHAIN])
    frame = frame.with_columns((pl.col("警情编号") + "L").alias("警情编号"))
    target.write_bytes(frame.write_csv(line_terminator="\r\n").encode("gb18030"))
    return target


def month_ends_before(day):
    """Month ends strictly before `day`, from the first of its year to it (by the calendar)."""
    import datetime as dt
    ends, month = [], dt.date(day.year, 1, 1)
    while True:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if nxt - dt.timedelta(days=1) >= day:
            return ends
        ends.append(nxt - dt.timedelta(days=1))
        month = nxt


@pytest.mark.parametrize("standard_changed", [False, True])
def test_readiness_after_a_later_week_equals_a_full_build(warehouses, demo_exports, tmp_path, monkeypatch,
                                                          standard_changed):
    """A load of incidents only judges readiness again on the new as-of date and the month end it
    passed, keeping the other month ends; with the standard changed since the last build, on every
    date. Either way the tables equal a full build of the same data under the same standard."""
    import dataclasses

    from emss import settings

    if standard_changed:
        real = settings.standard
        monkeypatch.setattr(settings, "standard", lambda *a: dataclasses.replace(real(*a), staff_min=real(*a).staff_min + 3))
    export = later_week(demo_exports["incidents"][-1], tmp_path / "出警记录_下周.csv", days=20)
    loaded, rebuilt = tmp_path / "loaded.duckdb", tmp_path / "rebuilt.duckdb"
    copy_warehouse(warehouses[2], loaded)
    con = open_reader(loaded)
    as_of_before = con.execute("select as_of_date from meta.as_of").fetchall()[0][0]
    judged_before = con.execute("select count(*) from marts.station_readiness_monthly where not is_compliant").fetchall()[0][0]
    con.close()
    ingest([export], loaded)
    copy_warehouse(loaded, rebuilt)
    build.rebuild(rebuilt)

    last_call = max(pl.read_csv(export.read_bytes().decode("gb18030").encode("utf-8"), infer_schema=False)["接警时间"])
    import datetime as dt
    as_of = dt.date.fromisoformat(last_call[:10])
    con = open_reader(loaded)
    try:
        assert con.execute("select as_of_date from meta.as_of").fetchall()[0][0] == as_of > as_of_before
        dates = [d for (d,) in con.execute("select distinct judged_on from marts.station_readiness_monthly"
                                           " where judged_on >= ? order by 1", [dt.date(as_of.year, 1, 1)]).fetchall()]
        failing = con.execute("select count(*) from marts.station_readiness_monthly where not is_compliant").fetchall()[0][0]
    finally:
        con.close()
    # the month end the week passed is judged, and the new as-of date, and nothing after it
    assert dates == [*month_ends_before(as_of), as_of]
    if standard_changed:  # three more staff asked of every station: more fail, on the dates kept before too
        assert failing > judged_before
    for table in READINESS:
        only_loaded, only_rebuilt, (n_loaded, n_rebuilt) = same_rows(loaded, rebuilt, table)
        assert n_loaded > 0 and n_loaded == n_rebuilt
        assert (only_loaded, only_rebuilt) == (0, 0), table
