"""Read an export file, whatever its encoding or layout, into a table of text.

Every value is read as text: casting is the normaliser's job, so that a value
that does not parse is reported with its row rather than silently becoming null.
The header row is found by looking for known header words, so title rows above
it ("2024年5月出警记录") are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from etl import vocabulary

HEADER_SEARCH_ROWS = 30


class ExportError(Exception):
    """A file that cannot be read at all: the message says what and where, in one line."""


@dataclass
class Export:
    path: Path
    kind: str | None
    encoding: str | None
    sheet: str | None
    header_row: int            # 1-based row of the header in the source
    headers: list[str]
    rows: pl.DataFrame         # all text; column "source_row" = 1-based row in the source


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as e:
        raise ExportError(
            f"{e.start}字节处无法按UTF-8或GB18030解码 / cannot decode as UTF-8 or GB18030 at byte {e.start}"
        ) from None


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
        name = str(c).strip() if c not in (None, "") else f"列{i + 1}"
        if name in seen:  # duplicate header words: keep both, the second with a suffix
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        headers.append(name)
    return headers


def read_csv(path: Path, header_words: list[str] | None = None) -> Export:
    data = path.read_bytes()
    if not data.strip():
        raise ExportError("文件为空 / the file is empty")
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    sample = text[:65536]
    # The delimiter is the one under which some row reads as a known header.
    best = (-1, 0, None, ",", [])
    for delimiter in (",", "\t", ";", "|"):
        head_rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))
        idx, kind = _find_header(head_rows, _scorer(header_words))
        score = _scorer(header_words)(head_rows[idx])[0] if idx >= 0 else 0
        if score > best[1]:
            best = (idx, score, kind, delimiter, head_rows)
    header_idx, _, kind, delimiter, head_rows = best
    if header_idx < 0:
        raise ExportError("找不到可识别的表头 / no recognisable header row in the first 30 rows")
    header_cells = head_rows[header_idx]
    if header_idx > 0:
        header_cells = vocabulary.two_line_headers(head_rows[header_idx - 1], header_cells)
        kind = kind or vocabulary.header_score(header_cells)[1]
    headers = _clean_headers(header_cells)
    body = "\n".join(text.splitlines()[header_idx + 1:])
    frame = pl.read_csv(
        body.encode("utf-8"),
        has_header=False,
        new_columns=headers,
        separator=delimiter,
        infer_schema=False,
        truncate_ragged_lines=True,
    ) if body.strip() else pl.DataFrame({h: [] for h in headers}, schema={h: pl.String for h in headers})
    frame = frame.with_row_index("source_row", offset=header_idx + 2).with_columns(pl.col("source_row").cast(pl.Int32))
    return Export(path, kind, encoding, None, header_idx + 1, headers, frame)


def read_xlsx(path: Path, header_words: list[str] | None = None) -> Export:
    try:
        book = fastexcel.read_excel(str(path))
    except Exception as e:  # calamine reports zip and format errors in its own words
        raise ExportError(f"无法打开Excel文件 / cannot open as an Excel workbook: {e}") from None
    best = None
    for name in book.sheet_names:  # the sheet whose header looks most like an export
        sheet = book.load_sheet(name, header_row=None, dtypes="string")
        frame = sheet.to_polars()
        rows = frame.head(HEADER_SEARCH_ROWS).rows()
        idx, kind = _find_header([list(r) for r in rows], _scorer(header_words))
        if idx >= 0:
            score = _scorer(header_words)(list(rows[idx]))[0]
            if best is None or score > best[0]:
                best = (score, name, frame, idx, kind)
    if best is None:
        raise ExportError("任何工作表中都找不到可识别的表头 / no recognisable header row in any sheet")
    _, name, frame, idx, kind = best
    header_cells = list(frame.row(idx))
    if idx > 0:
        header_cells = vocabulary.two_line_headers(list(frame.row(idx - 1)), header_cells)
        kind = kind or vocabulary.header_score(header_cells)[1]
    headers = _clean_headers(header_cells)
    body = frame.slice(idx + 1).rename(dict(zip(frame.columns, headers)))
    body = body.with_row_index("source_row", offset=idx + 2).with_columns(pl.col("source_row").cast(pl.Int32))
    return Export(path, kind, None, name, idx + 1, headers, body)


_TOTALS = r"^\s*(合计|总计|小计|共计|total|sum)\b"


def _drop_totals(rows: pl.DataFrame) -> pl.DataFrame:
    """A totals row at the bottom (合计 …) is a summary, not a record."""
    data_cols = [c for c in rows.columns if c != "source_row"]
    if rows.height == 0 or not data_cols:
        return rows
    first = pl.coalesce([pl.col(c) for c in data_cols])
    is_total = first.str.to_lowercase().str.contains(_TOTALS)
    tail = rows.tail(3).filter(is_total)
    return rows.filter(~pl.col("source_row").is_in(tail["source_row"].implode())) if tail.height else rows


def read_export(path: str | Path, header_words: list[str] | None = None) -> Export:
    path = Path(path)
    if not path.exists():
        raise ExportError(f"文件不存在 / no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        export = read_xlsx(path, header_words)
    elif suffix in (".csv", ".txt", ".tsv"):
        export = read_csv(path, header_words)
    else:
        raise ExportError(f"不支持的文件类型 {suffix} / unsupported file type {suffix} (use .csv or .xlsx)")
    export.rows = _drop_totals(export.rows)
    # Rows with nothing in them (blank lines, Excel's trailing empties) are not records.
    data_cols = [c for c in export.rows.columns if c != "source_row"]
    if data_cols:
        export.rows = export.rows.filter(
            pl.any_horizontal([pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "") for c in data_cols])
        )
    return export
