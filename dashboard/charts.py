"""Plotly figures for the pages: a query's frame in, a figure out, labels in the chosen language.

No figure here computes a KPI; each draws what a named query returned. Axes in
seconds carry minute ticks, so the 5-minute target sits at x = 300.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from dashboard import i18n
from emss import categories
from emss.config import TARGET_RESPONSE_S

# One colour per station type, shared by the charts and the map legend.
STATION_TYPE_RGB: dict[str, tuple[int, int, int]] = {
    "street_center": (214, 39, 40),
    "industrial_park": (255, 127, 14),
    "mall": (148, 103, 189),
    "community": (31, 119, 180),
    "small": (44, 160, 44),
    "hospital": (227, 119, 194),
    "other": (127, 127, 127),
}
UNKNOWN_RGB = (90, 90, 90)
WITHIN_COLOUR = "#2e7d32"
BEYOND_COLOUR = "#ef6c00"
TARGET_COLOUR = "#c62828"
OPENED_COLOUR = "#1f77b4"
TARGET_BAR_COLOUR = "#b0bec5"
BIN_S = 30
LAST_BIN_S = 1200  # response/histogram puts everything from 20 minutes up in this bin


def hex_colour(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def station_type_colour(code: str) -> tuple[int, int, int]:
    return STATION_TYPE_RGB.get(code, UNKNOWN_RGB)


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 80, "b": 10},
        # legend above the plot: below it, it collides with long (English) tick labels
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hovermode="closest",
    )
    return fig


def target_status(opened: int, target: int | None, lang: str) -> str:
    """超额完成 / 已完成 / 未完成 / 无目标 for one station type."""
    if target is None or target == 0:
        return i18n.text("status_over", lang) if opened > 0 and target == 0 else i18n.text("status_no_target", lang)
    if opened > target:
        return i18n.text("status_over", lang)
    if opened == target:
        return i18n.text("status_done", lang)
    return i18n.text("status_behind", lang)


def target_bars(vs_target: pl.DataFrame, lang: str) -> go.Figure:
    """Grouped bars: stations opened this year against the year's target, per type (stations/vs_target)."""
    year = vs_target["year"][0] if vs_target.height else ""
    rows = vs_target.to_dicts()
    x = [i18n.label("station_type", r["station_type"], lang) for r in rows]
    opened = [int(r["opened_this_year"] or 0) for r in rows]
    target = [None if r["target_count"] is None else int(r["target_count"]) for r in rows]
    fig = go.Figure()
    fig.add_bar(name=i18n.text("series_opened", lang), x=x, y=opened, marker_color=OPENED_COLOUR,
                text=opened, textposition="outside")
    fig.add_bar(name=i18n.text("series_target", lang), x=x, y=[t or 0 for t in target],
                marker_color=TARGET_BAR_COLOUR, text=[i18n.DASH if t is None else t for t in target],
                textposition="outside")
    # over-achievement said in words above the pair of bars
    for label, o, t in zip(x, opened, target):
        if t is not None and o > t:
            fig.add_annotation(x=label, y=max(o, t), yshift=28, showarrow=False,
                               text=f"<b>{i18n.text('status_over', lang)} +{o - t}</b>",
                               font={"color": WITHIN_COLOUR})
    fig.update_layout(barmode="group", yaxis_title=i18n.text("axis_stations", lang))
    fig.update_yaxes(rangemode="tozero")
    top = max(opened + [t or 0 for t in target] + [1])
    fig.update_yaxes(range=[0, top * 1.35 + 1])
    return _layout(fig, i18n.text("chart_target_title", lang, year=year))


def _minute_ticks(upper_s: int, lang: str, last_bin: bool) -> tuple[list[int], list[str]]:
    """Ticks every minute (every two past 20 minutes); the open last bin gets its own '≥20 min' tick."""
    step = 60 if upper_s <= LAST_BIN_S + BIN_S else 120
    vals = [v for v in range(0, upper_s + 1, step) if not (last_bin and v >= LAST_BIN_S)]
    text = [i18n.fmt_minutes(v, lang) for v in vals]
    if last_bin:
        vals.append(LAST_BIN_S + BIN_S // 2)
        text.append(i18n.text("hist_last_bin", lang))
    return vals, text


def response_histogram(hist: pl.DataFrame, lang: str) -> go.Figure:
    """Incidents per 30-second bin of call-to-first-arrival (response/histogram), with the 300 s target line.

    Two bar traces, bins within the target and bins beyond it, so the legend says which is which.
    """
    fig = go.Figure()
    centres: list[int] = []
    for within, name, colour in ((True, "hist_within", WITHIN_COLOUR), (False, "hist_beyond", BEYOND_COLOUR)):
        rows = [r for r in hist.to_dicts() if bool(r["is_within_target"]) == within]
        x = [int(r["bin_start_s"]) + BIN_S // 2 for r in rows]
        centres += x
        ranges = []
        for r in rows:
            lo = int(r["bin_start_s"])
            if lo >= LAST_BIN_S:
                ranges.append(i18n.text("hover_last_bin", lang, lo=i18n.fmt_duration(lo, lang)))
            else:
                ranges.append(i18n.text("hover_bin", lang, lo=i18n.fmt_duration(lo, lang),
                                        hi=i18n.fmt_duration(lo + BIN_S, lang)))
        fig.add_bar(
            x=x, y=[int(r["incidents"]) for r in rows], width=[BIN_S * 0.92] * len(rows),
            marker_color=colour, name=i18n.text(name, lang), customdata=ranges,
            hovertemplate="%{customdata}<br>" + i18n.text("axis_incidents", lang) + ": %{y}<extra></extra>",
        )
    fig.add_vline(x=TARGET_RESPONSE_S, line_dash="dash", line_color=TARGET_COLOUR, line_width=2,
                  annotation_text=i18n.text("target_line", lang), annotation_position="top right",
                  annotation_font_color=TARGET_COLOUR)
    upper = max([c + BIN_S // 2 for c in centres] + [TARGET_RESPONSE_S + 60])
    vals, text = _minute_ticks(min(upper, LAST_BIN_S), lang, any(c > LAST_BIN_S for c in centres))
    fig.update_xaxes(title=i18n.text("axis_response", lang), tickvals=vals, ticktext=text,
                     range=[0, upper + 10])
    fig.update_yaxes(title=i18n.text("axis_incidents", lang))
    fig.update_layout(bargap=0, barmode="overlay")
    return _layout(fig, i18n.text("chart_hist_title", lang))


def _week_labels(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str) -> list[str]:
    out = []
    for w in trend["week_start"].to_list():
        partial = w < start or w + dt.timedelta(days=6) > end
        out.append(w.isoformat() + (i18n.text("partial_week", lang) if partial else ""))
    return out


def _week_axis(fig: go.Figure, trend: pl.DataFrame, lang: str) -> None:
    """One tick per week on its Monday while that stays readable; plotly's own ticks otherwise."""
    weeks = trend["week_start"].to_list()
    ticks = {"tickvals": weeks, "ticktext": [w.isoformat() for w in weeks]} if len(weeks) <= 12 else {}
    fig.update_xaxes(title=i18n.text("axis_week", lang), tickformat="%Y-%m-%d", **ticks)


def weekly_rate(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str) -> go.Figure:
    """The 5-minute arrival rate per ISO week (response/weekly_trend)."""
    labels = _week_labels(trend, start, end, lang)
    rate = trend["within_target_rate"].to_list()
    fig = go.Figure()
    fig.add_scatter(
        x=trend["week_start"].to_list(), y=rate, mode="lines+markers", name=i18n.text("axis_rate", lang),
        line_color=OPENED_COLOUR,
        customdata=list(zip(labels, trend["arrived"].to_list(), [i18n.fmt_pct(r) for r in rate])),
        hovertemplate="%{customdata[0]}<br>" + i18n.text("axis_rate", lang)
        + ": %{customdata[2]}<br>" + i18n.text("col_arrived", lang) + ": %{customdata[1]}<extra></extra>",
    )
    fig.update_yaxes(title=i18n.text("axis_rate", lang), tickformat=".0%", range=[0, 1.02])
    _week_axis(fig, trend, lang)
    return _layout(fig, i18n.text("chart_trend_rate_title", lang), height=340)


def weekly_p90(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str) -> go.Figure:
    """The 90th percentile response time per ISO week against the 300 s target (response/weekly_trend)."""
    labels = _week_labels(trend, start, end, lang)
    p90 = trend["p90_response_s"].to_list()
    fig = go.Figure()
    fig.add_scatter(
        x=trend["week_start"].to_list(), y=p90, mode="lines+markers", name=i18n.text("col_p90", lang),
        line_color=BEYOND_COLOUR,
        customdata=list(zip(labels, [i18n.fmt_duration(v, lang) for v in p90])),
        hovertemplate="%{customdata[0]}<br>" + i18n.text("col_p90", lang) + ": %{customdata[1]}<extra></extra>",
    )
    fig.add_hline(y=TARGET_RESPONSE_S, line_dash="dash", line_color=TARGET_COLOUR,
                  annotation_text=i18n.text("target_line", lang), annotation_position="bottom right",
                  annotation_font_color=TARGET_COLOUR)
    top = max([v for v in p90 if v is not None] + [TARGET_RESPONSE_S]) * 1.15
    step = 60 if top <= 1200 else 300
    vals = list(range(0, int(top) + step, step))
    fig.update_yaxes(title=i18n.text("axis_p90_min", lang), range=[0, top], tickvals=vals,
                     ticktext=[i18n.fmt_minutes(v, lang) for v in vals])
    _week_axis(fig, trend, lang)
    return _layout(fig, i18n.text("chart_trend_p90_title", lang), height=340)


def district_type_bars(by_district: pl.DataFrame, as_of: dt.date, lang: str) -> go.Figure:
    """Stacked bars of stations in service per district, one colour per station type (stations/by_district)."""
    totals: dict[str, int] = {}
    for r in by_district.iter_rows(named=True):
        totals[r["district"]] = totals.get(r["district"], 0) + int(r["in_service"])
    order = sorted(totals, key=lambda d: -totals[d])
    x_labels = [i18n.label("district", d, lang) for d in order]
    fig = go.Figure()
    for code in categories.STATION_TYPES:
        part = by_district.filter(pl.col("station_type") == code)
        if part.height == 0:
            continue
        counts = dict(zip(part["district"].to_list(), part["in_service"].to_list()))
        fig.add_bar(name=i18n.label("station_type", code, lang), x=x_labels,
                    y=[int(counts.get(d, 0)) for d in order],
                    marker_color=hex_colour(station_type_colour(code)))
    fig.update_layout(barmode="stack", yaxis_title=i18n.text("axis_stations", lang))
    return _layout(fig, i18n.text("chart_by_district_title", lang, date=as_of.isoformat()), height=400)
