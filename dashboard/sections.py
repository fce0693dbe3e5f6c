"""Pieces that more than one page draws: the page header, the response KPI row and the build-out table;
and the Overview's verdicts (status colours, build-out pace)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, i18n
from dashboard.filters import Filters, period_caption
from emss import figures, tables
from emss.tables import COUNT, NUMBER, RATE, Column


def header(title_key: str, f: Filters, query_names: list[str]) -> None:
    """Title, the data's as-of date, the period and scope, and the named queries the page uses."""
    st.title(i18n.t(title_key))
    rng = data.data_range()
    st.caption(i18n.t("as_of", date=i18n.fmt_date(rng.as_of)) + " · " + period_caption(f))
    st.caption(i18n.t("queries_used", names=", ".join(f"`{n}`" for n in query_names)))
    # what each figure counts and leaves out, one click away on every page (every role has the page)
    st.page_link("app_pages/definitions.py", label=i18n.t("definitions_link"))


def response_kpis(kpi: dict, *, with_incident_counts: bool, wrap: bool = False) -> None:
    """The 5-minute rate always with its count, the median and the 90th percentile (response/kpi).

    wrap: lay the metrics out in a row that wraps when they do not fit (each as wide as its value
    needs, so none is cut with "…" on a narrow screen) instead of equal columns."""
    cells = [
        (i18n.t("kpi_rate"), i18n.fmt_pct(kpi.get("within_target_rate")), i18n.t("kpi_rate_help")),
        (i18n.t("kpi_within_count"),
         f"{i18n.fmt_int(kpi.get('within_target'))} / {i18n.fmt_int(kpi.get('arrived'))}",
         i18n.t("kpi_within_count_help")),
        (i18n.t("kpi_p50"), i18n.fmt_duration(kpi.get("p50_response_s")), None),
        (i18n.t("kpi_p90"), i18n.fmt_duration(kpi.get("p90_response_s")), i18n.t("kpi_p90_help")),
    ]
    if with_incident_counts:
        cells.append((i18n.t("kpi_without_arrival"), i18n.fmt_int(kpi.get("without_arrival")),
                      i18n.t("kpi_without_arrival_help")))
    if wrap:
        row = tile_row()
        for label, value, help_text in cells:
            row.metric(label, value, help=help_text, border=True)
    else:
        for col, (label, value, help_text) in zip(st.columns(len(cells)), cells):
            col.metric(label, value, help=help_text, border=True)
    # the smallest sample worth judging, as the warehouse's rules say (response/kpi carries it)
    arrived, min_sample = int(kpi.get("arrived") or 0), kpi.get("min_sample")
    if min_sample and 0 < arrived < min_sample:
        st.warning(i18n.t("small_sample", n=arrived, min=min_sample))


def tile_row():
    """A row for metric tiles that wraps when they do not fit (draw them in order: `row.metric(...)`).
    Unlike `st.columns(n)`, which cuts a long label, value or sub-line with "…" on a narrow screen, each
    tile is at least as wide as its label, value and sub-line need, and the tiles of a line share the rest."""
    return st.container(horizontal=True, gap="small", vertical_alignment="distribute")


# Streamlit's front end tells a page's blocks and unnamed elements apart by their place on it: a part that
# comes or goes above them moves every one after it, and the browser builds each anew (a map's drawing set
# up from scratch, each chart laid out again). The two places below keep the rest where it was.

def notice_place():
    """A place for a notice that shows only sometimes (fill it with `.info(...)`, `.error(...)`): drawn
    empty otherwise, so that the parts after it keep their places."""
    return st.empty()


def either_or():
    """A container for a section that shows either a table or a notice saying there is none: one part
    of the page either way, so that the parts after it keep their places (`with sections.either_or():`)."""
    return st.container()


def build_totals(vs_target: pl.DataFrame) -> dict:
    """Stations in service, opened this year and the year's target over the shown types (stations/vs_target)."""
    has_target = vs_target.height > 0 and vs_target["target_count"].is_not_null().any()
    return {
        "in_service": int(vs_target["in_service"].sum()) if vs_target.height else 0,
        "opened": int(vs_target["opened_this_year"].sum()) if vs_target.height else 0,
        "has_target": has_target,
        "target": int(vs_target["target_count"].fill_null(0).cast(pl.Int64).sum()) if has_target else None,
    }


def build_outline(vs_target: pl.DataFrame, lang: str, *, with_pace: bool = False) -> tables.Table:
    """The build-out table by station type with its total row, as the Overview and the Stations page
    both show it (with_pace adds the due-by-now and projected year-end columns)."""
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    rows = [{
        "label": i18n.label("station_type", r["station_type"], lang), "in_service": r["in_service"],
        "opened": r["opened_this_year"], "target": r["target_count"],
        "expected": r.get("expected_to_date"), "projected": r.get("projected_year_end"),
    } for r in vs_target.iter_rows(named=True)]
    totals = build_totals(vs_target)
    rows.append({
        "label": t("total"), "in_service": totals["in_service"], "opened": totals["opened"], "target": totals["target"],
        "expected": vs_target["expected_to_date"].sum() if with_pace and totals["has_target"] else None,
        "projected": float(vs_target["projected_year_end"].sum()) if with_pace and vs_target.height else None,
    })
    pace = [Column(t("col_expected_to_date"), "expected", NUMBER, digits=1),
            Column(t("col_projected_year_end"), "projected", NUMBER, digits=1)] if with_pace else []
    return tables.build(rows, [
        Column(t("col_station_type"), "label"),
        Column(t("col_in_service"), "in_service", COUNT),
        Column(t("col_opened_this_year"), "opened", COUNT),
        Column(t("col_target"), "target", COUNT),
        Column(t("col_progress"), lambda r: int(r["opened"]) / int(r["target"]) if r["target"] else None, RATE, digits=0),
        *pace,
        Column(t("col_status"), lambda r: figures.target_status(int(r["opened"]),
                                                                None if r["target"] is None else int(r["target"]), lang)),
    ], lang)


def build_table(vs_target: pl.DataFrame, lang: str, *, with_pace: bool = False) -> pl.DataFrame:
    """`build_outline` as a plain frame, for a page drawing it with st.dataframe itself: numbers as
    numbers, the progress as the formatter writes it. Prefer `export.show(build_outline(...))`."""
    table = build_outline(vs_target, lang, with_pace=with_pace)
    progress = i18n.text("col_progress", lang)
    return table.frame.with_columns(tables.display(table)[progress])


# ---- the Overview's verdicts ---------------------------------------------------------

# Status colours (Streamlit's named colours) and their bands. A rate (higher is better) is met at or
# above its target and near up to NEAR_POINTS below it; a time (lower is better) is met at or under
# its target and near up to NEAR_SHARE over it; build-out is judged as a rate: the share of the
# year's target opened against the share due by now. Anything else is "below" (red).
STATUS_COLOURS = {"met": "green", "near": "orange", "below": "red"}
NEAR_POINTS = 0.05
NEAR_SHARE = 0.10


def rate_status(rate: float | None, target: float | None) -> str | None:
    """met | near | below for a rate against its target (None when either is unknown)."""
    if rate is None or target is None:
        return None
    gap = round(float(target) - float(rate), 6)  # rounded: 0.85 is within 5 points of 0.9
    return "met" if gap <= 0 else "near" if gap <= NEAR_POINTS else "below"


def time_status(seconds: float | None, target_s: float | None) -> str | None:
    """met | near | below for a time against its target (None when either is unknown)."""
    if seconds is None or not target_s:
        return None
    over = float(seconds) - float(target_s)
    return "met" if over <= 0 else "near" if over <= float(target_s) * NEAR_SHARE else "below"


def coloured(text: str, status: str | None) -> str:
    """`text` (the page's own words or numbers, never data) in its status colour, as Streamlit markdown."""
    colour = STATUS_COLOURS.get(status or "")
    return f":{colour}[{text}]" if colour else text


def build_pace(vs_target: pl.DataFrame) -> dict | None:
    """This year's build-out against the straight line through the year, in whole stations, over the
    shown types: stations/vs_target's expected_to_date and projected_year_end summed as the Stations
    page sums them. `behind` is due minus opened (negative: ahead); `year_end_gap` the projection
    minus the target (negative: short); `status` judges opened/target against due/target as a rate.
    None when the types shown have no target."""
    totals = build_totals(vs_target)
    if not totals["has_target"]:
        return None
    due = round(float(vs_target["expected_to_date"].sum()))
    projected = round(float(vs_target["projected_year_end"].sum()))
    opened, target = totals["opened"], totals["target"]
    status = ("met" if opened >= due else rate_status(opened / target, due / target)) if target else "met"
    return {"due": due, "opened": opened, "behind": due - opened, "target": target,
            "projected": projected, "year_end_gap": projected - target, "status": status}
