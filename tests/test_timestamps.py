"""Timestamps with a UTC offset, and wall-clock times in zones whose clocks change.

Every expected value is either worked out by hand (written beside it) or computed another way,
with Python's datetime and zoneinfo: an offset-aware instant shown on the warehouse's clock, and
a wall-clock time read as zoneinfo reads it (fold=0: a skipped time moves on by the gap, a
repeated time is its first occurrence)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from emss import profiles
from etl import rules
from etl.load import ingest
from etl.staging import parsing_macros, prepare_lookups
from warehouse.connection import open_reader

LOCAL = ZoneInfo(profiles.current().timezone)
STEPS = ("call_at", "dispatch_at", "depart_at", "arrive_at", "clear_at")


def local_of_instant(text: str) -> dt.datetime:
    """An offset-aware ISO timestamp on the warehouse's clock, by Python (which wants one space
    between date and time, and none before the offset)."""
    iso = re.sub(r"\s+(?=[+-][0-9]{2}:?[0-9]{2}$)", "", " ".join(text.split()))
    return dt.datetime.fromisoformat(iso).astimezone(LOCAL).replace(tzinfo=None)


def local_of_wall_clock(text: str, zone: str) -> dt.datetime:
    """A wall-clock time in `zone` on the warehouse's clock, by Python (fold=0)."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(LOCAL).replace(tzinfo=None)


def parse(texts: list[str], formats: list[str] = (), session_zone: str | None = None) -> list[dt.datetime | None]:
    con = duckdb.connect()
    if session_zone:
        con.execute("SET TimeZone = ?", [session_zone])
    prepare_lookups(con)
    parsing_macros(con, list(formats))
    got = con.execute("select parse_ts(t) from unnest(?::varchar[]) with ordinality as u(t, i) order by i",
                      [texts]).fetchall()
    con.close()
    return [r[0] for r in got]


def load(tmp_path: Path, rows: list[dict[str, str]], zone: str | None = None,
         formats: list[str] | None = None) -> dict:
    """Load incident rows (incident_id and any of STEPS) through a mapping file; the loaded
    rows of core.responses by incident_id, and the load's report under "report"."""
    mapping = ['kind = "incidents"']
    if zone:
        mapping.append(f'timezone = "{zone}"')
    if formats:
        mapping.append("timestamp_format = [" + ", ".join(f"'{f}'" for f in formats) + "]")
    mapping += ["[columns]", 'incident_id = "Incident"', 'station_id = "Unit"',
                *(f'{s} = "{s}"' for s in STEPS)]
    (tmp_path / "m.toml").write_text("\n".join(mapping) + "\n", encoding="utf-8")
    lines = [",".join(["Incident", "Unit", *STEPS])]
    lines += [",".join([r["incident_id"], "E1", *(r.get(s, "") for s in STEPS)]) for r in rows]
    (tmp_path / "calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    [report] = ingest([tmp_path / "calls.csv"], warehouse, mapping=tmp_path / "m.toml")
    assert report.outcome == "loaded", report.message
    con = open_reader(warehouse)
    try:
        cur = con.execute(f"select incident_id, {', '.join(STEPS)}, response_s from core.responses")
        names = [d[0] for d in cur.description]
        loaded = {r[0]: dict(zip(names, r)) for r in cur.fetchall()}
    finally:
        con.close()
    loaded["report"] = report
    return loaded


# -- the reported bug: a mapping's %z format ------------------------------------------------

@pytest.mark.parametrize("zone", [None, "America/New_York", "Europe/London"])
def test_offset_format_in_mapping_is_the_instant_whatever_the_mapping_zone(tmp_path, zone):
    rows = load(tmp_path, [{"incident_id": "A1", "call_at": "2011-01-01 05:49:17+00:00",
                            "arrive_at": "2011-01-01 05:59:17+00:00"},
                           {"incident_id": "A2", "call_at": "2011-01-01 05:49:17"}],
                zone=zone, formats=["%Y-%m-%d %H:%M:%S%z"])
    # 05:49:17 UTC is 13:49:17 in Shanghai (UTC+8), not 2010-12-31 16:49:17
    assert rows["A1"]["call_at"] == dt.datetime(2011, 1, 1, 13, 49, 17)
    assert rows["A1"]["call_at"] == local_of_instant("2011-01-01 05:49:17+00:00")
    assert rows["A1"]["response_s"] == 600
    # a row without an offset is a wall-clock time in the mapping's zone, not UTC: 05:49:17 EST
    # (UTC-5) is 10:49:17 UTC, 18:49:17 in Shanghai; GMT is UTC, 13:49:17
    assert rows["A2"]["call_at"] == {None: dt.datetime(2011, 1, 1, 5, 49, 17),
                                     "America/New_York": dt.datetime(2011, 1, 1, 18, 49, 17),
                                     "Europe/London": dt.datetime(2011, 1, 1, 13, 49, 17)}[zone]
    assert rows["A2"]["call_at"] == local_of_wall_clock("2011-01-01 05:49:17", zone or profiles.current().timezone)


# -- offsets read by default ----------------------------------------------------------------

ISO_WITH_OFFSET = {  # text -> Shanghai wall clock, by hand
    "2024-05-21T01:03:05+08:00": dt.datetime(2024, 5, 21, 1, 3, 5),
    "2024-05-21 01:03:05+08:00": dt.datetime(2024, 5, 21, 1, 3, 5),
    "2024-05-21 01:03:05+00:00": dt.datetime(2024, 5, 21, 9, 3, 5),
    "2024-05-21T01:03:05Z": dt.datetime(2024, 5, 21, 9, 3, 5),
    "2024-05-21 01:03:05Z": dt.datetime(2024, 5, 21, 9, 3, 5),
    "2024-05-21T01:03:05.250Z": dt.datetime(2024, 5, 21, 9, 3, 5, 250000),
    "2024-05-21 01:03:05.123456+08:00": dt.datetime(2024, 5, 21, 1, 3, 5, 123456),
    "2024-05-21T01:03:05.5-04:00": dt.datetime(2024, 5, 21, 13, 3, 5, 500000),
    "2024-05-21T01:03:05+0530": dt.datetime(2024, 5, 21, 3, 33, 5),   # 19:33:05 UTC the day before
    "2024-05-21 01:03:05+0000": dt.datetime(2024, 5, 21, 9, 3, 5),
    "2024-05-20T23:30:00-05:00": dt.datetime(2024, 5, 21, 12, 30),     # 04:30 UTC
    "2024-05-21T01:03+08:00": dt.datetime(2024, 5, 21, 1, 3),
    " 2024-05-21  01:03:05 +08:00 ": dt.datetime(2024, 5, 21, 1, 3, 5),
}


def test_iso_offsets_read_by_default():
    got = parse(list(ISO_WITH_OFFSET))
    assert dict(zip(ISO_WITH_OFFSET, got)) == ISO_WITH_OFFSET
    assert got == [local_of_instant(t) for t in ISO_WITH_OFFSET]


def test_text_without_offset_is_read_as_before():
    texts = ["2024-05-21 01:03:05", "2024/5/21 1:03", "2024年5月21日 01:03", "2024-05-21T01:03:05",
             "2024-05-21 01:03:05.5", "20240521010305", "45433.04375", "", "昨天上午", "2024-05-21"]
    assert parse(texts) == [dt.datetime(2024, 5, 21, 1, 3, 5), dt.datetime(2024, 5, 21, 1, 3),
                            dt.datetime(2024, 5, 21, 1, 3), dt.datetime(2024, 5, 21, 1, 3, 5),
                            dt.datetime(2024, 5, 21, 1, 3, 5, 500000), dt.datetime(2024, 5, 21, 1, 3, 5),
                            dt.datetime(2024, 5, 21, 1, 3), None, None, None]


@pytest.mark.parametrize("session_zone", ["UTC", "America/Los_Angeles", "Asia/Shanghai"])
def test_parsing_does_not_depend_on_the_machine_zone(session_zone):
    texts = ["2011-01-01 05:49:17+00:00", "2011-01-01 05:49:17"]
    assert parse(texts, ["%Y-%m-%d %H:%M:%S%z"], session_zone) == [dt.datetime(2011, 1, 1, 13, 49, 17),
                                                                    dt.datetime(2011, 1, 1, 5, 49, 17)]
    assert parse(list(ISO_WITH_OFFSET), session_zone=session_zone) == list(ISO_WITH_OFFSET.values())


def test_offset_formats_told_apart_from_wall_clock_formats():
    con = duckdb.connect()
    prepare_lookups(con)
    parsing_macros(con, [])
    cases = {"%Y-%m-%d %H:%M:%S%z": True, "%d/%m/%Y %H:%M %Z": True, "%Y-%m-%d %H:%M:%S": False,
             "%Y-%m-%d %H:%M:%S%%z": False, "%Y-%m-%d %H:%M:%S%%%z": True}
    got = con.execute("select f, is_offset_format(f) from unnest(?::varchar[]) u(f)", [list(cases)]).fetchall()
    assert dict(got) == cases


def test_mixed_file_offsets_and_wall_clock_in_the_mapping_zone(tmp_path):
    texts = {"O1": "2024-07-01T10:00:00+08:00", "O2": "2024-07-01T02:00:00Z", "O3": "2024-07-01 02:00:00.250+00:00",
             "O4": "2024-07-01T07:30:00+0530", "N1": "2024-07-01 10:00:00", "N2": "2024/7/1 10:00",
             "N3": "2024-01-15 10:00:00"}
    rows = load(tmp_path, [{"incident_id": k, "call_at": t} for k, t in texts.items()], zone="America/Toronto")
    assert rows["O1"]["call_at"] == rows["O2"]["call_at"] == rows["O4"]["call_at"] == dt.datetime(2024, 7, 1, 10)
    assert rows["O3"]["call_at"] == dt.datetime(2024, 7, 1, 10, 0, 0, 250000)
    # Toronto wall clock: EDT (UTC-4) in July, EST (UTC-5) in January
    assert rows["N1"]["call_at"] == rows["N2"]["call_at"] == dt.datetime(2024, 7, 1, 22)
    assert rows["N3"]["call_at"] == dt.datetime(2024, 1, 15, 23)
    for key, text in texts.items():
        expected = (local_of_instant(text) if key.startswith("O")
                    else local_of_wall_clock(text.replace("/7/1", "-07-01"), "America/Toronto"))
        assert rows[key]["call_at"] == expected, key


def test_offset_rows_in_a_default_export(tmp_path):
    """No mapping: the built-in headers, and ISO timestamps with offsets as pandas writes them."""
    f = tmp_path / "出警记录.csv"
    f.write_text("警情编号,出警站点编号,接警时间,到场时间\n"
                 "JQ1,YJ0001,2025-05-21 01:00:00+08:00,2025-05-21 01:05:00+08:00\n"
                 "JQ2,YJ0001,2025-05-20T17:00:00Z,2025-05-20T17:04:30.000Z\n"
                 "JQ3,YJ0001,2025-05-21 01:00:00,2025-05-21 01:06:00\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    [report] = ingest([f], warehouse)
    assert report.outcome == "loaded" and report.rows_loaded == 3, report
    con = open_reader(warehouse)
    got = {r[0]: r[1:] for r in con.execute("select incident_id, call_at, response_s from core.responses").fetchall()}
    con.close()
    assert got == {"JQ1": (dt.datetime(2025, 5, 21, 1), 300), "JQ2": (dt.datetime(2025, 5, 21, 1), 270),
                   "JQ3": (dt.datetime(2025, 5, 21, 1), 360)}


# -- daylight saving --------------------------------------------------------------------------

DST_CASES = [  # zone, wall clock, Shanghai wall clock by hand, what happens there
    ("America/Toronto", "2024-03-10 01:59:59", dt.datetime(2024, 3, 10, 14, 59, 59), "last second of EST"),
    ("America/Toronto", "2024-03-10 02:30:00", dt.datetime(2024, 3, 10, 15, 30), "skipped: 03:30 EDT"),
    ("America/Toronto", "2024-03-10 03:00:00", dt.datetime(2024, 3, 10, 15, 0), "first minute of EDT"),
    ("America/Toronto", "2024-11-03 00:59:59", dt.datetime(2024, 11, 3, 12, 59, 59), "EDT"),
    ("America/Toronto", "2024-11-03 01:30:00", dt.datetime(2024, 11, 3, 13, 30), "twice: the first, EDT"),
    ("America/Toronto", "2024-11-03 02:00:00", dt.datetime(2024, 11, 3, 15, 0), "EST"),
    ("Europe/London", "2024-03-31 01:30:00", dt.datetime(2024, 3, 31, 9, 30), "skipped: 02:30 BST"),
    ("Europe/London", "2024-03-31 02:00:00", dt.datetime(2024, 3, 31, 9, 0), "BST"),
    ("Europe/London", "2024-10-27 01:30:00", dt.datetime(2024, 10, 27, 8, 30), "twice: the first, BST"),
    ("Europe/London", "2024-10-27 02:00:00", dt.datetime(2024, 10, 27, 10, 0), "GMT"),
]

RESPONSES_ACROSS_A_CHANGE = [  # zone, call, arrival, seconds by hand
    # call 01:55 EDT, arrival 01:05 EST once the clocks went back: 10 minutes, not -50
    ("America/Toronto", "2024-11-03 01:55:00", "2024-11-03 01:05:00", 600),
    ("America/Toronto", "2024-11-03T01:55:00-04:00", "2024-11-03T01:05:00-05:00", 600),
    # both in the repeated hour and in order: both the first occurrence
    ("America/Toronto", "2024-11-03 01:10:00", "2024-11-03 01:20:00", 600),
    # call 00:55 EDT, arrival 01:05 EDT
    ("America/Toronto", "2024-11-03 00:55:00", "2024-11-03 01:05:00", 600),
    # call 01:55 EST, arrival 03:05 EDT once the clocks went forward: 10 minutes, not 70
    ("America/Toronto", "2024-03-10 01:55:00", "2024-03-10 03:05:00", 600),
    ("Europe/London", "2024-10-27 01:55:00", "2024-10-27 01:05:00", 600),
    ("Europe/London", "2024-03-31 00:55:00", "2024-03-31 02:05:00", 600),
]

# a whole response in Toronto's repeated hour: alarm 01:50 EDT, dispatch 01:52 EDT, departure
# 01:55 EDT, arrival 01:04 EST, cleared 01:40 EST (the clocks went back at 02:00 EDT)
WHOLE_RESPONSE = dict(zip(STEPS, ["2024-11-03 01:50:00", "2024-11-03 01:52:00", "2024-11-03 01:55:00",
                                  "2024-11-03 01:04:00", "2024-11-03 01:40:00"]))
# arrival 01:30 after an alarm at 02:30 EST (after the change): no reading of 01:30 follows it
OUT_OF_ORDER = {"call_at": "2024-11-03 02:30:00", "arrive_at": "2024-11-03 01:30:00"}


@pytest.fixture(scope="module")
def loaded_by_zone(tmp_path_factory) -> dict[str, dict]:
    """Every DST case and response above, one load per zone: the loaded rows by incident_id."""
    out = {}
    for zone in ("America/Toronto", "Europe/London"):
        rows = [{"incident_id": f"W{i}", "call_at": wall} for i, (z, wall, _, _) in enumerate(DST_CASES) if z == zone]
        rows += [{"incident_id": f"R{i}", "call_at": call, "arrive_at": arrive}
                 for i, (z, call, arrive, _) in enumerate(RESPONSES_ACROSS_A_CHANGE) if z == zone]
        if zone == "America/Toronto":
            rows += [{"incident_id": "WHOLE", **WHOLE_RESPONSE}, {"incident_id": "BAD", **OUT_OF_ORDER}]
        out[zone] = load(tmp_path_factory.mktemp(zone.replace("/", "_")), rows, zone=zone)
    return out


@pytest.mark.parametrize("i", range(len(DST_CASES)), ids=[f"{c[0]} {c[1]}" for c in DST_CASES])
def test_skipped_and_repeated_wall_clock_times(loaded_by_zone, i):
    zone, wall, expected, what = DST_CASES[i]
    assert loaded_by_zone[zone][f"W{i}"]["call_at"] == expected, what
    assert expected == local_of_wall_clock(wall, zone)


@pytest.mark.parametrize("zone,first_day", [("America/Toronto", dt.datetime(2024, 3, 9)),
                                             ("America/Toronto", dt.datetime(2024, 11, 2)),
                                             ("Europe/London", dt.datetime(2024, 3, 30)),
                                             ("Europe/London", dt.datetime(2024, 10, 26)),
                                             ("Australia/Lord_Howe", dt.datetime(2024, 4, 6)),   # 30-minute change
                                             ("Australia/Sydney", dt.datetime(2024, 10, 5)),
                                             ("Pacific/Apia", dt.datetime(2011, 12, 29))])        # a whole day skipped
def test_wall_clock_instant_reads_as_zoneinfo_does(zone, first_day):
    walls = [first_day + dt.timedelta(minutes=5 * i) for i in range(3 * 24 * 12)]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    prepare_lookups(con)
    parsing_macros(con, [])
    got = con.execute("select epoch(wall_clock_instant(?, w)) from unnest(?::timestamp[]) with ordinality u(w, i) order by i",
                      [zone, walls]).fetchall()
    con.close()
    assert [g[0] for g in got] == [w.replace(tzinfo=ZoneInfo(zone)).timestamp() for w in walls]


@pytest.mark.parametrize("i", range(len(RESPONSES_ACROSS_A_CHANGE)),
                         ids=[f"{c[0]} {c[1]} {c[2]}" for c in RESPONSES_ACROSS_A_CHANGE])
def test_response_time_across_a_clock_change_is_the_elapsed_time(loaded_by_zone, i):
    zone, call, arrive, seconds = RESPONSES_ACROSS_A_CHANGE[i]
    row = loaded_by_zone[zone][f"R{i}"]
    assert row["response_s"] == seconds
    assert row["arrive_at"] - row["call_at"] == dt.timedelta(seconds=seconds)


def test_every_step_read_after_the_steps_before_it(loaded_by_zone):
    row = loaded_by_zone["America/Toronto"]["WHOLE"]
    assert [row[s] for s in STEPS] == [dt.datetime(2024, 11, 3, 13, 50), dt.datetime(2024, 11, 3, 13, 52),
                                       dt.datetime(2024, 11, 3, 13, 55), dt.datetime(2024, 11, 3, 14, 4),
                                       dt.datetime(2024, 11, 3, 14, 40)]
    assert row["response_s"] == 14 * 60


def test_a_step_truly_out_of_order_is_still_rejected(loaded_by_zone):
    toronto = loaded_by_zone["America/Toronto"]
    assert "BAD" not in toronto
    assert toronto["report"].by_rule.get("order") == 1


@pytest.mark.parametrize("tolerance_s,expected_utc", [(0, dt.datetime(2024, 11, 3, 6, 55)),    # 01:55 EST
                                                      (60, dt.datetime(2024, 11, 3, 5, 55))])  # 01:55 EDT
def test_repeated_time_read_in_order_as_the_order_rule_says(tolerance_s, expected_utc):
    """Dispatched 01:55 after an alarm at 01:55:40 EDT: out of order under second precision, so the
    second 01:55; under minute precision (40 s is the cutting) the first, as the order rule keeps it."""
    con = duckdb.connect()
    prepare_lookups(con)
    parsing_macros(con, [])
    con.execute(f"SET VARIABLE {rules.ORDER_TOLERANCE} = ?", [tolerance_s])
    [(got,)] = con.execute("select timezone('UTC', wall_clock_instant_after('America/Toronto', timestamp '2024-11-03 01:55:00', "
                           "timestamptz '2024-11-03 05:55:40+00'))").fetchall()
    con.close()
    assert got == expected_utc
