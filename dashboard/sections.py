"""Pieces that more than one page draws: the page header and the response KPI row."""

from __future__ import annotations

import streamlit as st

from dashboard import data, i18n
from dashboard.filters import Filters, period_caption

MIN_ARRIVALS = 30  # below this, a rate or a 90th percentile says little (field practice)


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
    arrived = int(kpi.get("arrived") or 0)
    if 0 < arrived < MIN_ARRIVALS:
        st.warning(i18n.t("small_sample", n=arrived, min=MIN_ARRIVALS))
