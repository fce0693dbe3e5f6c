"""The weekly snapshot (`emss snapshot`): one ISO week's KPIs frozen into a dated folder.

    snapshots/2026-W47/
        manifest.json           the week, the data's cut, the batches included, software, sha256 of every file
        tables/<name>.parquet   each named query's output for the week (and the week before), as `emss query` gives it
        tables/<name>.csv       the same as CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it;
                                text a spreadsheet would run as a formula starts with ', see emss.spreadsheet)
        kpi_2026-W47.xlsx       the workbook: Chinese sheets and headers, number formats, 本周 / 上周 / 变化
        report_2026-W47.html    the report: self-contained, opens offline, prints on A4
        report_2026-W47.pdf     the same report printed by Chromium (skipped, and the manifest says why, without one)

The default week is the last complete week of the *data* (the latest Monday to
Sunday ending on or before the data's as-of date), not of the wall clock, so a
snapshot means the same thing whenever it is taken; `by_clock=True` uses the
week before today's by the city's clock instead. Nothing in the folder depends on
the clock: the time of the cut is when the last loaded batch finished, and the
workbook's and PDF's dates are set to it. The week's KPIs also go to
meta.snapshots (see `history`), where a revised week becomes a new revision.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import polars as pl

from emss import profiles, settings, spreadsheet
from emss.roles import Scope
from emss.snapshot import history
from emss.snapshot.history import DataState, data_state
from emss.snapshot.pdf import PdfOutcome, print_pdf
from emss.snapshot.report import ReportInfo, build_html, draw
from emss.snapshot.tables import TABLES, kpi_values, response_rules, run_tables, summary_rows
from emss.snapshot.week import Week, last_complete_week, last_complete_week_by_clock, parse_week
from emss.snapshot.workbook import write_workbook
from warehouse.build import recorded_profile
from warehouse.connection import open_reader

__all__ = ["Snapshot", "Week", "parse_week", "take", "record_week", "snapshots_dir", "pack_zip"]

MANIFEST = "manifest.json"
FORMAT = "emss-snapshot/1"
DEFAULT_DIR = Path("snapshots")


def snapshots_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Where snapshot folders go: explicit argument, then EMSS_SNAPSHOTS, then snapshots/ here."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("EMSS_SNAPSHOTS")
    return Path(env) if env else DEFAULT_DIR


def software_versions() -> dict[str, str]:
    names = ("emss", "duckdb", "polars", "pyarrow", "plotly", "xlsxwriter")
    return {n: metadata.version(n) for n in names}


@dataclass
class Snapshot:
    week: Week
    revision: int
    new_revision: bool      # False: the week's figures equal its latest revision, nothing was recorded
    folder: Path | None = None
    pdf: PdfOutcome | None = None
    manifest: dict = field(default_factory=dict)


def _pick_week(state: DataState, week: Week | str | None, by_clock: bool) -> Week:
    if isinstance(week, str):
        week = parse_week(week)
    if week is None:
        week = last_complete_week_by_clock() if by_clock else last_complete_week(state.as_of)
    if week.end > state.as_of:
        raise ValueError(f"week {week} ends on {week.end}, after the data's as-of date {state.as_of}: "
                         "it is not complete in the data")
    return week


def _compute(warehouse: Path, week: Week | str | None, by_clock: bool, district: str | None = None):
    """The week's state, tables, rules and revision. A district's pack (`district`) holds its tables to
    the district, as a district account sees them, and records nothing: the history is the city's."""
    scope = Scope("district", (district,)) if district else None
    con = open_reader(warehouse)
    try:
        city = recorded_profile(con)
        if city is not None:
            profiles.use(city)  # the warehouse's city: its clock, districts and words in the pack
        state = data_state(con)
        week = _pick_week(state, week, by_clock)
        if district and district not in profiles.current().districts:
            raise ValueError(f"{district}: 不是本市的区 / no district of {profiles.current().name_zh}: "
                             + ", ".join(profiles.current().districts))
        tables = run_tables(con, week, scope)
        rules = response_rules(con)
        values = kpi_values(tables, week)
        revision, previous = history.latest_revision(con, week)
    finally:
        con.close()
    if district:
        return state, week, tables, rules, revision, False
    new = not revision or not history.unchanged(previous, values)
    if new:
        revision, new = history.record(warehouse, week, values, state)
    return state, week, tables, rules, revision, new


def record_week(warehouse: str | os.PathLike, week: Week | str | None = None, *, by_clock: bool = False) -> Snapshot:
    """Keep the week's KPIs in meta.snapshots without writing a folder."""
    _, week, _, _, revision, new = _compute(Path(warehouse), week, by_clock)
    return Snapshot(week, revision, new)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _json_ready(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _write_folder(folder: Path, week: Week, state: DataState, tables: dict[str, pl.DataFrame],
                  rules: settings.ResponseRules, revision: int, *, pdf: bool, lang: str,
                  district: str | None = None) -> tuple[dict, PdfOutcome]:
    software = software_versions()
    (folder / "tables").mkdir(parents=True)
    for stem, frame in tables.items():
        frame.write_parquet(folder / "tables" / f"{stem}.parquet", compression="zstd")
        (folder / "tables" / f"{stem}.csv").write_bytes(spreadsheet.csv_bytes(frame))

    info = ReportInfo(week=week, as_of=state.as_of, cut_at=state.cut_at, revision=revision,
                      data_version=state.version, batches=state.batches, software=software["emss"], rules=rules)
    summary = summary_rows(tables, week)
    write_workbook(folder / f"kpi_{week.label}.xlsx", tables, summary, info, lang)
    html_file = folder / f"report_{week.label}.html"
    drawn = draw(tables, week, lang, rules.default_target_s)
    html_file.write_text(build_html(tables, summary, info, drawn, lang), encoding="utf-8")

    when = state.cut_at or dt.datetime.combine(state.as_of, dt.time())
    if pdf:
        outcome = print_pdf(html_file, folder / f"report_{week.label}.pdf", when, expected_figures=len(drawn))
    else:
        outcome = PdfOutcome(False, "not asked for (--no-pdf)")
    if outcome.written:
        software["chromium"] = outcome.browser

    manifest = {
        "format": FORMAT,
        "week": week.label,
        "week_start": week.start.isoformat(),
        "week_end": week.end.isoformat(),
        "previous_week": week.previous().label,
        "timezone": profiles.current().timezone,
        "city": {"name_zh": profiles.current().name_zh, "name_en": profiles.current().name_en},
        "district": district,  # a district's pack: every table held to it; None: the whole city
        "data_as_of": state.as_of.isoformat(),
        "cut_at": state.cut_at.isoformat() if state.cut_at else None,
        "revision": revision,
        "data_version": state.version,
        "batches": [b.as_dict() for b in state.batches],
        "software": software,
        "language": lang,
        "tables": {
            spec.stem: {
                "query": spec.query,
                "params": {w.label: {k: _json_ready(v) for k, v in spec.params(w).items()}
                           for w in ((week, week.previous()) if spec.both_weeks else (week,))},
            }
            for spec in TABLES
        },
        "pdf": {"written": outcome.written, **({"skipped_because": outcome.reason} if not outcome.written else {})},
        "files": {
            p.relative_to(folder).as_posix(): {"sha256": _sha256(p), "bytes": p.stat().st_size}
            for p in sorted(folder.rglob("*")) if p.is_file()
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return manifest, outcome


def take(warehouse: str | os.PathLike, week: Week | str | None = None, out_dir: str | os.PathLike | None = None,
         *, by_clock: bool = False, pdf: bool = True, lang: str = "zh", district: str | None = None) -> Snapshot:
    """Snapshot one week: record its KPIs in the warehouse and write its folder under `out_dir`.
    With `district`, the district's pack (folder `<week>-<district>`): its tables only, nothing recorded.

    The folder is written beside its final place and renamed into it, so it is
    never seen half written and keeps no file from an earlier run.
    """
    state, week, tables, rules, revision, new = _compute(Path(warehouse), week, by_clock, district)
    root = snapshots_dir(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = f"{week.label}-{district}" if district else week.label
    folder = root / name
    staging = root / f".{name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        manifest, outcome = _write_folder(staging, week, state, tables, rules, revision, pdf=pdf, lang=lang,
                                          district=district)
        old = root / f".{name}.old-{os.getpid()}"
        if folder.exists():
            folder.rename(old)
        staging.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Snapshot(week, revision, new, folder, outcome, manifest)


def pack_zip(folder: Path) -> bytes:
    """The snapshot folder as a zip (entries sorted, fixed dates: the same folder gives the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, path.read_bytes())
    return buffer.getvalue()
