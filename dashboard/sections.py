"""Pieces that more than one page draws: the page header, the response KPI row and the build-out table."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data, i18n
from dashboard.filters import Filters, period_caption
from emss import figures


def header(title_key: str, f: Filters, query_names: list[str]) -> None:
    """Title, the data's as-of date, the period and scope, and the named queries the page uses."""
    st.title(i18n.t(title_key))
    rng = data.data_range()
    st.caption(i18n.t("as_of", date=i18n.fmt_date(rng.as_of)) + " · " + period_caption(f))
    st.caption(i18n.t("queries_used", names=", ".join(f"`{n}`" for n in query_names)))


def response_kpis(kpi: dict, *, with_incident_counts: bool) -> None:
    """The 5-minute rate always with its count, the median and the 90th percentile (response/kpi)."""
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
    for col, (label, value, help_text) in zip(st.columns(len(cells)), cells):
        col.metric(label, value, help=help_text, border=True)
    # the smallest sample worth judging, as the warehouse's rules say (response/kpi carries it)
    arrived, min_sample = int(kpi.get("arrived") or 0), kpi.get("min_sample")
    if min_sample and 0 < arrived < min_sample:
        st.warning(i18n.t("small_sample", n=arrived, min=min_sample))


def build_totals(vs_target: pl.DataFrame) -> dict:
    """Stations in service, opened this year and the year's target over the shown types (stations/vs_target)."""
    has_target = vs_target.height > 0 and vs_target["target_count"].is_not_null().any()
    return {
        "in_service": int(vs_target["in_service"].sum()) if vs_target.height else 0,
        "opened": int(vs_target["opened_this_year"].sum()) if vs_target.height else 0,
        "has_target": has_target,
        "target": int(vs_target["target_count"].fill_null(0).cast(pl.Int64).sum()) if has_target else None,
    }


def build_table(vs_target: pl.DataFrame, lang: str, *, with_pace: bool = False) -> pl.DataFrame:
    """The build-out table by station type with its total row, as the Overview and the Stations page
    both show it (with_pace adds the due-by-now and projected year-end columns)."""
    def one_decimal(x: object) -> float | None:
        return None if x is None else round(float(x), 1)

    def row(label, in_service, opened, target, expected=None, projected=None) -> dict:
        out = {
            i18n.t("col_station_type"): label,
            i18n.t("col_in_service"): in_service,
            i18n.t("col_opened_this_year"): opened,
            i18n.t("col_target"): target,
            i18n.t("col_progress"): i18n.fmt_pct(opened / target, 0) if target else i18n.DASH,
        }
        if with_pace:
            out[i18n.t("col_expected_to_date")] = one_decimal(expected)
            out[i18n.t("col_projected_year_end")] = one_decimal(projected)
        out[i18n.t("col_status")] = figures.target_status(opened, target, lang)
        return out

    rows = []
    for r in vs_target.iter_rows(named=True):
        target = None if r["target_count"] is None else int(r["target_count"])
        rows.append(row(i18n.label("station_type", r["station_type"]), int(r["in_service"]), int(r["opened_this_year"]),
                        target, r.get("expected_to_date"), r.get("projected_year_end")))
    totals = build_totals(vs_target)
    expected = vs_target["expected_to_date"].sum() if with_pace and totals["has_target"] else None
    projected = float(vs_target["projected_year_end"].sum()) if with_pace and vs_target.height else None
    rows.append(row(i18n.t("total"), totals["in_service"], totals["opened"], totals["target"], expected, projected))
    return pl.DataFrame(rows, strict=False)
