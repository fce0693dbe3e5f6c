"""Hostile exports and mapping files: nothing in a file runs, leaks or is lost.

Every payload below is SQL that would write a file, plant a Python start-up
hook, read a system file or delete rows from a live warehouse if any text from
the file reached SQL unquoted (each was seen to work against an earlier loader).
Each test asserts what the attacker wanted did not happen, and that the honest
content of the file still arrived.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from etl import readers, vocabulary
from etl.load import ingest
from etl.mapping import MappingError, load_mapping
from warehouse.connection import open_reader
from warehouse.quoting import UnsafeName, identifier

PROJECT_DIR = Path(__file__).resolve().parent.parent
HEADER = ["警情编号", "警情类型", "接警渠道", "所属区", "经度", "纬度", "接警时间", "派警时间", "出动时间",
          "到场时间", "处置完毕时间", "出警站点编号"]


def rows(n: int = 3, first: int = 1) -> list[list[str]]:
    return [[f"JQ{i}", "电梯困人", "群众电话", "福田区", "114.06", "22.54", "2025-05-21 01:00:00",
             "2025-05-21 01:01:00", "2025-05-21 01:02:00", "2025-05-21 01:05:00", "2025-05-21 01:30:00", "YJ0001"]
            for i in range(first, first + n)]


def write_csv(path: Path, header: list[str], body: list[list[str]], encoding: str = "utf-8") -> Path:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], body: list[list[str]], hidden: list[int] = ()) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    ws = wb.add_worksheet("出警记录")
    for r, values in enumerate([header, *body]):
        for c, value in enumerate(values):
            ws.write_string(r, c, value)
    for c in hidden:
        ws.set_column(c, c, None, None, {"hidden": True})
    wb.close()
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def emss(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "emss.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or PROJECT_DIR)


def refused_in_one_line(out) -> bool:
    """Exit 2, no traceback, and exactly one error line (progress lines may precede it)."""
    errors = [line for line in out.stderr.splitlines() if line.startswith("错误 / error")]
    return out.returncode == 2 and "Traceback" not in out.stderr and len(errors) == 1


# --- payloads in header cells --------------------------------------------------------------------------

def _payloads(tmp: Path, live: Path) -> dict[str, tuple[str, callable]]:
    """name -> (header text, check that the attack did not happen)."""
    canary = tmp / "pwned.csv"
    site = tmp / "site-packages"
    site.mkdir(exist_ok=True)
    # the loader's checks wrote `nullif(trim("<header>"), '') is not null or ...`: close it, then run more
    close = '备注"), \'\') is not null); '
    return {
        "copy_to_file": (close + f"COPY (SELECT 42) TO '{canary}' (FORMAT csv); --",
                         lambda: not canary.exists()),
        "plant_pth": (close + f"COPY (SELECT 'import os; os.system(''touch {tmp}/ran'')') TO '{site}/evil.pth' "
                      "(FORMAT csv, HEADER false, QUOTE ''); --",
                      lambda: not (site / "evil.pth").exists() and not (tmp / "ran").exists()),
        "attach_and_delete": (close + f"ATTACH '{live}' AS live; DELETE FROM live.core.responses; --",
                              lambda: duckdb.connect(str(live), read_only=True).execute(
                                  "select count(*) from core.responses").fetchall()[0][0] == 5),
        "read_system_file": (close + "SELECT * FROM read_text('/etc/hostname'); --", lambda: True),
        "quote_backslash_nul_newline": ('a"b\\c;d\n--e/*f*/\'g\x00h', lambda: not canary.exists()),
    }


@pytest.fixture()
def live(tmp_path) -> Path:
    """A warehouse standing for the live one an attacker would attach, with 5 responses."""
    path = tmp_path / "live.duckdb"
    reports = ingest([write_csv(tmp_path / "live.csv", HEADER, rows(5, first=100))], path)
    assert reports[0].rows_loaded == 5
    return path


def _the_file_still_loaded(warehouse: Path, header_text: str, n: int = 3) -> None:
    """Nothing lost: every row loaded, and the odd column kept, under its own name, in raw.extra."""
    con = open_reader(warehouse)
    try:
        assert con.execute("select count(*) from core.responses").fetchall()[0][0] == n
        extras = [json.loads(e) for (e,) in con.execute("select extra from raw.incident_rows").fetchall()]
    finally:
        con.close()
    expected = readers._CONTROL.sub("", header_text).strip()
    assert all(expected in e for e in extras), (expected, extras[0])
    assert all(e[expected] == "x" for e in extras)


@pytest.mark.parametrize("case", ["copy_to_file", "plant_pth", "attach_and_delete", "read_system_file",
                                  "quote_backslash_nul_newline"])
@pytest.mark.parametrize("container", ["csv", "gb18030_csv", "xlsx", "xlsx_hidden_column"])
def test_a_header_cell_runs_nothing(tmp_path, live, case, container):
    header_text, attack_failed = _payloads(tmp_path, live)[case]
    header = HEADER + ["备注", header_text]
    body = [r + ["备注", "x"] for r in rows()]
    if container == "csv":
        export = write_csv(tmp_path / "hostile.csv", header, body)
    elif container == "gb18030_csv":
        export = write_csv(tmp_path / "hostile.csv", header, body, encoding="gb18030")
    else:
        export = write_xlsx(tmp_path / "hostile.xlsx", header, body,
                            hidden=[len(header) - 1] if container == "xlsx_hidden_column" else [])
    live_before = sha(live)
    warehouse = tmp_path / "w.duckdb"
    [report] = ingest([export], warehouse)
    assert report.outcome == "loaded", report.message
    assert attack_failed()
    assert sha(live) == live_before
    _the_file_still_loaded(warehouse, header_text)


@pytest.mark.parametrize("case", ["copy_to_file", "plant_pth", "attach_and_delete"])
def test_explain_runs_nothing_and_writes_nothing(tmp_path, live, case):
    header_text, attack_failed = _payloads(tmp_path, live)[case]
    export = write_csv(tmp_path / "hostile.csv", HEADER + ["备注", header_text],
                       [r + ["备注", "x"] for r in rows()], encoding="gb18030")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    out = emss("ingest", "--explain", str(export), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert attack_failed()
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # no file written, no .tmp folder
    assert "extra" in out.stdout


def test_the_explain_connection_can_neither_read_nor_write_files(tmp_path):
    """Even SQL that got in could do nothing there: the connection's own refusal, checked directly."""
    from etl import explain as explain_module
    from warehouse.connection import connect_memory, restrict_file_access

    export = write_csv(tmp_path / "ok.csv", HEADER, rows())
    con = connect_memory()
    restrict_file_access(con, [export])
    con.execute("SET lock_configuration = true")
    assert con.execute("select count(*) from read_csv(?)", [str(export)]).fetchall()[0][0] == 3
    for sql in (f"COPY (SELECT 1) TO '{tmp_path}/x.csv'", "SELECT * FROM read_text('/etc/hostname')",
                f"ATTACH '{tmp_path}/other.duckdb' AS o", "SET enable_external_access = true"):
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "other.duckdb").exists()
    assert explain_module.explain(export)  # and explain itself works under these rules


def test_the_identifier_helper_against_duckdb(tmp_path):
    """Each awkward name round-trips as exactly itself and runs nothing (DuckDB is the oracle)."""
    con = duckdb.connect()
    names = ['a"b', 'a""b', '"', 'x"; DROP TABLE t; --', "back\\slash", "semi;colon", "new\nline", "-- comment",
             "/* block */", "it's", "报警人", " padded ", "select"]
    for name in names:
        con.execute(f"create or replace table t as select 1 as {identifier(name)}")
        assert [d[0] for d in con.execute("select * from t").description] == [name]
    with pytest.raises(UnsafeName):
        identifier("a\x00b")


# --- mapping files -------------------------------------------------------------------------------------

def _mapping(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text('kind = "incidents"\n' + textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("body", [
    # each value has the wrong type or shape: refused before anything reads it
    """service_area = ["0 or (select count(*) from read_text('/etc/passwd')) > 0", 22.3, 114.8, 22.95]""",
    """service_area = [113.6, 22.3, 114.8, true]""",
    """timezone = "Asia/Shanghai'); COPY (SELECT 1) TO 'x.csv'; --" """,
    """crs = "WGS-84'; COPY (SELECT 1) TO 'x.csv'; --" """,
    """timestamp_format = 5""",
    """[join]\nfile = "../../../etc/passwd"\non = "警情编号" """,
    """[join]\nfile = "/etc/passwd"\non = "警情编号" """,
    """[columns]\nlat = { column = "纬度", pattern = "(unclosed" }""",
    """[columns]\nlat = { column = "纬度", pattern = "[0-9]+" }""",   # no group to extract
    """[columns]\nlat = { column = "纬度", sql = "1; DROP TABLE x" }""",
    """[values.incident_type]\n"电梯困人" = { sql = "x" }""",
    """copy_to = "x.csv" """,
])
def test_a_mapping_value_of_the_wrong_kind_is_refused(tmp_path, body):
    path = _mapping(tmp_path, body)
    with pytest.raises(MappingError):
        load_mapping(path)
    export = write_csv(tmp_path / "e.csv", HEADER, rows())
    out = emss("ingest", str(export), "--mapping", str(path), "-w", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert refused_in_one_line(out)
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "x.csv").exists()
    assert "root:" not in out.stderr + out.stdout


def test_mapping_text_is_bound_as_data(tmp_path):
    """Patterns, formats and value translations that look like SQL are used as the data they are."""
    canary = tmp_path / "pwned.csv"
    evil = f"'); COPY (SELECT 1) TO '{canary}'; --"
    path = _mapping(tmp_path, f"""
        timestamp_format = "%Y-%m-%d %H:%M:%S{evil.replace('%', '%%')}"
        [columns]
        address = {{ column = "地址", pattern = "^(.*)\\\\|" }}
        [values.incident_type]
        "{evil}" = "fire"
        "电梯困人" = "{evil}"
    """)
    export = write_csv(tmp_path / "e.csv", HEADER + ["地址"],
                       [r + [f"深南大道1号|{evil}"] for r in rows(2)] + [rows(1, first=9)[0][:1] + [evil] + rows(1)[0][2:] + ["x|y"]])
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=path)
    assert report.outcome == "loaded", report.message
    assert not canary.exists()
    con = open_reader(tmp_path / "w.duckdb")
    got = dict(con.execute("select incident_id, incident_type from core.responses").fetchall())
    addresses = {r[0] for r in con.execute("select address from core.responses").fetchall()}
    con.close()
    assert got == {"JQ1": evil, "JQ2": evil, "JQ9": "fire"}  # translated both ways, stored as written
    assert addresses == {"深南大道1号", "x"}


def test_a_mapping_cannot_name_a_callers_column(tmp_path):
    path = _mapping(tmp_path, """[columns]\naddress = "报警人电话" """)
    export = write_csv(tmp_path / "e.csv", HEADER + ["报警人电话"], [r + ["13912345678"] for r in rows()])
    [report] = ingest([export], tmp_path / "w.duckdb", mapping=path)
    assert report.outcome == "refused" and "报警人电话" in report.message


# --- callers' details ----------------------------------------------------------------------------------

PHONES = ["13912345678", "13887654321", "075583331234", "15011112222", "18699990000", "13700001111"]
CALLER_HEADERS = ["报警人", "联系电话", "报警人", "联系电话", "报警人手机", "来电号码", "报警人联系方式", "Caller Phone",
                  "身份证号"]


def _caller_file(tmp_path: Path, container: str) -> Path:
    header = HEADER + CALLER_HEADERS + ["备注"]
    body = []
    for i, r in enumerate(rows(4)):
        callers = ["张三", PHONES[0], "李四", PHONES[1], PHONES[2], PHONES[3], PHONES[4], PHONES[5],
                   "440301199001011234"]
        body.append(r + callers + [f"第{i}行"])
    body[1][8] = "2025-05-21 00:59:00"  # arrived before the call: this row is rejected, with its reason
    if container == "xlsx":
        return write_xlsx(tmp_path / "callers.xlsx", header, body)
    return write_csv(tmp_path / "callers.csv", header, body, encoding="gb18030")


@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_callers_details_are_never_stored(tmp_path, container):
    export = _caller_file(tmp_path, container)
    warehouse = tmp_path / "w.duckdb"
    out = emss("ingest", str(export), "-w", str(warehouse), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    data = warehouse.read_bytes()
    for secret in PHONES + ["440301199001011234", "张三", "李四"]:
        assert secret.encode() not in data, secret
        assert secret.encode("gb18030") not in data
        assert secret not in out.stdout + out.stderr
    con = open_reader(warehouse)
    loaded, rejected = (con.execute("select count(*) from core.responses").fetchall()[0][0],
                        con.execute("select count(*) from meta.rejects").fetchall()[0][0])
    notes = {r[0] for r in con.execute("select json_extract_string(extra, '$.备注') from raw.incident_rows").fetchall()}
    con.close()
    assert (loaded, rejected) == (3, 1)  # nothing else lost
    assert notes == {"第0行", "第1行", "第2行", "第3行"}
    assert "个人信息列已丢弃" in out.stdout


def test_personal_header_words():
    personal = ["报警人", "报警人_1", "联系电话_2", "报警人手机", "来电号码", "报警人联系方式", "Caller Phone", "caller_name",
                "Email", "身份证号", "Mobile", "联系人姓名"]
    kept = ["警情编号", "incident number", "DateAndTimeMobile", "Call Number", "地址", "cancelled", "station"]
    assert [h for h in personal if not vocabulary.is_personal(h)] == []
    assert [h for h in kept if vocabulary.is_personal(h)] == []


def test_a_read_error_does_not_quote_the_line(tmp_path):
    """A bad byte past the sampled head: DuckDB's error quotes the line (a caller's number with it);
    the refusal names the line only, and the other file of the load still lands."""
    header = "警情编号,警情类型,接警时间,出警站点编号\n"
    body = "".join(f"JQ{i},电梯困人,2025-05-21 01:00:00,YJ0001\n" for i in range(30000))
    bad = tmp_path / "bad.csv"
    bad.write_bytes((header + body).encode() + "JQX,电梯困人 13912345678 ".encode() + b"\xff\xfe"
                    + b",2025-05-21 01:00:00,YJ0001\n")
    assert bad.stat().st_size > readers.SAMPLE_BYTES
    good = write_csv(tmp_path / "good.csv", HEADER, rows())
    warehouse = tmp_path / "w.duckdb"
    out = emss("ingest", str(bad), str(good), "-w", str(warehouse), cwd=tmp_path)
    assert refused_in_one_line(out) and "30002" in out.stderr
    assert "13912345678" not in out.stdout + out.stderr
    con = open_reader(warehouse)
    assert con.execute("select count(*) from core.responses").fetchall()[0][0] == 3
    outcomes = dict(con.execute("select source_file, outcome from meta.batches").fetchall())
    con.close()
    assert outcomes == {"bad.csv": "refused", "good.csv": "loaded"}
    assert b"13912345678" not in warehouse.read_bytes()


# --- temporary copies, file mode, partial copies -------------------------------------------------------

def test_a_killed_loads_transcoded_copy_is_swept(tmp_path):
    """A load killed while its UTF-8 copy exists leaves the copy; the next load removes it."""
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    export = write_csv(tmp_path / "e.csv", HEADER, rows(), encoding="gb18030")
    script = textwrap.dedent(f"""
        import os, signal
        from etl import readers
        from etl.scratch import scratch_folder
        with scratch_folder() as folder:
            copy = readers._transcode(readers.Path({str(export)!r}), "gb18030", folder)
            print(copy, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=PROJECT_DIR)
    assert done.returncode == -signal.SIGKILL
    left = Path(done.stdout.strip())
    assert left.exists() and left.parent.parent == tmp_path / "tmp"
    assert oct(left.parent.stat().st_mode & 0o777) == oct(0o700)
    out = emss("ingest", str(export), "-w", str(tmp_path / "w.duckdb"), env=env)
    assert out.returncode == 0, out.stderr
    assert list((tmp_path / "tmp").iterdir()) == []  # swept, and this load's own copy removed


def test_a_load_keeps_the_warehouse_file_mode(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    ingest([write_csv(tmp_path / "a.csv", HEADER, rows())], warehouse)
    warehouse.chmod(0o600)
    ingest([write_csv(tmp_path / "b.csv", HEADER, rows(first=10))], warehouse)
    assert warehouse.stat().st_mode & 0o777 == 0o600


def test_a_failed_copy_leaves_no_partial_file(tmp_path, monkeypatch):
    """A full disk during the initial copy: the partial copy goes, the warehouse stays as it was."""
    from warehouse import connection

    warehouse = tmp_path / "w.duckdb"
    ingest([write_csv(tmp_path / "a.csv", HEADER, rows())], warehouse)
    before = sha(warehouse)

    def full_disk(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:1000])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(connection.shutil, "copyfile", full_disk)
    with pytest.raises(OSError):
        ingest([write_csv(tmp_path / "b.csv", HEADER, rows(first=10))], warehouse)
    assert sha(warehouse) == before
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


# --- workbooks that unpack to too much -----------------------------------------------------------------

def _bomb(path: Path, padding_mb: int) -> Path:
    """A valid workbook whose sheet carries megabytes of whitespace (compresses about 1000 times)."""
    write_xlsx(path, HEADER, rows())
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * (padding_mb << 20), 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_a_workbook_that_unpacks_to_too_much_is_refused_unread(tmp_path):
    bomb = _bomb(tmp_path / "bomb.xlsx", 64)
    assert bomb.stat().st_size < 1 << 20
    out = emss("ingest", str(bomb), "-w", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert refused_in_one_line(out)
    assert "bomb.xlsx" in out.stderr and ("压缩比" in out.stderr or "解压后过大" in out.stderr)
    assert not (tmp_path / "w.duckdb").exists()


def test_a_sparse_sheet_that_spans_too_many_cells_is_refused_unread(tmp_path):
    """Two cells, far apart (A200000 and XFD1): calamine would hold the whole rectangle, 3.3 G cells."""
    path = tmp_path / "sparse.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet()
    for c, h in enumerate(HEADER):
        ws.write_string(0, c, h)
    ws.write_string(0, 16383, "x")
    ws.write_string(199_999, 0, "JQ1")
    wb.close()
    assert path.stat().st_size < 100_000
    out = emss("ingest", str(path), "-w", str(tmp_path / "w.duckdb"), cwd=tmp_path)
    assert refused_in_one_line(out) and "200,000" in out.stderr and "16,384" in out.stderr


@pytest.mark.parametrize("xml, extent", [
    (b'<sheetData><row r="1"><c r="A1"/><c r="C1"/></row><row r="7"><c r="B7"/></row></sheetData>', (7, 3)),
    (b'<sheetData><row><c/><c/><c/><c/></row><row><c/></row></sheetData>', (2, 5)),   # no references
    (b'<x:sheetData><x:row r="2"><x:c r="AA2"/></x:row></x:sheetData>', (2, 27)),
    (b'<sheetData><row r="1"><c r="A1048576"/></row></sheetData>', (1048576, 1)),
])
def test_sheet_extent(xml, extent):
    import io

    assert readers.sheet_extent(io.BytesIO(xml)) == extent


def test_a_workbook_over_the_row_limit_is_refused(tmp_path):
    book = write_xlsx(tmp_path / "big.xlsx", HEADER, rows(30))
    env = dict(os.environ, EMSS_XLSX_MAX_ROWS="20")
    out = emss("ingest", str(book), "-w", str(tmp_path / "w.duckdb"), env=env, cwd=tmp_path)
    assert refused_in_one_line(out) and "20" in out.stderr
    env["EMSS_XLSX_MAX_ROWS"] = "30"  # exactly at the limit: loads
    out = emss("ingest", str(book), "-w", str(tmp_path / "w.duckdb"), env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("content", [b"\x00\x01\x02garbage" * 100, b"PK\x03\x04not really a zip" * 10])
def test_a_broken_file_is_one_line_and_exit_2(tmp_path, content):
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"broken{suffix}"
        path.write_bytes(content)
        out = emss("ingest", str(path), "-w", str(tmp_path / "w.duckdb"), cwd=tmp_path)
        assert refused_in_one_line(out), (suffix, out.stderr)


# --- two loads at once ---------------------------------------------------------------------------------

def test_two_loads_at_once_both_land(tmp_path):
    """Two loads into one warehouse while a third holds it: each waits its turn, saying so, and every
    row of every load is there at the end."""
    from warehouse.connection import writer_lock

    warehouse = tmp_path / "w.duckdb"
    ingest([write_csv(tmp_path / "first.csv", HEADER, rows(2, first=1000))], warehouse)
    files = [write_csv(tmp_path / f"load{n}.csv", HEADER, rows(2000, first=n * 10000), encoding="gb18030")
             for n in (1, 2)]
    with writer_lock(warehouse):
        procs = [subprocess.Popen([sys.executable, "-m", "emss.cli", "ingest", str(f), "-w", str(warehouse)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_DIR)
                 for f in files]
        first_lines = [p.stderr.readline() for p in procs]  # each has reached the lock and waits
        assert all("等待" in line for line in first_lines), first_lines
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    con = open_reader(warehouse)
    per_file = dict(con.execute("select source_file, count(*) from core.responses join meta.batches using (batch_id) "
                                "group by 1").fetchall())
    con.close()
    assert per_file == {"first.csv": 2, "load1.csv": 2000, "load2.csv": 2000}
