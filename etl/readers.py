"""Read an export file, whatever its encoding or layout, into a table of text.

Every value is read as text: casting is the normaliser's job, so that a value
that does not parse is reported with its row rather than silently becoming null.
The header row is found by looking for known header words, so title rows above
it ("2024年5月出警记录") are skipped.

Reading happens in two steps so that a bad file is refused before anything is
written: `read_export` looks at the head of the file (encoding, delimiter,
header row, kind); `materialise` then loads all its rows into a DuckDB table.
CSV rows go straight into DuckDB (after a streaming transcode to UTF-8 when the
file is GB18030 or UTF-16), never through Python objects, so memory stays flat
however large the export.

Nothing read from a file is ever written into SQL text: header names go through
warehouse.quoting.identifier, and values are bound. Columns that hold a caller's
or contact's details (vocabulary.is_personal) are never read into DuckDB at all.
A workbook is measured before it is opened (XLSX_LIMITS), so a small file that
unpacks to gigabytes is refused instead of read. A Parquet file is read by DuckDB
itself: its column names are the header, every column is cast to text as a CSV's
would be, and its personal columns are never read (Parquet reads column by column).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import fastexcel
import polars as pl

from emss.messages import first_line
from etl import vocabulary
from warehouse.connection import connect_memory, restrict_file_access
from warehouse.quoting import identifier

HEADER_SEARCH_ROWS = 30
SAMPLE_BYTES = 1 << 20
_TOTALS = r"^\s*(合计|总计|小计|共计|total|sum)(\s|:|：|$)"
# What a workbook may unpack to before it is read (calamine holds a whole sheet in memory, outside
# the load's DuckDB memory limit): the sheets' XML in all, how much smaller the file may be than
# that (real workbooks compress 5-20 times; a "zip bomb" thousands), and data rows.
XLSX_LIMITS = {
    "unpacked_mb": float(os.environ.get("EMSS_XLSX_MAX_MB", "400")),
    "ratio": 200.0,
    # calamine holds a sheet as a dense rectangle (rows x widest row): a load of 400,000 rows x 12
    # columns (4.8 M cells, 304 MB unpacked) peaked at 1.13 GB, about 210 bytes a cell, so 8 M
    # cells is about 1.7 GB
    "cells": int(os.environ.get("EMSS_XLSX_MAX_CELLS", "8000000")),
    "rows": int(os.environ.get("EMSS_XLSX_MAX_ROWS", "1048576")),  # Excel's own limit per sheet
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PARQUET_SUFFIXES = (".parquet", ".pq")


class ExportError(Exception):
    """A file that cannot be read at all: the message says what and where, in one line."""


@dataclass
class Export:
    path: Path
    kind: str | None
    encoding: str | None
    sheet: str | None
    header_row: int            # 1-based row of the header in the source (0: none, a Parquet file)
    headers: list[str]
    delimiter: str = ","
    frame: pl.DataFrame | None = field(default=None, repr=False)  # xlsx: the sheet, all text
    personal: list[str] = field(default_factory=list)  # headers holding callers' details: never read

    @property
    def kept(self) -> list[str]:
        """The headers whose columns are read (all but the personal ones)."""
        return [h for h in self.headers if h not in self.personal]

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix.lower() in PARQUET_SUFFIXES


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else GB18030 — judged on the head of a file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(data, final=False)  # a cut character at the end is fine
            return encoding
        except UnicodeDecodeError as e:
            error = e
    raise ExportError(
        f"{error.start}字节处无法按UTF-8或GB18030解码 / cannot decode as UTF-8 or GB18030 at byte {error.start}"
    )


def _scorer(header_words: list[str] | None):
    """Known header words decide which row is the header: the vocabulary's, or a mapping file's."""
    if not header_words:
        return vocabulary.header_score
    wanted = {vocabulary.normalise_header(w) for w in header_words}

    def score(cells: list[object]) -> tuple[int, str | None]:
        hits = sum(1 for c in cells if c not in (None, "") and vocabulary.normalise_header(c) in wanted)
        return (hits if hits >= min(2, len(wanted)) else 0), vocabulary.header_score(cells)[1]
    return score


def _find_header(rows: list[list[object]], score_row=vocabulary.header_score) -> tuple[int, str | None]:
    """Index of the row that looks most like a header, and the kind it suggests."""
    best_idx, best_score, best_kind = -1, 0, None
    for idx, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score, kind = score_row(cells)
        if score > best_score:
            best_idx, best_score, best_kind = idx, score, kind
    return best_idx, best_kind


def _clean_headers(cells: list[object]) -> list[str]:
    headers, seen = [], {}
    for i, c in enumerate(cells):
        name = _CONTROL.sub("", str(c)).strip() if c not in (None, "") else ""
        name = name or f"列{i + 1}"
        if name in seen:  # duplicate header words: keep both, the second with a suffix
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        headers.append(name)
    return headers


def _header(rows: list[list[object]], header_words) -> tuple[int, str | None, list[str]]:
    idx, kind = _find_header(rows, _scorer(header_words))
    if idx < 0:
        return idx, kind, []
    cells = list(rows[idx])
    if idx > 0:  # a header split over two rows (merged group cells above)
        cells = vocabulary.two_line_headers(list(rows[idx - 1]), cells)
        kind = kind or vocabulary.header_score(cells)[1]
    return idx, kind, _clean_headers(cells)


def read_csv(path: Path, header_words: list[str] | None = None) -> Export:
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    if not head.strip():
        raise ExportError("文件为空 / the file is empty")
    encoding = detect_encoding(head)
    sample = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    # The delimiter is the one under which some row reads as a known header.
    best = (-1, 0, None, ",", [])
    for delimiter in (",", "\t", ";", "|"):
        head_rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        idx, kind, headers = _header(head_rows, header_words)
        score = _scorer(header_words)(head_rows[idx])[0] if idx >= 0 else 0
        if idx >= 0 and idx > 0:
            score = max(score, _scorer(header_words)(headers)[0])
        if score > best[1]:
            best = (idx, score, kind, delimiter, headers)
    header_idx, _, kind, delimiter, headers = best
    if header_idx < 0:
        raise ExportError("找不到可识别的表头 / no recognisable header row in the first 30 rows")
    return Export(path, kind, encoding, None, header_idx + 1, headers, delimiter,
                  personal=[h for h in headers if vocabulary.is_personal(h)])


_ROW_NUMBER = re.compile(rb' r="([0-9]{1,9})"')               # <row r="12">
_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]')           # <c r="AB12">: the column
_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{1,9})"')        # and the row


def sheet_extent(stream) -> tuple[int, int]:
    """(rows, columns) of the rectangle a sheet's XML spans, read as a stream (never held whole):
    the larger of the rows counted and the row numbers claimed, and the widest column claimed.
    Cells written without a reference (some writers omit them) are counted as if in one row."""
    rows = max_row = unreferenced = 0
    widest = b""
    tail = b""
    while chunk := stream.read(1 << 22):
        data = tail + chunk
        cut = data.rfind(b"<")
        cut = cut if cut >= 0 and len(data) - cut < 1 << 16 else len(data)
        data, tail = data[:cut], data[cut:]
        rows += data.count(b"<row") + data.count(b":row ")
        columns = _CELL_COLUMN.findall(data)
        cells = sum(data.count(t) for t in (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"))
        unreferenced += max(cells - len(columns), 0)
        if columns:
            widest = max(widest, *set(columns), key=lambda c: (len(c), c))
        numbers = set(_ROW_NUMBER.findall(data)) | set(_CELL_ROW.findall(data))
        if numbers:
            max_row = max(max_row, max(map(int, numbers)))
    width = 0
    for letter in widest:
        width = width * 26 + letter - 64
    return max(rows, max_row), max(width, min(unreferenced, 16384))


def check_workbook_size(path: Path) -> None:
    """Refuse, before reading, a workbook that would unpack to more than XLSX_LIMITS allow."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = [i for i in z.infolist() if i.filename.startswith("xl/") and i.filename.endswith(".xml")]
            _check_unpacked(parts)
            for part in parts:
                if part.filename.startswith("xl/worksheets/"):
                    with z.open(part) as stream:
                        rows, columns = sheet_extent(stream)
                    if rows * columns > XLSX_LIMITS["cells"]:
                        raise ExportError(
                            f"工作表过大（{rows:,} 行 × {columns:,} 列），请另存为CSV / a sheet spans {rows:,} rows × "
                            f"{columns:,} columns, over {XLSX_LIMITS['cells']:,} cells: save it as CSV "
                            "(EMSS_XLSX_MAX_CELLS raises the limit)")
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return  # not a readable zip at all: calamine says what is wrong with it


def _check_unpacked(parts: list[zipfile.ZipInfo]) -> None:
    unpacked = sum(i.file_size for i in parts)
    packed = sum(i.compress_size for i in parts) or 1
    limit = XLSX_LIMITS["unpacked_mb"] * 1e6
    if unpacked > limit:
        raise ExportError(f"Excel文件解压后过大（{unpacked / 1e6:,.0f} MB，上限 {limit / 1e6:,.0f} MB），请另存为CSV / "
                          f"the workbook unpacks to {unpacked / 1e6:,.0f} MB, over the {limit / 1e6:,.0f} MB limit: "
                          "save it as CSV (EMSS_XLSX_MAX_MB raises the limit)")
    if unpacked > 10e6 and unpacked / packed > XLSX_LIMITS["ratio"]:
        raise ExportError(f"Excel文件压缩比异常（{unpacked / packed:,.0f}倍），拒收 / the workbook unpacks "
                          f"{unpacked / packed:,.0f} times its size: refused as malformed")


def read_xlsx(path: Path, header_words: list[str] | None = None) -> Export:
    check_workbook_size(path)
    try:
        book = fastexcel.read_excel(str(path))
        best = None
        for name in book.sheet_names:  # the sheet whose header looks most like an export: its head only
            head = book.load_sheet(name, header_row=None, n_rows=HEADER_SEARCH_ROWS, dtypes="string").to_polars()
            rows = [list(r) for r in head.rows()]
            idx, kind, headers = _header(rows, header_words)
            if idx >= 0:
                score = _scorer(header_words)(headers)[0]
                if best is None or score > best[0]:
                    best = (score, name, idx, kind, headers)
        if best is None:
            raise ExportError("任何工作表中都找不到可识别的表头 / no recognisable header row in any sheet")
        _, name, idx, kind, headers = best
        limit = XLSX_LIMITS["rows"]
        frame = book.load_sheet(name, header_row=None, n_rows=idx + 1 + limit + 1, dtypes="string").to_polars()
    except ExportError:
        raise
    except Exception as e:  # calamine reports zip and format errors in its own words
        raise ExportError(f"无法打开Excel文件 / cannot open as an Excel workbook: {first_line(e, 200)}") from None
    if frame.height > idx + 1 + limit:
        raise ExportError(f"工作表超过 {limit:,} 行，请分多个文件导出 / the sheet has more than {limit:,} rows: "
                          "export it in parts (EMSS_XLSX_MAX_ROWS raises the limit)")
    personal = [h for h in headers if vocabulary.is_personal(h)]
    body = frame.slice(idx + 1).rename(dict(zip(frame.columns, headers)))
    body = body.drop(personal)  # callers' details never leave this function
    body = body.with_row_index("source_row", offset=idx + 2).with_columns(pl.col("source_row").cast(pl.Int32))
    return Export(path, kind, None, name, idx + 1, headers, frame=body, personal=personal)


def _parquet_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """A Parquet file's column names, in order, as DuckDB reads them from the file's footer."""
    return [r[0] for r in con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()]


def read_parquet(path: Path, header_words: list[str] | None = None) -> Export:
    """The column names are the header (there is no header row to find); `header_words` only help
    tell the kind, as for a CSV."""
    con = connect_memory()
    try:
        restrict_file_access(con, [path])  # this look at the footer may read this one file only
        names = _parquet_columns(con, path)
    except duckdb.Error as e:
        raise ExportError(f"无法读取Parquet文件 / cannot read as a Parquet file: {first_line(e, 200)}") from None
    finally:
        con.close()
    if not names:
        raise ExportError("Parquet文件没有列 / the Parquet file has no columns")
    headers = _clean_headers(names)
    kind = vocabulary.header_score(headers)[1]
    return Export(path, kind, None, None, 0, headers, personal=[h for h in headers if vocabulary.is_personal(h)])


def _materialise_parquet(export: Export, con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Columns taken by position (a name in the file may differ from its cleaned header) and read
    under positional names first, as for a CSV: a column called "rowid" would hide DuckDB's rowid."""
    try:
        names = _parquet_columns(con, export.path)
        if len(names) != len(export.headers):
            raise ExportError("Parquet文件在读取时被改动 / the Parquet file changed while it was read")
        picks = ", ".join(f"cast({identifier(n)} as varchar) as c{i}" for i, (n, h) in enumerate(zip(names, export.headers))
                          if h not in export.personal)
        # insertion order is file order, so rowid gives the row number (1-based: no header row)
        con.execute(f"create or replace temp table {_cells(table)} as select {picks or 'null as c_none'} from read_parquet(?)",
                    [str(export.path)])
    except duckdb.Error as e:  # the error may quote a value: only its kind is said
        raise ExportError(f"读取失败 / cannot read the rows: {str(e).split(':', 1)[0].strip()[:60]}") from None
    _name_cells(con, export, table, first_row=1)


def release(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Drop what `materialise` made for `table`."""
    con.execute(f"drop view if exists temp.main.{table}")
    con.execute(f"drop table if exists temp.main.{_cells(table)}")


def _cells(table: str) -> str:
    """The temp table holding the rows `table` (a view) names."""
    return f"{table}_cells"


def _positions(export: Export) -> dict[str, str]:
    """Each kept header's positional column (c0, c1, …) in a file read by position."""
    return {h: f"c{i}" for i, h in enumerate(export.headers) if h not in export.personal}


def _name_cells(con: duckdb.DuckDBPyConnection, export: Export, table: str, first_row: int) -> None:
    """Temp view `table` over the rows read by position into `table`_cells: `source_row` (the cells'
    rowid, which is file order, from `first_row`) and each kept column under its header.

    A view, not a copy under the new names: the copy took 7.6 s of a 10 M-incident ingest, and the
    view's names cost nothing. The cells' columns keep positional names, so that a header such as
    "RowID" hides nothing; rows removed from the cells (blank rows, a totals row) keep the others'
    rowids, so each row keeps its source row."""
    named = ", ".join(f"{c} as {identifier(h)}" for h, c in _positions(export).items())
    con.execute(f"""create or replace temp view {table} as
                    select cast(rowid + {int(first_row)} as integer) as source_row{', ' if named else ''}{named}
                    from {_cells(table)}""")


def read_export(path: str | Path, header_words: list[str] | None = None) -> Export:
    """Look at a file's head: encoding, header row, columns, kind. Refuses a file that cannot be read."""
    path = Path(path)
    if not path.exists():
        raise ExportError(f"文件不存在 / no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, header_words)
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path, header_words)
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(path, header_words)
    raise ExportError(f"不支持的文件类型 {suffix} / unsupported file type {suffix} (use .csv, .xlsx or .parquet)")


def _transcode(path: Path, encoding: str, out_dir: str | Path) -> Path:
    """A UTF-8 copy of a GB18030 or UTF-16 file, written in chunks (iconv when the system has it)."""
    target = Path(out_dir) / f"utf8-{path.stem[:40]}-{os.urandom(4).hex()}.csv"
    source_enc = {"gb18030": "GB18030", "utf-16": "UTF-16"}[encoding]
    if shutil.which("iconv"):
        with open(target, "wb") as out:
            done = subprocess.run(["iconv", "-f", source_enc, "-t", "UTF-8", str(path)], stdout=out,
                                  stderr=subprocess.PIPE)
        if done.returncode == 0:
            return target
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := src.read(1 << 24):
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as e:
                raise ExportError(f"{offset + e.start}字节处无法按{encoding}解码 / cannot decode as {encoding} "
                                  f"at byte {offset + e.start}") from None
            offset += len(chunk)
        out.write(decoder.decode(b"", final=True))
    return target


def _read_error(e: duckdb.Error) -> ExportError:
    """DuckDB's CSV errors quote the offending line, which may hold anything (a caller's phone number):
    the refusal names the line number only."""
    text = str(e)
    line = re.search(r"\bline[:\s]+(\d+)", text, flags=re.IGNORECASE)
    where = f"第{line.group(1)}行附近 / near line {line.group(1)}" if line else "位置未知 / position unknown"
    kind = text.split(":", 1)[0].strip()[:60]
    return ExportError(f"读取失败，{where}: {kind} / cannot read the rows")


def materialise(export: Export, con: duckdb.DuckDBPyConnection, table: str, scratch: str | Path) -> int:
    """Load every data row into temp table `table`_cells, named by temp view `table`: the kept
    headers' columns as text, plus `source_row` (1-based row in the source, as a spreadsheet shows
    it). Blank rows and a totals row at the bottom (合计 …) are left out: they are not records.
    Personal columns are not kept. A transcoded copy, if needed, is written in `scratch` (a private
    folder the caller removes). Returns the row count. `release` drops both."""
    cells = _cells(table)
    if export.frame is not None:
        con.register("_sheet", export.frame)
        con.execute(f"create or replace temp table {cells} as select * from _sheet")
        con.unregister("_sheet")
        con.execute(f"create or replace temp view {table} as select * from {cells}")
    elif export.is_parquet:
        _materialise_parquet(export, con, table)
    else:
        source = export.path
        if export.encoding in ("gb18030", "utf-16"):
            source = _transcode(export.path, export.encoding, scratch)
        # positional names while reading: a header such as "RowID" would hide DuckDB's rowid; the
        # personal columns are parsed (to find where each row ends) but never kept
        columns = {f"c{i}": "VARCHAR" for i in range(len(export.headers))}
        read = f"""
            create or replace temp table {cells} as
            select {', '.join(_positions(export).values()) or 'null as c_none'}
            from read_csv(?, delim = ?, header = false, skip = ?, columns = ?, quote = '"',
                          escape = '"', null_padding = true, strict_mode = false,
                          all_varchar = true, auto_detect = false, parallel = {{parallel}})"""
        args = [str(source), export.delimiter, export.header_row, columns]
        try:  # insertion order is file order, so rowid gives the row number
            try:
                con.execute(read.format(parallel="true"), args)
            except duckdb.Error as e:
                if "parallel=false" not in str(e):
                    raise
                con.execute(read.format(parallel="false"), args)  # quoted line breaks: read in one pass
        except duckdb.Error as e:
            raise _read_error(e) from None
        finally:
            if source != export.path:
                Path(source).unlink(missing_ok=True)  # the copy holds every column, personal ones too
        _name_cells(con, export, table, first_row=export.header_row + 1)
    # blank rows, and a totals row at the bottom, are removed from the cells
    if export.frame is not None:
        kept, row = [identifier(h) for h in export.kept], "source_row"
    else:
        kept, row = list(_positions(export).values()), "rowid"
    if kept:
        nonblank = " or ".join(f"nullif(trim({c}), '') is not null" for c in kept)
        con.execute(f"delete from {cells} where not ({nonblank})")
        first = f"coalesce({', '.join(f'nullif(trim({c}), {chr(39)}{chr(39)})' for c in kept)})"
        con.execute(f"""
            delete from {cells} where {row} in (
                select {row} from {cells} order by {row} desc limit 3
            ) and regexp_matches(lower({first}), ?)""", [_TOTALS])
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]
