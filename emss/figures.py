"""Figures: a named query's frame in, a figure out, words in the language asked for.

Every chart of the dashboard is a Vega-Lite spec (`*_vega`), which Streamlit draws itself: a page
with a Plotly chart waits for Plotly's library before it shows anything (see `target_bars_vega`).
The weekly report (emss/snapshot/report.py), one offline HTML file, draws the Plotly figures.
Nothing here knows Streamlit or who is looking: every builder takes `lang` (words from
`emss.messages`), and every figure with a target line takes the target (`target_s`) from its caller,
who reads it from the rules the warehouse was built with (the `response/rules` query).

No figure here computes a KPI; each draws what a named query returned. Axes in seconds carry
minute ticks, so a 5-minute target sits at x = 300.

Text from the data (a station, a district or type kept as written, an incident number):
- Plotly draws `<a href>`, `<b>` and other tags in any text it shows, so it goes through `literal`
  before it becomes a label, a legend entry, hover text or a title;
- Vega draws every text as written, so it goes in unchanged, and only into the data rows, never into
  a spec, where a string can be a field path or an expression.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

import plotly.graph_objects as go
import polars as pl

from emss import categories, messages, tables

# ---- text from the data, as Plotly should draw it -------------------------------------------

# Line breaks and tabs: one space (Plotly would draw them as <br>).
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def literal(value: object) -> str:
    """`value` as text Plotly draws literally (None -> ""): its pseudo-HTML tags (`<a href>`,
    `<br>`, `<b>`, `<span style>`, ...) are split off before entities are decoded, so
    `&lt;a&gt;` shows as `<a>`; line breaks would become `<br>`, so they become spaces."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", str(value)).strip()
    return "".join(_ENTITIES.get(ch, ch) for ch in text)


# ---- colours ----------------------------------------------------------------------------------

# One colour per station type, shared by the charts and the map legend.
STATION_TYPE_RGB: dict[str, tuple[int, int, int]] = {
    "street_center": (140, 86, 75),  # no red: red is kept for "bad" and for "this station"
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
        return messages.text("status_over", lang) if opened > 0 and target == 0 else messages.text("status_no_target", lang)
    if opened > target:
        return messages.text("status_over", lang)
    if opened == target:
        return messages.text("status_done", lang)
    return messages.text("status_behind", lang)


def _target_pairs(vs_target: pl.DataFrame, lang: str) -> tuple[int | str, list[tuple[str, int, int | None]]]:
    """The year and, per station type in the query's order, (type as the reader says it, opened this
    year, the year's target or None): what both renderings of the build-out chart draw."""
    year = vs_target["year"][0] if vs_target.height else ""
    return year, [(messages.label("station_type", r["station_type"], lang), int(r["opened_this_year"] or 0),
                   None if r["target_count"] is None else int(r["target_count"])) for r in vs_target.to_dicts()]


def target_bars(vs_target: pl.DataFrame, lang: str) -> go.Figure:
    """Grouped bars: stations opened this year against the year's target, per type (stations/vs_target)."""
    year, pairs = _target_pairs(vs_target, lang)
    x = [literal(label) for label, _, _ in pairs]
    opened = [o for _, o, _ in pairs]
    target = [t for _, _, t in pairs]
    fig = go.Figure()
    fig.add_bar(name=messages.text("series_opened", lang), x=x, y=opened, marker_color=OPENED_COLOUR,
                text=opened, textposition="outside")
    fig.add_bar(name=messages.text("series_target", lang), x=x, y=[t or 0 for t in target],
                marker_color=TARGET_BAR_COLOUR, text=[messages.DASH if t is None else t for t in target],
                textposition="outside")
    # over-achievement said in words above the pair of bars
    for label, o, t in zip(x, opened, target):
        if t is not None and o > t:
            fig.add_annotation(x=label, y=max(o, t), yshift=28, showarrow=False,
                               text=f"<b>{messages.text('status_over', lang)} +{o - t}</b>",
                               font={"color": WITHIN_COLOUR})
    fig.update_layout(barmode="group", yaxis_title=messages.text("axis_stations", lang))
    fig.update_yaxes(rangemode="tozero")
    fig.update_yaxes(range=[0, _target_top(pairs)])
    return _layout(fig, messages.text("chart_target_title", lang, year=year))


def _target_top(pairs: list[tuple[str, int, int | None]]) -> float:
    """The count axis' top: room above the tallest bar for its number and the over-achievement words."""
    return max([o for _, o, _ in pairs] + [t or 0 for _, _, t in pairs] + [1]) * 1.35 + 1


def _vega_frame(title: str | None, height: int, lang: str) -> dict:
    """A Vega-Lite chart's title (if any) and height; Streamlit fits the whole chart in the height, so
    English, whose category labels slant, gets more."""
    frame = {"height": height if lang == "zh" else height + 80}
    if title and len(title) > 60:  # a long (English) title wraps rather than being cut short
        title = textwrap.wrap(title, 60)
    return {"title": {"text": title, "anchor": "start"}, **frame} if title else frame


def _vega_categories(field: str, lang: str) -> dict:
    """A category axis in the rows' `rank` order. Chinese names are a few characters and stand level;
    English ones slant, so that every one shows whole at 1024 px."""
    return {"field": field, "type": "nominal", "sort": {"field": "rank", "op": "min"}, "title": None,
            "axis": {"labelAngle": 0} if lang == "zh" else {"labelAngle": -40, "labelLimit": 300, "labelOverlap": False}}


def _vega_legend(lang: str, columns: int | None = None, columns_en: int = 1) -> dict:
    """A legend above the chart with its entries whole: Chinese ones stand in a row, or in `columns`;
    English names are long, so there they stand in `columns_en` (one under another by default)."""
    legend = {"orient": "top", "labelLimit": 400}
    if lang != "zh" or columns:
        legend["columns"] = columns if lang == "zh" else columns_en
    return legend


def target_bars_vega(vs_target: pl.DataFrame, lang: str) -> dict:
    """The build-out chart of `target_bars` as a Vega-Lite spec, for the Overview.

    It is the Overview's only chart, and in the browser Plotly's library takes about a second to
    load, during which nothing of the page shows (its first screen, the verdict tiles, waits for it). Streamlit draws Vega-Lite itself, as it draws the tiles' sparklines, so
    the Overview shows this chart without loading Plotly. Vega draws every text as written (no
    markup), so the names go in as they are, without `literal`, and only as data: the spec itself holds
    none of them (the types' order is a `rank` field, not a list of names).
    """
    year, pairs = _target_pairs(vs_target, lang)
    opened_name, target_name = messages.text("series_opened", lang), messages.text("series_target", lang)
    rows = []
    for rank, (label, o, t) in enumerate(pairs):  # rank: the types in the query's order
        over = f"{messages.text('status_over', lang)} +{o - t}" if t is not None and o > t else ""
        rows.append({"type": label, "rank": rank, "series": opened_name, "n": o, "shown": str(o), "over": over})
        rows.append({"type": label, "rank": rank, "series": target_name, "n": t or 0,
                     "shown": messages.DASH if t is None else str(t), "over": ""})
    series = [opened_name, target_name]
    return {
        **_vega_frame(messages.text("chart_target_title", lang, year=year), 380, lang),
        "data": {"values": rows},
        "encoding": {
            "x": _vega_categories("type", lang),
            "xOffset": {"field": "series", "sort": series},
            "y": {"field": "n", "type": "quantitative", "title": messages.text("axis_stations", lang),
                  "scale": {"domain": [0, _target_top(pairs)]}},
        },
        "layer": [
            {"mark": "bar", "encoding": {"color": {"field": "series", "type": "nominal", "title": None,
                                                   "scale": {"domain": series, "range": [OPENED_COLOUR, TARGET_BAR_COLOUR]},
                                                   "legend": {"orient": "top"}}}},
            {"mark": {"type": "text", "dy": -4, "baseline": "bottom"}, "encoding": {"text": {"field": "shown"}}},
            # over-achievement said in words above the pair of bars
            {"mark": {"type": "text", "dy": -20, "baseline": "bottom", "fontWeight": "bold", "color": WITHIN_COLOUR},
             "encoding": {"text": {"field": "over"}}},
        ],
    }


def _minute_ticks(upper_s: int, lang: str, last_bin: bool) -> tuple[list[int], list[str]]:
    """Ticks every minute (every two past 20 minutes); the open last bin gets its own '≥20 min' tick."""
    step = 60 if upper_s <= LAST_BIN_S + BIN_S else 120
    vals = [v for v in range(0, upper_s + 1, step) if not (last_bin and v >= LAST_BIN_S)]
    text = [messages.fmt_minutes(v, lang) for v in vals]
    if last_bin:
        vals.append(LAST_BIN_S + BIN_S // 2)
        text.append(messages.text("hist_last_bin", lang))
    return vals, text


def response_histogram(hist: pl.DataFrame, lang: str, target_s: int) -> go.Figure:
    """Incidents per 30-second bin of call-to-first-arrival (response/histogram), with the target line.

    Two bar traces, bins within the target and bins beyond it, so the legend says which is which.
    Each bar carries its drill-down (the bin's range, see `encode`).
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
                ranges.append((messages.text("hover_last_bin", lang, lo=messages.fmt_duration(lo, lang)), f"min_s={lo}"))
            else:
                ranges.append((messages.text("hover_bin", lang, lo=messages.fmt_duration(lo, lang),
                                         hi=messages.fmt_duration(lo + BIN_S, lang)), f"min_s={lo}&max_s={lo + BIN_S}"))
        fig.add_bar(
            x=x, y=[int(r["incidents"]) for r in rows], width=[BIN_S * 0.92] * len(rows),
            marker_color=colour, name=messages.text(name, lang), customdata=ranges,
            hovertemplate="%{customdata[0]}<br>" + messages.text("axis_incidents", lang) + ": %{y}<extra></extra>",
        )
    fig.add_vline(x=target_s, line_dash="dash", line_color=TARGET_COLOUR, line_width=2,
                  annotation_text=messages.text("target_line", lang), annotation_position="top right",
                  annotation_font_color=TARGET_COLOUR)
    upper = max([c + BIN_S // 2 for c in centres] + [target_s + 60])
    vals, text = _minute_ticks(min(upper, LAST_BIN_S), lang, any(c > LAST_BIN_S for c in centres))
    fig.update_xaxes(title=messages.text("axis_response", lang), tickvals=vals, ticktext=text,
                     range=[0, upper + 10])
    fig.update_yaxes(title=messages.text("axis_incidents", lang))
    fig.update_layout(bargap=0, barmode="overlay")
    return _layout(fig, messages.text("chart_hist_title", lang))


def _minute_label_expr(lang: str, last_bin: bool = False) -> str:
    """A Vega axis' labels for ticks in seconds: whole minutes ('5分' / '5 min'); with `last_bin`, the
    histogram's open last bin ('≥20分') from LAST_BIN_S up. Only our own words go into the expression."""
    unit = json.dumps(messages.fmt_minutes(0, lang).removeprefix("0"), ensure_ascii=False)
    minutes = f"floor(datum.value / 60) + {unit}"
    if not last_bin:
        return minutes
    return f"datum.value >= {LAST_BIN_S} ? {json.dumps(messages.text('hist_last_bin', lang), ensure_ascii=False)} : {minutes}"


def _target_rule(target: float, lang: str, axis: str = "x", align: str = "left", label: str | None = None) -> list[dict]:
    """The target as a dashed red line across the chart (at x or y = `target`, in the axis' unit), named at
    its end (目标, or `label`). Its own one-row data, so that it is drawn once whatever the chart's rows."""
    at = {axis: {"datum": target}}
    place = ({"y": 0, "dx": 4 if align == "left" else -4, "dy": -2, "baseline": "bottom"} if axis == "x"
             else {"x": "width", "dy": 4, "baseline": "top"})
    return [
        {"data": {"values": [{}]}, "mark": {"type": "rule", "strokeDash": [6, 4], "color": TARGET_COLOUR, "strokeWidth": 2},
         "encoding": at},
        {"data": {"values": [{}]}, "mark": {"type": "text", "align": align if axis == "x" else "right",
                                             "color": TARGET_COLOUR, **place},
         "encoding": {**at, "text": {"value": label or messages.text("target_line", lang)}}},
    ]


def response_histogram_vega(hist: pl.DataFrame, lang: str, target_s: int) -> dict:
    """`response_histogram` as a Vega-Lite spec for the Response page: bins within the target and beyond it
    in two colours, the target line, and each bar's drill-down (the bin's range)."""
    within_name, beyond_name = messages.text("hist_within", lang), messages.text("hist_beyond", lang)
    incidents = messages.text("axis_incidents", lang)
    rows = []
    for r in hist.to_dicts():
        lo = int(r["bin_start_s"])
        if lo >= LAST_BIN_S:
            shown, drill = messages.text("hover_last_bin", lang, lo=messages.fmt_duration(lo, lang)), {"min_s": lo}
        else:
            shown = messages.text("hover_bin", lang, lo=messages.fmt_duration(lo, lang), hi=messages.fmt_duration(lo + BIN_S, lang))
            drill = {"min_s": lo, "max_s": lo + BIN_S}
        n = int(r["incidents"])
        rows.append({"from": lo + 1, "to": lo + BIN_S - 1, "n": n, "range": shown,
                     "said": f"{shown}, {incidents} {messages.fmt_int(n)}",
                     "outcome": within_name if r["is_within_target"] else beyond_name, DRILL: encode(drill)})
    ends = [r["to"] + 1 for r in rows]
    upper = max(ends + [target_s + 60])
    last_bin = any(e > LAST_BIN_S + BIN_S // 2 for e in ends)
    vals, _ = _minute_ticks(min(upper, LAST_BIN_S), lang, last_bin)
    bars = {
        "mark": {"type": "bar", "cursor": "pointer"},
        "params": [_drill_param()],
        "encoding": {
            "x": {"field": "from", "type": "quantitative", "title": messages.text("axis_response", lang),
                  "scale": {"domain": [0, upper + 10]},
                  "axis": {"values": vals, "labelExpr": _minute_label_expr(lang, last_bin), "labelOverlap": False}},
            "x2": {"field": "to"},
            "y": {"field": "n", "type": "quantitative", "title": incidents},
            "y2": {"datum": 0},
            "color": {"field": "outcome", "type": "nominal", "title": None, "legend": _vega_legend(lang),
                      "scale": {"domain": [within_name, beyond_name], "range": [WITHIN_COLOUR, BEYOND_COLOUR]}},
            "tooltip": [{"field": "range", "title": messages.text("axis_response", lang)},
                        {"field": "n", "title": incidents, "format": ","}],
            "description": {"field": "said"},  # what a screen reader says of a bar: its range and count, in words
        },
    }
    return {**_vega_frame(messages.text("chart_hist_title", lang), 380, "zh"), "data": {"values": rows},
            "layer": [bars, *_target_rule(target_s, lang)]}


def _week_labels(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str) -> list[str]:
    out = []
    for w in trend["week_start"].to_list():
        partial = w < start or w + dt.timedelta(days=6) > end
        out.append(w.isoformat() + (messages.text("partial_week", lang) if partial else ""))
    return out


WEEK_TICKS_MAX = 12  # a tick on each Monday up to this many weeks; the chart's own ticks beyond (still readable)


def _week_axis(fig: go.Figure, trend: pl.DataFrame, lang: str) -> None:
    """One tick per week on its Monday while that stays readable; plotly's own ticks otherwise."""
    weeks = trend["week_start"].to_list()
    ticks = {"tickvals": weeks, "ticktext": [w.isoformat() for w in weeks]} if len(weeks) <= WEEK_TICKS_MAX else {}
    fig.update_xaxes(title=messages.text("axis_week", lang), tickformat="%Y-%m-%d", **ticks)


def weekly_rate(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str) -> go.Figure:
    """The 5-minute arrival rate per ISO week (response/weekly_trend)."""
    labels = _week_labels(trend, start, end, lang)
    rate = trend["within_target_rate"].to_list()
    fig = go.Figure()
    fig.add_scatter(
        x=trend["week_start"].to_list(), y=rate, mode="lines+markers", name=messages.text("axis_rate", lang),
        line_color=OPENED_COLOUR,
        customdata=list(zip(labels, trend["arrived"].to_list(), [messages.fmt_pct(r) for r in rate],
                            [f"week={w.isoformat()}" for w in trend["week_start"].to_list()])),
        hovertemplate="%{customdata[0]}<br>" + messages.text("axis_rate", lang)
        + ": %{customdata[2]}<br>" + messages.text("col_arrived", lang) + ": %{customdata[1]}<extra></extra>",
    )
    fig.update_yaxes(title=messages.text("axis_rate", lang), tickformat=".0%", range=[0, 1.02])
    _week_axis(fig, trend, lang)
    return _layout(fig, messages.text("chart_trend_rate_title", lang), height=340)


def weekly_p90(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str,
               target_s: int) -> go.Figure:
    """The 90th percentile response time per ISO week against the target (response/weekly_trend)."""
    labels = _week_labels(trend, start, end, lang)
    p90 = trend["p90_response_s"].to_list()
    fig = go.Figure()
    fig.add_scatter(
        x=trend["week_start"].to_list(), y=p90, mode="lines+markers", name=messages.text("col_p90", lang),
        line_color=BEYOND_COLOUR,
        customdata=list(zip(labels, [messages.fmt_duration(v, lang) for v in p90],
                            [f"week={w.isoformat()}" for w in trend["week_start"].to_list()])),
        hovertemplate="%{customdata[0]}<br>" + messages.text("col_p90", lang) + ": %{customdata[1]}<extra></extra>",
    )
    fig.add_hline(y=target_s, line_dash="dash", line_color=TARGET_COLOUR,
                  annotation_text=messages.text("target_line", lang), annotation_position="bottom right",
                  annotation_font_color=TARGET_COLOUR)
    top = max([v for v in p90 if v is not None] + [target_s]) * 1.15
    step = 60 if top <= 1200 else 300
    vals = list(range(0, int(top) + step, step))
    fig.update_yaxes(title=messages.text("axis_p90_min", lang), range=[0, top], tickvals=vals,
                     ticktext=[messages.fmt_minutes(v, lang) for v in vals])
    _week_axis(fig, trend, lang)
    return _layout(fig, messages.text("chart_trend_p90_title", lang), height=340)


def _weekly_vega(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str, title: str, rows: list[dict],
                 y: dict, colour: str, tooltip: list[dict], rules: list[dict], drillable: bool) -> dict:
    """A line per ISO week (`weekly_rate_vega`, `weekly_p90_vega`): the weeks on a date axis read in UTC,
    so a browser in any time zone puts each point on its Monday. With `drillable`, a click on a point
    selects its week's incidents (`_drill_param`)."""
    labels = _week_labels(trend, start, end, lang)
    weeks = trend["week_start"].to_list()
    for row, week, label in zip(rows, weeks, labels):
        row.update(week=week.isoformat(), label=label)
        if drillable:
            row[DRILL] = encode({"week": week.isoformat()})
    axis = {"format": "%Y-%m-%d", "labelAngle": -30}
    if len(weeks) <= WEEK_TICKS_MAX:  # a tick on each Monday while that stays readable
        axis["values"] = [{"year": w.year, "month": w.month, "date": w.day, "utc": True} for w in weeks]
    week_axis = {"field": "week", "type": "temporal", "timeUnit": "utcyearmonthdate",
                 "title": messages.text("axis_week", lang), "axis": axis}
    line = {"mark": {"type": "line", "point": {"color": colour, "size": 50}, "color": colour},
            "encoding": {"x": week_axis, "y": y,
                         "tooltip": [{"field": "label", "title": messages.text("axis_week", lang)}, *tooltip]}}
    if drillable:
        line["params"] = [_drill_param()]
        line["mark"]["cursor"] = "pointer"
    frame = _vega_frame(title, 300, lang)
    if lang != "zh":  # a long English title in a half-width column wraps rather than being cut short
        frame["title"]["text"] = textwrap.wrap(title, 38)
    return {**frame, "data": {"values": rows}, "layer": [line, *rules]}


def weekly_rate_vega(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str, drillable: bool = False) -> dict:
    """`weekly_rate` as a Vega-Lite spec, for the Station and Response pages: Plotly's library held back
    the Station page's whole first screen, map included (see `target_bars_vega`)."""
    rows = [{"rate": r, "shown": messages.fmt_pct(r), "arrived": n}
            for r, n in zip(trend["within_target_rate"].to_list(), trend["arrived"].to_list())]
    rate = messages.text("axis_rate", lang)
    return _weekly_vega(trend, start, end, lang, messages.text("chart_trend_rate_title", lang), rows,
                        {"field": "rate", "type": "quantitative", "title": rate, "scale": {"domain": [0, 1.02]},
                         "axis": {"format": ".0%"}},
                        OPENED_COLOUR, [{"field": "shown", "title": rate},
                                        {"field": "arrived", "title": messages.text("col_arrived", lang), "format": ","}],
                        [], drillable)


def weekly_p90_vega(trend: pl.DataFrame, start: dt.date, end: dt.date, lang: str, target_s: int,
                    drillable: bool = False) -> dict:
    """`weekly_p90` as a Vega-Lite spec (see `weekly_rate_vega`): the 90th percentile in minutes against
    the target's dashed line."""
    p90 = trend["p90_response_s"].to_list()
    rows = [{"p90_min": None if v is None else v / 60, "shown": messages.fmt_duration(v, lang)} for v in p90]
    top = max([v for v in p90 if v is not None] + [target_s]) * 1.15 / 60
    step = 1 if top <= 20 else 5
    ticks = list(range(0, int(top) + step, step))
    col = messages.text("col_p90", lang)
    return _weekly_vega(trend, start, end, lang, messages.text("chart_trend_p90_title", lang), rows,
                        {"field": "p90_min", "type": "quantitative", "title": messages.text("axis_p90_min", lang),
                         "scale": {"domain": [0, top]},
                         "axis": {"values": ticks, "labelExpr": "datum.value + " + json.dumps(
                             messages.fmt_minutes(0, lang).removeprefix("0"), ensure_ascii=False)}},
                        BEYOND_COLOUR, [{"field": "shown", "title": col}], _target_rule(target_s / 60, lang, axis="y"),
                        drillable)


def district_type_bars_vega(by_district: pl.DataFrame, as_of: dt.date, lang: str) -> dict:
    """Stacked bars of stations in service per district, one colour per station type, the districts by
    their total (stations/by_district), as a Vega-Lite spec (see `target_bars_vega`). The types are
    stacked and coloured in the catalogue's order, carried by a `type_rank` field, so that the spec holds
    colours only, never a name."""
    totals: dict[str, int] = {}
    for r in by_district.iter_rows(named=True):
        totals[r["district"]] = totals.get(r["district"], 0) + int(r["in_service"])
    rank = {d: i for i, d in enumerate(sorted(totals, key=lambda d: -totals[d]))}
    present = [code for code in categories.STATION_TYPES if code in set(by_district["station_type"].to_list())]
    rows = [{"district": messages.label("district", r["district"], lang), "rank": rank[r["district"]],
             "type": messages.label("station_type", r["station_type"], lang),
             "type_rank": present.index(r["station_type"]), "n": int(r["in_service"])}
            for r in by_district.iter_rows(named=True) if r["station_type"] in present]
    stations = messages.text("axis_stations", lang)
    return {
        **_vega_frame(messages.text("chart_by_district_title", lang, date=as_of.isoformat()), 480, "en"),
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            # a column of the page, not its width: the names slant in either language, and all of them show
            "x": {**_vega_categories("district", lang), "axis": {"labelAngle": -40, "labelLimit": 300,
                                                                 "labelOverlap": False}},
            "y": {"field": "n", "type": "quantitative", "stack": "zero", "title": stations},
            "color": {"field": "type", "type": "nominal", "title": None, "sort": {"field": "type_rank", "op": "min"},
                      "scale": {"range": [hex_colour(station_type_colour(c)) for c in present]},
                      "legend": _vega_legend(lang, columns=4)},
            "order": {"field": "type_rank"},
            "tooltip": [{"field": "district", "title": messages.text("col_district", lang)},
                        {"field": "type", "title": messages.text("col_station_type", lang)},
                        {"field": "n", "title": stations, "format": ","}],
        },
    }


# ---- station network: build-out trajectory, readiness, stock --------------------

def _line_styles(series: list[str], styles: list[tuple[str, list[int], float]], lang: str) -> dict:
    """Colour, dash and width of each series' line, in `series` order and in one legend; `styles` holds
    (colour, dash pattern, width) per series."""
    def channel(i: int) -> dict:
        return {"field": "series", "type": "nominal", "title": None, "sort": series, "legend": _vega_legend(lang),
                "scale": {"domain": series, "range": [style[i] for style in styles]}}
    return {"color": channel(0), "strokeDash": channel(1), "strokeWidth": channel(2)}


def build_trajectory_vega(trajectory: pl.DataFrame, year: int, lang: str) -> dict:
    """Cumulative stations opened month by month against the target's straight line, and the
    projection at the pace so far (stations/build_trajectory), as a Vega-Lite spec (see
    `target_bars_vega`). Over-achievement said in words beside the last month counted."""
    months = [m.strftime("%Y-%m") for m in trajectory["month_start"].to_list()]  # each point: the month's end
    names = {"target_cumulative": messages.text("series_target_line", lang),
             "projected_cumulative": messages.text("series_projection", lang),
             "opened_cumulative": messages.text("series_cumulative", lang)}
    drawn = [c for c in names if c == "opened_cumulative" or trajectory[c].is_not_null().any()]
    rows = [{"month": m, "rank": i, "series": names[c], "n": v}
            for c in drawn for i, (m, v) in enumerate(zip(months, trajectory[c].to_list())) if v is not None]
    done = [(i, m, o) for i, (m, o) in enumerate(zip(months, trajectory["opened_cumulative"].to_list())) if o is not None]
    full_target = trajectory["target_count"][0] if trajectory.height else None
    if done and full_target is not None and done[-1][2] > full_target:
        i, m, o = done[-1]
        rows.append({"month": m, "rank": i, "over": f"{messages.text('status_over', lang)} +{o - int(full_target)}",
                     "n": o})
    series = [names[c] for c in drawn]
    style = {"target_cumulative": (TARGET_COLOUR, [6, 4], 2), "projected_cumulative": (OPENED_COLOUR, [2, 3], 2),
             "opened_cumulative": (OPENED_COLOUR, [1, 0], 3)}
    stations = messages.text("axis_stations", lang)
    cumulative = {"filter": {"field": "series", "equal": names["opened_cumulative"]}}
    return {
        **_vega_frame(messages.text("chart_trajectory_title", lang, year=year), 360, lang),
        "data": {"values": rows},
        "encoding": {
            "x": {**_vega_categories("month", lang), "title": messages.text("axis_month", lang)},
            "y": {"field": "n", "type": "quantitative", "title": stations},
        },
        "layer": [
            {"transform": [{"filter": "isValid(datum.series)"}],
             "mark": {"type": "line"},
             "encoding": {
                 **_line_styles(series, [style[c] for c in drawn], lang),
                 "tooltip": [{"field": "month", "title": messages.text("axis_month", lang)},
                             {"field": "series", "title": None}, {"field": "n", "title": stations, "format": ",.1~f"}]}},
            {"transform": [cumulative], "mark": {"type": "point", "filled": True, "color": OPENED_COLOUR, "size": 40}},
            {"transform": [{"filter": "isValid(datum.over)"}],
             "mark": {"type": "text", "dy": -18, "baseline": "bottom", "fontWeight": "bold", "color": WITHIN_COLOUR},
             "encoding": {"text": {"field": "over"}}},
        ],
    }


def readiness_trend_vega(trend: pl.DataFrame, lang: str) -> dict:
    """The share of stations in service meeting the standard at each month end, beside the
    share not yet counted (stations/readiness_trend), as a Vega-Lite spec (see `target_bars_vega`). The
    rate is drawn as a judged line only from the first date the counts cover the network (`is_judged`);
    earlier dates are shaded and labelled 盘点覆盖不足, their rate a faint dashed line joined to the first
    judged date: there it mostly shows counts arriving."""
    dates = [d.isoformat() for d in trend["judged_on"].to_list()]
    n = trend["stations_in_service"].to_list()
    rate = trend["compliant_rate"].to_list()
    compliant = trend["compliant"].to_list()
    judged = trend["is_judged"].to_list() if "is_judged" in trend.columns else [True] * len(dates)
    without = [w / t if t else None for w, t in zip(trend["without_count"].to_list(), n)]
    rated = messages.text("series_compliant_rate", lang)
    uncovered = messages.text("series_compliant_rate_uncovered", lang)
    not_counted = messages.text("series_without_count", lang)
    early = [i for i, j in enumerate(judged) if not j]
    upto = (early[-1] + 2 if early[-1] + 1 < len(dates) else early[-1] + 1) if early else 0
    rows = []
    for i, d in enumerate(dates):
        shown = f"{messages.fmt_pct(rate[i])} ({compliant[i]} / {n[i]})"
        if judged[i] and rate[i] is not None:
            rows.append({"date": d, "series": rated, "share": rate[i], "shown": shown})
        if i < upto and rate[i] is not None:  # the unjudged dates, joined to the first judged one
            rows.append({"date": d, "series": uncovered, "share": rate[i], "shown": shown})
        if without[i] is not None:
            rows.append({"date": d, "series": not_counted, "share": without[i], "shown": messages.fmt_pct(without[i])})
    series = [s for s, drawn in ((rated, True), (uncovered, bool(early)), (not_counted, True)) if drawn]
    style = {rated: (WITHIN_COLOUR, [1, 0], 3), uncovered: ("#757575", [6, 4], 1.5), not_counted: (TARGET_BAR_COLOUR, [2, 3], 2)}
    date_axis = {"field": "date", "type": "temporal", "timeUnit": "utcyearmonthdate", "title": None,
                 "axis": {"format": "%Y-%m", "labelAngle": -30}}
    layers = []
    if early:  # the dates before the counts cover the network, shaded and named
        shade = {"values": [{"from": dates[0], "to": dates[early[-1]]}]}
        layers += [
            {"data": shade, "mark": {"type": "rect", "color": "#9e9e9e", "opacity": 0.15},
             "encoding": {"x": {**date_axis, "field": "from"}, "x2": {"field": "to"}}},
            {"data": shade, "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 4, "y": 4,
                                     "color": "#616161"},
             "encoding": {"x": {**date_axis, "field": "from"}, "text": {"value": messages.text("readiness_uncovered_label", lang)}}},
        ]
    share = messages.text("axis_share", lang)
    layers.append({
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": date_axis,
            "y": {"field": "share", "type": "quantitative", "title": share, "scale": {"domain": [0, 1.02]},
                  "axis": {"format": ".0%"}},
            **_line_styles(series, [style[s] for s in series], lang),
            "tooltip": [{"field": "date", "type": "temporal", "timeUnit": "utcyearmonthdate", "format": "%Y-%m-%d",
                         "title": messages.text("col_judged_on", lang)},
                        {"field": "series", "title": None}, {"field": "shown", "title": share}],
        },
    })
    return {**_vega_frame(messages.text("chart_readiness_trend_title", lang), 340, lang), "data": {"values": rows},
            "layer": layers}


def readiness_bars_vega(breakdown: pl.DataFrame, dimension: str, title: str, lang: str) -> dict:
    """Horizontal bars: the share meeting the standard per district or per station type, best first,
    with the counts beside each bar (rows of stations/readiness_breakdown for one dimension), as a
    Vega-Lite spec (see `target_bars_vega`)."""
    part = breakdown.filter(pl.col("dimension") == dimension).sort("compliant_rate", descending=True, nulls_last=True)
    rows = [{"name": messages.label(dimension, r["code"], lang), "rank": rank, "rate": r["compliant_rate"],
             "shown": f"{messages.fmt_pct(r['compliant_rate'], 0)} ({r['compliant']}/{r['stations_in_service']})"}
            for rank, r in enumerate(part.to_dicts())]
    return {
        **_vega_frame(title, max(220, 30 * len(rows) + 40), "zh"),  # names stand level on this axis in any language
        "data": {"values": rows},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": {"field": "rank", "op": "min"}, "title": None,
                  "axis": {"labelLimit": 200}},
            "x": {"field": "rate", "type": "quantitative", "title": None, "scale": {"domain": [0, 1.3]},
                  "axis": {"format": ".0%", "values": [0, 0.25, 0.5, 0.75, 1]}},
        },
        "layer": [
            {"mark": {"type": "bar", "color": WITHIN_COLOUR}},
            {"mark": {"type": "text", "align": "left", "dx": 4}, "encoding": {"text": {"field": "shown"}}},
        ],
    }


def fill_rate_vega(by_category: pl.DataFrame, lang: str) -> dict:
    """Per item category, usable stock against the required quantity (inventory/stock_by_category), as a
    Vega-Lite spec: the Inventory page has no other chart, and its tiles would wait for Plotly's library
    (see `target_bars_vega`). The names go in as data only."""
    rows = [{"category": messages.label("item_category", r["category"], lang), "rank": rank, "fill": r["fill_rate"],
             "shown": messages.fmt_pct(r["fill_rate"])} for rank, r in enumerate(by_category.to_dicts())]
    top = max([r["fill"] or 0 for r in rows] + [1.0]) * 1.15  # room above the fullest bar for its number
    return {
        **_vega_frame(messages.text("chart_fill_title", lang), 340, lang),
        "data": {"values": rows},
        "encoding": {
            "x": _vega_categories("category", lang),
            "y": {"field": "fill", "type": "quantitative", "title": messages.text("col_fill_rate", lang),
                  "axis": {"format": ".0%"}, "scale": {"domain": [0, top]}},
        },
        "layer": [
            {"mark": {"type": "bar", "color": OPENED_COLOUR}},
            {"mark": {"type": "text", "dy": -4, "baseline": "bottom"}, "encoding": {"text": {"field": "shown"}}},
        ],
    }


# ---- drill-downs: what a chart mark carries to the incidents behind it ----------------------
# A mark's `drill` field holds its drill-down as URL parameters of the Incidents page
# ("min_s=300&max_s=330", "week=2026-11-02", "district=futian"). The dashboard reads them
# back from a click (`from_point`) and adds the shared filters (dashboard.drilldown).

DRILL = "drill"  # the field that holds a mark's drill-down, and the selection that reports a click on it


def _drill_param() -> dict:
    """The selection a click makes: the clicked mark's `drill` field (Streamlit reruns the page with it)."""
    return {"name": DRILL, "select": {"type": "point", "fields": [DRILL], "on": "click"}}

# the dimensions a figure may be split by; district and station type are shared filters
GROUPS = ("district", "station_type", "station", "incident_type", "channel")
_GROUP_KEYS = {"district": "district", "station_type": "type", "station": "station",
               "incident_type": "incident_type", "channel": "channel"}


def group_query(dimension: str, code: str) -> dict[str, str]:
    """URL parameters of one group of a split; district and station type narrow the shared filters."""
    if dimension not in _GROUP_KEYS:
        raise ValueError(f"no group {dimension!r}; one of {GROUPS}")
    return {_GROUP_KEYS[dimension]: code}


def encode(extra: Mapping[str, str]) -> str:
    """A drill-down as a chart mark's `drill` field."""
    return urlencode(dict(extra))


def from_point(point: Mapping[str, object]) -> dict[str, str] | None:
    """The drill-down a clicked chart mark carries (see `encode`): a Vega-Lite point selection's values,
    {"drill": "min_s=300&max_s=330"}, as Streamlit reports them."""
    data = point.get(DRILL)
    if not isinstance(data, str) or "=" not in data:
        return None
    return dict(parse_qsl(data))


# ---- response times: phases, splits, the weekly grid, one incident's timeline --------------
# The Response page draws its charts in Vega-Lite (see `target_bars_vega`): every bar, line and cell
# carries its drill-down (`encode`) in a `drill` field, and a click on it selects that field
# (`_drill_param`), which Streamlit hands back to the page (`from_point`).

PHASES = ("call_processing", "turnout", "travel")
PHASE_COLOURS = {"call_processing": "#90a4ae", "turnout": "#ffb74d", "travel": "#1e88e5", "on_scene": "#a5d6a7"}
MAX_PHASE_GROUPS = 25  # more bars than this are unreadable: the worst are drawn, the table has all
ECDF_AXIS_S = 1200


def group_label(dimension: str, code: str | None, name: str | None, lang: str) -> str:
    """A group of a split as people say it: a station by its name, a code by its label."""
    if code is None:
        return messages.text("unknown_group", lang)
    if dimension == "station":
        return name or code
    return messages.label(dimension, code, lang)


def _group_query(dimension: str, code: str) -> str:
    return encode(group_query(dimension, code))


def _minute_scale(upper_s: float, lang: str, title: str) -> dict:
    """A Vega axis in seconds from 0 to `upper_s`, ticked in whole minutes (every 5 past 25 minutes)."""
    step = 60 if upper_s <= 1500 else 300
    return {"type": "quantitative", "title": title, "scale": {"domain": [0, upper_s]},
            "axis": {"values": list(range(0, int(upper_s) + step, step)), "labelExpr": _minute_label_expr(lang)}}


def phase_bars_vega(by_group: pl.DataFrame, dimension: str, lang: str, target_s: int) -> dict:
    """Which phase eats the time: the median call processing, turnout and travel of the first-arriving
    response per group, stacked, with the median total as a mark and the target line (response/by_group),
    as a Vega-Lite spec; a click on a group's bar opens its incidents.

    Groups keep the query's order (worst rate first, too-small samples last), the worst at the top.
    Medians of phases do not add up to the median total exactly; the mark shows the real one.
    """
    groups = [r for r in by_group.to_dicts() if r["timed"]][:MAX_PHASE_GROUPS]
    names = [messages.text(f"phase_{phase}", lang) for phase in PHASES]
    total_name = messages.text("phase_total_median", lang)
    rows = []
    for rank, r in enumerate(groups):
        group = group_label(dimension, r["group_code"], r.get("group_name"), lang) + (" *" if r["is_small_sample"] else "")
        drill = _group_query(dimension, r["group_code"]) if r["group_code"] is not None else ""
        for order, (phase, name) in enumerate(zip(PHASES, names)):
            v = r[f"p50_{phase}_s"]
            rows.append({"group": group, "rank": rank, "phase": name, "order": order, "s": v,
                         "shown": messages.fmt_duration(v, lang), DRILL: drill})
        rows.append({"group": group, "rank": rank, "total": r["p50_response_s"],
                     "shown": messages.fmt_duration(r["p50_response_s"], lang), DRILL: drill})
    upper = max([r["p50_response_s"] or 0 for r in groups] + [target_s]) * 1.1
    median = messages.text("median_word", lang)
    y = {"field": "group", "type": "nominal", "sort": {"field": "rank", "op": "min"}, "title": None,
         "axis": {"labelLimit": 260, "labelOverlap": False}}
    colour = {"type": "nominal", "title": None, "legend": _vega_legend(lang),
              "scale": {"domain": [*names, total_name], "range": [*(PHASE_COLOURS[p] for p in PHASES), "#263238"]}}
    tooltip = [{"field": "group", "title": messages.text(f"group_{dimension}", lang)}]
    return {
        **_vega_frame(messages.text("chart_phase_title", lang), 130 + 28 * max(len(groups), 4), "zh"),
        "data": {"values": rows},
        "layer": [
            {"transform": [{"filter": "isValid(datum.phase)"}],
             "mark": {"type": "bar", "cursor": "pointer"}, "params": [_drill_param()],
             "encoding": {"y": y, "x": {"field": "s", "stack": "zero",
                                        **_minute_scale(upper, lang, messages.text("axis_phase_median", lang))},
                          "color": {"field": "phase", **colour}, "order": {"field": "order"},
                          "tooltip": [*tooltip, {"field": "phase", "title": None},
                                      {"field": "shown", "title": median}]}},
            {"transform": [{"filter": "isValid(datum.total)"}],
             "mark": {"type": "tick", "thickness": 3, "color": "#263238"},
             "encoding": {"y": y, "x": {"field": "total", "type": "quantitative"}, "color": {"datum": total_name, **colour},
                          "tooltip": [*tooltip, {"field": "shown", "title": total_name}]}},
            *_target_rule(target_s, lang),
        ],
    }


def response_ecdf_vega(overall: pl.DataFrame, by_group: pl.DataFrame | None, dimension: str | None, lang: str,
                       target_s: int) -> dict:
    """Cumulative share of incidents reached within each time (response/ecdf), one curve per group and
    the whole scope dashed, with the target and the 90 % line, as a Vega-Lite spec: where a curve crosses
    the target is its 5-minute rate; where it crosses 90 %, its 90th percentile. A click on a group's
    curve opens its incidents. The curves stop at the axis' end (ECDF_AXIS_S), one step past it."""
    def curve(frame: pl.DataFrame, group: str, rank: int, drill: str) -> list[dict]:
        points = []
        for t, share in zip(frame["response_s"].to_list(), frame["cum_share"].to_list()):
            points.append({"group": group, "rank": rank, "t": t, "share": share, "when": messages.fmt_duration(t, lang),
                           "shown": messages.fmt_pct(share), DRILL: drill})
            if t > ECDF_AXIS_S:
                break
        return points

    everyone = messages.text("ecdf_all", lang)
    rows = curve(overall, everyone, 0, "")
    if by_group is not None and dimension:
        codes = sorted(set(by_group["group_code"].to_list()), key=lambda c: (c is None, str(c)))
        for rank, code in enumerate(codes, start=1):
            part = by_group.filter(pl.col("group_code").is_null() if code is None else pl.col("group_code") == code)
            rows += curve(part, group_label(dimension, code, None, lang), rank,
                          _group_query(dimension, code) if code is not None else "")
    palette = ["#263238", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
               "#bcbd22", "#17becf"]
    groups = max(r["rank"] for r in rows) + 1
    colour = {"field": "group", "type": "nominal", "title": None, "sort": {"field": "rank", "op": "min"},
              "legend": _vega_legend(lang, columns=6, columns_en=4),
              "scale": {"range": [palette[0]] + [palette[1 + i % (len(palette) - 1)] for i in range(groups - 1)]}}
    share = messages.text("axis_cum_share", lang)
    x = {"field": "t", **_minute_scale(ECDF_AXIS_S, lang, messages.text("axis_response", lang))}
    y = {"field": "share", "type": "quantitative", "title": share, "scale": {"domain": [0, 1.02]}, "axis": {"format": ".0%"}}
    tooltip = [{"field": "group", "title": None}, {"field": "when", "title": messages.text("axis_response", lang)},
               {"field": "shown", "title": share}]
    line = {"type": "line", "interpolate": "step-after", "clip": True}
    ninety = {"data": {"values": [{}]}, "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#546e7a"},
              "encoding": {"y": {"datum": 0.9}}}
    ninety_text = {"data": {"values": [{}]}, "mark": {"type": "text", "x": 4, "dy": -4, "align": "left",
                                                       "baseline": "bottom", "color": "#546e7a"},
                   "encoding": {"y": {"datum": 0.9}, "text": {"value": "90%"}}}
    return {
        **_vega_frame(messages.text("chart_ecdf_title", lang), 420, "zh"),
        "data": {"values": rows},
        "layer": [
            {"transform": [{"filter": "datum.rank > 0"}], "mark": {**line, "strokeWidth": 1.5, "cursor": "pointer"},
             "params": [_drill_param()], "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
            {"transform": [{"filter": "datum.rank == 0"}], "mark": {**line, "strokeWidth": 3, "strokeDash": [6, 4]},
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
            *_target_rule(target_s, lang),
            ninety, ninety_text,
        ],
    }


def hour_weekday_grid_vega(grid: pl.DataFrame, metric: str, lang: str, target_s: int) -> dict:
    """Weekday × hour of the call (response/hour_weekday), coloured by the 5-minute rate (metric "rate",
    greener is better) or the 90th percentile (metric "p90", in minutes, redder is slower), as a
    Vega-Lite spec; a click on a cell opens its incidents, a cell without timed arrivals stays grey."""
    cells = {(r["call_weekday"], r["call_hour"]): r for r in grid.iter_rows(named=True)}
    rows = []
    for d in range(1, 8):
        for h in range(24):
            r = cells.get((d, h))
            row = {"day": messages.text(f"weekday_{d}", lang), "rank": d, "hour": h, "when": f"{h:02d}:00",
                   DRILL: encode({"weekday": d, "hour": h})}
            if r is None or not r["timed"]:
                row.update(value=None, rate=messages.text("grid_empty", lang), p90="")
            else:
                row.update(value=r["within_target_rate"] if metric == "rate" else r["p90_response_s"] / 60,
                           rate=f"{messages.fmt_pct(r['within_target_rate'])} ({r['within_target']} / {r['timed']})"
                           + (" · " + messages.text("note_small", lang) if r["is_small_sample"] else ""),
                           p90=messages.fmt_duration(r["p90_response_s"], lang))
            rows.append(row)
    if metric == "rate":
        colour = {"title": messages.text("axis_rate", lang), "scale": {"scheme": "redyellowgreen"},
                  "legend": {"format": ".0%"}}
    else:
        colour = {"title": messages.text("axis_p90_min", lang), "scale": {"scheme": "yelloworangered", "domainMin": 0}}
    title = "chart_grid_rate_title" if metric == "rate" else "chart_grid_p90_title"
    return {
        **_vega_frame(messages.text(title, lang, target=messages.fmt_duration(target_s, lang)), 300, "zh"),
        "data": {"values": rows},
        "mark": {"type": "rect", "cursor": "pointer", "stroke": "white", "strokeWidth": 1},
        "params": [_drill_param()],
        "encoding": {
            "x": {"field": "hour", "type": "ordinal", "title": messages.text("axis_hour", lang), "axis": {"labelAngle": 0}},
            "y": {"field": "day", "type": "ordinal", "sort": {"field": "rank", "op": "min"}, "title": None},
            "color": {"condition": {"test": "!isValid(datum.value)", "value": "#eceff1"},
                      "field": "value", "type": "quantitative", **colour},
            "tooltip": [{"field": "day", "title": None}, {"field": "when", "title": messages.text("axis_hour", lang)},
                        {"field": "rate", "title": messages.text("axis_rate", lang)},
                        {"field": "p90", "title": messages.text("col_p90", lang)}],
        },
    }


def _epoch_ms(at: dt.datetime) -> int:
    """A wall-clock time of the city as milliseconds on a UTC scale: the chart draws it as written,
    whatever the time zone of the browser."""
    return round(at.replace(tzinfo=dt.timezone.utc).timestamp() * 1000)


def incident_timeline_vega(timeline: pl.DataFrame, lang: str) -> dict:
    """One incident on one time axis (incidents/timeline), as a Vega-Lite spec: per responding station,
    received -> dispatched (call processing), dispatched -> departed (turnout), departed -> arrived (travel),
    arrived -> cleared (on scene) and its arrival; the call, the clock start, the target deadline and the
    full first response as vertical lines named above the plot. Station names are data only (Vega draws
    them as written); the section's heading names the incident."""
    rows = timeline.to_dicts()
    first = rows[0]
    labels = [f"{r['arrival_rank']}. {r['station_name'] or r['station_id']}" for r in rows]
    spans = {"call_processing": ("call_at", "dispatch_at"), "turnout": ("dispatch_at", "depart_at"),
             "travel": ("depart_at", "arrive_at"), "on_scene": ("arrive_at", "clear_at")}
    phases = [messages.text(f"phase_{phase}", lang) for phase in spans]
    arrival = messages.text("timeline_arrival", lang)
    values = []
    for rank, (label, r) in enumerate(zip(labels, rows)):
        for (phase, (a, b)), name in zip(spans.items(), phases):
            if r[a] is not None and r[b] is not None:
                values.append({"layer": "phase", "station": label, "rank": rank, "what": name,
                               "from": _epoch_ms(r[a]), "to": _epoch_ms(r[b]),
                               "shown": f"{r[a]:%H:%M:%S} – {r[b]:%H:%M:%S} "
                                        f"({messages.fmt_duration((r[b] - r[a]).total_seconds(), lang)})"})
        if r["arrive_at"] is not None:
            values.append({"layer": "arrival", "station": label, "rank": rank, "what": arrival,
                           "from": _epoch_ms(r["arrive_at"]), "shown": f"{r['arrive_at']:%H:%M:%S}"})
    marks = [(first["call_at"], "timeline_call", "#546e7a")]
    if first["clock_start_at"] is not None and first["clock_start_at"] != first["call_at"]:
        marks.append((first["clock_start_at"], "timeline_clock_start", "#546e7a"))
    if first["clock_start_at"] is not None and first["target_s"] is not None:
        marks.append((first["clock_start_at"] + dt.timedelta(seconds=int(first["target_s"])), "timeline_deadline",
                      TARGET_COLOUR))
    if first["full_response_at"] is not None:
        marks.append((first["full_response_at"], "timeline_full_response", WITHIN_COLOUR))
    values += [{"layer": "mark", "mark": i, "what": f"{messages.text(key, lang)} {at:%H:%M:%S}",
                "from": _epoch_ms(at), "colour": colour} for i, (at, key, colour) in enumerate(marks)]
    # The minutes to arrival matter, not the hour on scene: the axis opens on the call to the last
    # arrival (or deadline); on-scene bars run off the right edge (their tooltip gives the clearing time).
    times = [m[0] for m in marks] + [r[c] for r in rows for c in ("dispatch_at", "depart_at", "arrive_at") if r[c]]
    span = max(max(times) - first["call_at"], dt.timedelta(minutes=5))
    x = {"field": "from", "type": "temporal", "title": messages.text("axis_time", lang),
         "scale": {"type": "utc", "domain": [_epoch_ms(first["call_at"] - span * 0.05),
                                             _epoch_ms(first["call_at"] + span * 1.25)]},
         "axis": {"format": "%H:%M:%S", "labelAngle": 0}}
    y = {"field": "station", "type": "nominal", "sort": {"field": "rank", "op": "min"}, "title": None,
         "axis": {"labelLimit": 260}}
    right = first["call_at"] + span * 0.7  # a line's name past here reads leftwards, within the plot
    legend = phases + [arrival]
    colour = {"field": "what", "type": "nominal", "title": None, "legend": _vega_legend(lang, 3, 3) | {"orient": "bottom"},
              "scale": {"domain": legend, "range": [PHASE_COLOURS[p] for p in spans] + ["#263238"]}}
    where = messages.text("axis_time", lang)
    tooltip = [{"field": "station", "title": None}, {"field": "what", "title": None}, {"field": "shown", "title": where}]
    return {
        # Streamlit fits the whole chart (names above, axis and legend below) in the height
        "height": 125 + 15 * len(marks) + 55 * len(rows),
        "padding": {"top": 6 + 15 * len(marks), "right": 24},
        "data": {"values": values},
        "layer": [
            {"transform": [{"filter": "datum.layer === 'phase'"}],
             "mark": {"type": "bar", "clip": True, "height": {"band": 0.6}},
             "encoding": {"x": x, "x2": {"field": "to"}, "y": y, "color": colour, "tooltip": tooltip}},
            {"transform": [{"filter": "datum.layer === 'arrival'"}],
             "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 120, "opacity": 1},
             "encoding": {"x": x, "y": y, "color": colour, "tooltip": tooltip}},
            {"transform": [{"filter": "datum.layer === 'mark'"}],
             "mark": {"type": "rule", "strokeWidth": 2, "strokeDash": [5, 3]},
             "encoding": {"x": x, "color": {"field": "colour", "type": "nominal", "scale": None, "legend": None}}},
        ] + [  # each line's name above the plot, a row of text per line, in the order listed, the first lowest
            {"transform": [{"filter": f"datum.mark === {i}"}],
             "mark": {"type": "text", "baseline": "bottom", "fontSize": 11,
                      **({"align": "left", "dx": 3} if at < right else {"align": "right", "dx": -3})},
             "encoding": {"x": x, "y": {"value": -4 - 15 * i}, "text": {"field": "what"},
                          "color": {"field": "colour", "type": "nominal", "scale": None, "legend": None}}}
            for i, (at, _, _) in enumerate(marks)
        ],
    }


# ---- weekly snapshots: queries/snapshots/ ----------------------------------------------------

def snapshot_history_vega(history: pl.DataFrame, lang: str) -> dict:
    """The 5-minute rate of every snapshotted week as first reported and as last revised
    (snapshots/kpi_history), two lines on the weeks' labels, the revised one dashed: where they part,
    later data changed a week already reported."""
    first, latest = messages.text("snapshots_first_reported", lang), messages.text("snapshots_latest_revision", lang)
    rows = [{"week": r["week"], "series": name, "rate": value, "shown": messages.fmt_pct(value)}
            for r in history.iter_rows(named=True)
            for name, value in ((first, r["first_value"]), (latest, r["latest_value"])) if value is not None]
    rate = messages.text("axis_rate", lang)
    return {
        **_vega_frame(messages.text("snapshots_history_title", lang), 320, lang),
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            # not from zero: a revision moves a rate by a point or less, and it should show
            "y": {"field": "rate", "type": "quantitative", "title": rate, "scale": {"zero": False, "padding": 12},
                  "axis": {"format": ".0%"}},
            "color": {"field": "series", "type": "nominal", "title": None, "legend": _vega_legend(lang),
                      "scale": {"domain": [first, latest], "range": [OPENED_COLOUR, BEYOND_COLOUR]}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": [first, latest], "range": [[1, 0], [4, 3]]}},
            "tooltip": [{"field": "week", "title": messages.text("col_week", lang)},
                        {"field": "series", "title": None}, {"field": "shown", "title": rate}],
        },
    }


# ---- prevention (事前预防): queries/prevention/ ------------------------------------------------

HAZARD_LEVELS = ("general", "major", "serious")
LATE_COLOUR = "#ffb74d"
UNDATED_COLOUR = "#90a4ae"


def _bars_with_numbers(rows: list[dict], category: str, title: str, value_title: str, lang: str, height: int) -> dict:
    """One bar per category in the rows' `rank` order, its number (`shown`) above it, the value axis with
    room for the numbers (`outreach_bars_vega`, `desk_service_bars_vega`)."""
    top = max([r["v"] or 0 for r in rows] + [1]) * 1.2
    return {
        **_vega_frame(title, height, lang),
        "data": {"values": rows},
        "encoding": {"x": _vega_categories(category, lang),
                     "y": {"field": "v", "type": "quantitative", "title": value_title, "scale": {"domain": [0, top]}}},
        "layer": [{"mark": {"type": "bar", "color": OPENED_COLOUR}},
                  {"mark": {"type": "text", "dy": -4, "baseline": "bottom"}, "encoding": {"text": {"field": "shown"}}}],
    }


def patrol_histogram_vega(patrols: pl.DataFrame, lang: str) -> dict:
    """Stations by their patrols per week in the period (half-patrol bins), those meeting the standard
    apart, and the standard as a line (prevention/patrols_per_station_week), as a Vega-Lite spec: the
    Prevention page's charts are all Vega-Lite, so its tiles do not wait for Plotly (see `target_bars_vega`)."""
    meets, below = messages.text("prevention_meets_standard", lang), messages.text("prevention_below_standard", lang)
    rows = [{"per_week": float(r["patrols_per_week"]), "group": meets if r["meets_standard"] else below}
            for r in patrols.to_dicts() if r["patrols_per_week"] is not None]
    standard = float(patrols["standard_per_week"].drop_nulls()[0]) if rows else None
    per_week, stations = messages.text("prevention_patrols_per_week", lang), messages.text("axis_stations", lang)
    bars = {"mark": "bar", "encoding": {
        "x": {"field": "per_week", "type": "quantitative", "bin": {"step": 0.5}, "title": per_week},
        "y": {"aggregate": "count", "type": "quantitative", "title": stations},
        "color": {"field": "group", "type": "nominal", "title": None, "legend": _vega_legend(lang),
                  "scale": {"domain": [meets, below], "range": [WITHIN_COLOUR, BEYOND_COLOUR]}},
        "tooltip": [{"field": "per_week", "bin": {"step": 0.5}, "title": per_week},
                    {"aggregate": "count", "type": "quantitative", "title": stations}, {"field": "group", "title": None}]}}
    rule = [] if standard is None else _target_rule(
        standard, lang, label=f"{messages.text('prevention_patrol_standard', lang)} {standard:g}")
    return {**_vega_frame(messages.text("chart_patrols_title", lang), 340, "zh"), "data": {"values": rows},
            "layer": [bars, *rule]}


def hazard_level_bars_vega(rectification: pl.DataFrame, lang: str) -> dict:
    """Hazards due in the period by level: rectified on time, late, still open (overdue) and rectified
    without a date, stacked (prevention/rectification_on_time, the level rows), as a Vega-Lite spec."""
    levels = [r for r in rectification.to_dicts() if not r["is_total"]]
    levels.sort(key=lambda r: HAZARD_LEVELS.index(r["level"]) if r["level"] in HAZARD_LEVELS else len(HAZARD_LEVELS))
    series = (("on_time", "series_on_time", WITHIN_COLOUR), ("late", "series_late", LATE_COLOUR),
              ("overdue", "series_overdue", TARGET_COLOUR), ("undated", "series_undated", UNDATED_COLOUR))
    names = [messages.text(key, lang) for _, key, _ in series]
    tallest = max([sum(int(r[column] or 0) for column, _, _ in series) for r in levels] + [1])
    rows = [{"level": messages.label("hazard_level", r["level"], lang), "rank": rank, "series": name, "order": k,
             "n": int(r[column] or 0),
             # a segment's number inside it, where it has room (a twelfth of the tallest bar)
             "shown": f"{int(r[column]):,}" if (r[column] or 0) >= tallest / 12 else ""}
            for rank, r in enumerate(levels) for k, ((column, _, _), name) in enumerate(zip(series, names))]
    hazards = messages.text("axis_hazards", lang)
    y = {"field": "n", "type": "quantitative", "stack": "zero", "title": hazards}
    return {
        **_vega_frame(messages.text("chart_hazard_levels_title", lang), 340, lang),
        "data": {"values": rows},
        "encoding": {"x": {**_vega_categories("level", lang), "axis": {"labelAngle": 0}}, "y": y,
                     "order": {"field": "order"}},
        "layer": [
            {"mark": "bar", "encoding": {
                "color": {"field": "series", "type": "nominal", "title": None, "legend": _vega_legend(lang, columns_en=2),
                          "scale": {"domain": names, "range": [c for _, _, c in series]}},
                "tooltip": [{"field": "level", "title": messages.text("col_hazard_level", lang)},
                            {"field": "series", "title": None}, {"field": "n", "title": hazards, "format": ","}]}},
            {"mark": {"type": "text", "baseline": "top", "dy": 4, "color": "white"},
             "encoding": {"detail": {"field": "series"}, "text": {"field": "shown"}}},
        ],
    }


def outreach_bars_vega(reach: pl.DataFrame, lang: str) -> dict:
    """People reached by outreach per 10,000 residents, by district (prevention/outreach_reach), as a
    Vega-Lite spec."""
    rows = [{"district": messages.label("district", r["district"], lang), "rank": rank,
             "v": None if r["reach_per_10k"] is None else float(r["reach_per_10k"]),
             "shown": messages.DASH if r["reach_per_10k"] is None else f"{float(r['reach_per_10k']):,.1f}"}
            for rank, r in enumerate(reach.to_dicts())]
    return _bars_with_numbers(rows, "district", messages.text("chart_outreach_title", lang),
                              messages.text("prevention_reach_per_10k", lang), lang, 340)


def drills_by_discipline_bars_vega(drills: pl.DataFrame, lang: str) -> dict:
    """Drills per station in the year by station type, one bar per discipline side by side
    (prevention/drills_by_discipline), as a Vega-Lite spec."""
    types = list(dict.fromkeys(r["station_type"] for r in drills.to_dicts()))
    disciplines = list(dict.fromkeys(r["discipline"] for r in drills.to_dicts()))
    rows = [{"type": messages.label("station_type", r["station_type"], lang), "rank": types.index(r["station_type"]),
             "discipline": messages.label("discipline", r["discipline"], lang),
             "d_rank": disciplines.index(r["discipline"]),
             "v": None if r["drills_per_station"] is None else float(r["drills_per_station"]),
             "shown": messages.DASH if r["drills_per_station"] is None else f"{float(r['drills_per_station']):.2f}"}
            for r in drills.to_dicts()]
    by_rank = {"field": "d_rank", "op": "min"}
    return {
        **_vega_frame(messages.text("chart_drills_title", lang), 360, lang),
        "data": {"values": rows},
        "encoding": {"x": _vega_categories("type", lang), "xOffset": {"field": "discipline", "sort": by_rank},
                     "y": {"field": "v", "type": "quantitative", "title": messages.text("axis_drills_per_station", lang)}},
        "layer": [
            {"mark": "bar", "encoding": {"color": {"field": "discipline", "type": "nominal", "title": None,
                                                   "sort": by_rank, "legend": _vega_legend(lang, columns_en=3)}}},
            {"mark": {"type": "text", "dy": -4, "baseline": "bottom", "fontSize": 10},
             "encoding": {"text": {"field": "shown"}}},
        ],
    }


def training_bars_vega(training: pl.DataFrame, lang: str) -> dict:
    """Training hours per staff member so far this year (bars) against the requirement to date (a red
    mark), by station type and discipline (prevention/training), as a Vega-Lite spec."""
    done, due = messages.text("series_hours_per_staff", lang), messages.text("series_hours_to_date", lang)
    rows = [{"group": f"{messages.label('station_type', r['station_type'], lang)} · "
                      f"{messages.label('discipline', r['discipline'], lang)}", "rank": rank,
             "hours": None if r["hours_per_staff"] is None else float(r["hours_per_staff"]),
             "due": None if r["standard_hours_to_date"] is None else float(r["standard_hours_to_date"])}
            for rank, r in enumerate(training.to_dicts())]
    colour = {"type": "nominal", "title": None, "legend": _vega_legend(lang),
              "scale": {"domain": [done, due], "range": [OPENED_COLOUR, TARGET_COLOUR]}}
    hours = messages.text("prevention_training_hours", lang)
    tooltip = [{"field": "group", "title": None}, {"field": "hours", "title": done, "format": ".1f"},
               {"field": "due", "title": due, "format": ".1f"}]
    # a bar per type and discipline, one under another: their names stand level and whole in any language
    return {
        **_vega_frame(messages.text("chart_training_title", lang), 110 + 17 * len(rows), "zh"),
        "data": {"values": rows},
        "encoding": {"y": {"field": "group", "type": "nominal", "sort": {"field": "rank", "op": "min"}, "title": None,
                           "axis": {"labelLimit": 400, "labelOverlap": False}}},
        "layer": [
            {"mark": "bar", "encoding": {"x": {"field": "hours", "type": "quantitative", "title": hours},
                                         "color": {"datum": done, **colour}, "tooltip": tooltip}},
            {"mark": {"type": "tick", "thickness": 3}, "encoding": {"x": {"field": "due", "type": "quantitative"},
                                                                    "color": {"datum": due, **colour}, "tooltip": tooltip}},
        ],
    }


def desk_service_bars_vega(services: pl.DataFrame, lang: str) -> dict:
    """Times served at the stations' convenience desks in the period, by service (prevention/desk_services),
    as a Vega-Lite spec."""
    rows = [{"service": messages.label("desk_service", r["service"], lang), "rank": rank,
             "v": int(r["times_served"] or 0), "shown": f"{int(r['times_served'] or 0):,}"}
            for rank, r in enumerate(services.to_dicts())]
    return _bars_with_numbers(rows, "service", messages.text("chart_desk_title", lang),
                              messages.text("prevention_services", lang), lang, 320)


def payoff_scatter_vega(payoff: pl.DataFrame, lang: str) -> dict:
    """Per street and quarter whose following quarter is over: patrols per 10,000 residents in the
    quarter against fires per 10,000 residents in the next one, a colour per quarter (prevention/payoff),
    as a Vega-Lite spec."""
    done = [r for r in payoff.to_dicts() if r["next_quarter_complete"]]
    quarters = sorted({(r["year"], r["quarter"]) for r in done})
    rows = [{"x": float(r["patrols_per_10k"] or 0), "y": float(r["fires_next_quarter_per_10k"] or 0),
             "quarter": messages.text("quarter_label", lang, year=r["year"], quarter=r["quarter"]),
             "rank": quarters.index((r["year"], r["quarter"])),
             "street": f"{messages.label('district', r['district'], lang)} {r['street'] or ''}".strip()} for r in done]
    patrols, fires = messages.text("prevention_patrol_intensity", lang), messages.text("prevention_fires_next_quarter", lang)
    return {
        **_vega_frame(messages.text("chart_payoff_title", lang), 420, "zh"),
        "data": {"values": rows},
        "mark": {"type": "circle", "size": 50, "opacity": 0.8},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": patrols},
            "y": {"field": "y", "type": "quantitative", "title": fires},
            "color": {"field": "quarter", "type": "nominal", "title": None, "sort": {"field": "rank", "op": "min"},
                      "legend": _vega_legend(lang, columns=6, columns_en=4)},
            "tooltip": [{"field": "street", "title": None}, {"field": "quarter", "title": None},
                        {"field": "x", "title": patrols, "format": ".1f"}, {"field": "y", "title": fires, "format": ".2f"}],
        },
    }


# the coverage page's series, one colour each (its map's legend keeps the cover classes' own colours)
COVERAGE_SERIES_COLOURS = [OPENED_COLOUR, "#8d6e63", WITHIN_COLOUR, "#7b1fa2"]


def coverage_trend_vega(trend: pl.DataFrame, lang: str) -> dict:
    """Month-end shares of residents and area within reach of the stations then open, the incidents'
    expected 5-minute rate and the residents with a second station in reach (`emss.coverage.coverage_trend`
    with a spread), as a Vega-Lite spec: the Coverage page's charts sit under its map, whose first screen
    would otherwise wait for Plotly's library (see `target_bars_vega`)."""
    fields = [("population_share", "series_cov_population"), ("area_share", "series_cov_area"),
              ("incident_expected_share", "series_cov_incidents_expected"), ("population_backup_share", "series_cov_backup")]
    series = [messages.text(key, lang) for _, key in fields]
    rows = [{"date": d.isoformat(), "series": name, "share": v, "shown": messages.fmt_pct(v),
             "stations": messages.text("hover_stations", lang, n=messages.fmt_int(n))}
            for (field, _), name in zip(fields, series)
            for d, v, n in zip(trend["date"].to_list(), trend[field].to_list(), trend["stations"].to_list()) if v is not None]
    share = messages.text("axis_cov_share", lang)
    return {
        **_vega_frame(None, 380, "zh"),  # the section's heading names it; dates slant alike in either language
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "timeUnit": "utcyearmonthdate", "title": None,
                  "axis": {"format": "%Y-%m", "labelAngle": -30}},
            "y": {"field": "share", "type": "quantitative", "title": share, "scale": {"domain": [0, 1]},
                  "axis": {"format": ".0%"}},
            "color": {"field": "series", "type": "nominal", "title": None, "sort": series, "legend": _vega_legend(lang, 2, 1),
                      "scale": {"domain": series, "range": COVERAGE_SERIES_COLOURS}},
            "tooltip": [{"field": "date", "type": "temporal", "timeUnit": "utcyearmonthdate", "format": "%Y-%m-%d",
                         "title": messages.text("col_month_end", lang)},
                        {"field": "series", "title": None}, {"field": "shown", "title": share},
                        {"field": "stations", "title": None}],
        },
    }


def coverage_reconcile_vega(by_band: pl.DataFrame, lang: str) -> dict:
    """Per band of distance to the nearest station, the share of incidents reached within the target as
    measured, as the model expects, and inside the straight-line circle (`emss.coverage.reconcile`'s
    bands), grouped bars as a Vega-Lite spec (see `coverage_trend_vega`)."""
    fields = [("measured", "series_cov_measured"), ("modelled", "series_cov_modelled"), ("circle", "series_cov_circle")]
    series = [messages.text(key, lang) for _, key in fields]
    rows = [{"group": g, "rank": rank, "series": name, "share": r[field], "shown": messages.fmt_pct(r[field]),
             "timed": messages.text("hover_timed", lang, n=messages.fmt_int(r["timed"]))}
            for rank, (g, r) in enumerate(zip(by_band["group"].to_list(), by_band.to_dicts()))
            for (field, _), name in zip(fields, series) if r[field] is not None]
    share = messages.text("axis_within_target_share", lang)
    return {
        **_vega_frame(None, 360, lang),
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "x": {**_vega_categories("group", lang), "title": messages.text("axis_nearest_distance", lang)},
            "xOffset": {"field": "series", "sort": series},
            "y": {"field": "share", "type": "quantitative", "title": share, "scale": {"domain": [0, 1]},
                  "axis": {"format": ".0%"}},
            "color": {"field": "series", "type": "nominal", "title": None, "sort": series, "legend": _vega_legend(lang),
                      "scale": {"domain": series, "range": COVERAGE_SERIES_COLOURS[:3]}},
            "tooltip": [{"field": "group", "title": messages.text("axis_nearest_distance", lang)},
                        {"field": "series", "title": None}, {"field": "shown", "title": share},
                        {"field": "timed", "title": None}],
        },
    }


def reject_months_vega(by_month: pl.DataFrame, lang: str) -> dict:
    """Rejected incident rows by month and rule, stacked (quality/reasons_by_month), as a Vega-Lite spec:
    the Quality page's only chart, so its tiles do not wait for Plotly's library (see `target_bars_vega`)."""
    months = sorted(set(by_month["month"].to_list()))
    rank = {m: i for i, m in enumerate(months)}
    rows = [{"month": f"{r['month'].year}年{r['month'].month}月" if lang == "zh" else f"{r['month']:%Y-%m}",
             "rank": rank[r["month"]], "rule": messages.rule_label(r["rule"], lang), "rows": r["rows"]}
            for r in by_month.to_dicts()]
    rows_title = messages.text("col_rows", lang)
    return {
        **_vega_frame(messages.text("quality_reasons_by_month", lang), 320, lang),
        "data": {"values": rows},
        "mark": "bar",
        "encoding": {
            "x": {**_vega_categories("month", lang), "title": messages.text("axis_month", lang)},
            "y": {"field": "rows", "type": "quantitative", "stack": "zero", "title": rows_title},
            "color": {"field": "rule", "type": "nominal", "title": None, "legend": {"orient": "top"}},
            "tooltip": [{"field": "month", "title": messages.text("axis_month", lang)},
                        {"field": "rule", "title": messages.text("col_rule", lang)},
                        {"field": "rows", "title": rows_title, "format": ","}],
        },
    }


# ---- the workbench's suggested chart ---------------------------------------------------------

SUGGESTED_TIME_AXES = ("week_start", "call_date", "month", "week", "as_of")
SUGGESTED_CATEGORY_AXES = ("district", "station_type", "incident_type", "channel")
# Numbers that are positions, clock readings or keys, never a measure to draw per category
NOT_MEASURES = {"call_hour", "call_weekday", "hour", "weekday", "year", "lat", "lon", "batch_id", "source_row",
                "rank", "arrival_rank", "hour_from", "hour_to"}


# Result columns whose words the catalog keeps under another key, the one the pages' tables use.
_COLUMN_KEYS = {"within_target_rate": "col_rate"}


def column_title(column: str, lang: str) -> str:
    """A result column's name in the reader's words where the catalog has them (col_<name>), else as named."""
    key = _COLUMN_KEYS.get(column, f"col_{column}")
    return messages.text(key, lang) if key in messages.STRINGS else column


def _axis_text(column: str, value: object, lang: str) -> str:
    """A value of the suggested chart's x axis as the reader says it: a name, a date, a duration."""
    if value is None:
        return messages.DASH
    if column in SUGGESTED_CATEGORY_AXES:
        return messages.label(column, value, lang)
    if column == "bin_start_s":
        return messages.fmt_duration(value, lang)
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _measure_text(column: str, value: object, lang: str) -> str:
    """A value of the suggested chart's measure as the reader says it; a dash where there is none."""
    if column.endswith("_rate"):
        return messages.fmt_pct(value)
    if column.endswith("_s"):
        return messages.fmt_duration(value, lang)
    return tables.cell_text(value, tables.COUNT if isinstance(value, int) else tables.NUMBER, lang)


def suggested_chart(frame: pl.DataFrame, lang: str) -> dict | None:
    """A first look at a named query's result (the workbench): a line over time, or bars over a
    category, of its first rate, else its first measure. A result with several rows per time or
    category (one row per incident, say) is counted per time or category instead: a measure is
    never summed, since summing hours or rates means nothing. None when nothing fits.

    A Vega-Lite spec, like `target_bars_vega` and for the same reason: the workbench's first screen
    is a table, and Plotly's library would hold it back. Names and values go in only as data rows;
    the x axis is their text in the rows' order (`rank`), so a date is never moved by the browser's
    time zone."""
    x = next((c for c in SUGGESTED_TIME_AXES if c in frame.columns), None)
    kind = "line"
    if x is None:
        x = next((c for c in SUGGESTED_CATEGORY_AXES if c in frame.columns), None) or (
            "bin_start_s" if "bin_start_s" in frame.columns else None)
        kind = "bar"
    if x is None or frame.height < 2:
        return None
    if frame[x].n_unique() < frame.height:
        frame, y, y_title = frame.group_by(x).len("rows").sort(x), "rows", messages.text("col_rows", lang)
    else:
        measures = [c for c, t in frame.schema.items() if t.is_numeric() and c != x and c not in NOT_MEASURES
                    and not c.endswith("_id")]
        if not measures:
            return None
        y = next((c for c in measures if c.endswith("_rate")), measures[0])
        y_title = column_title(y, lang)
    if kind == "line":
        frame = frame.sort(x, nulls_last=True)
    x_title = column_title(x, lang)
    rows = [{"x": _axis_text(x, xv, lang), "rank": rank, "y": None if tables.is_missing(yv) else yv,
             "shown": _measure_text(y, yv, lang)}
            for rank, (xv, yv) in enumerate(zip(frame[x].to_list(), frame[y].to_list()))]
    axis = {**_vega_categories("x", lang), "title": x_title}
    if kind == "line":  # dates and weeks: level in both languages, every other one left out when they crowd
        axis["axis"] = {"labelAngle": 0, "labelOverlap": "greedy"}
    y_axis = {"field": "y", "type": "quantitative", "title": y_title}
    if y.endswith("_rate"):
        y_axis["axis"] = {"format": ".0%"}
    return {
        **_vega_frame(None, 340, lang),
        "data": {"values": rows},
        "mark": {"type": "line", "point": True} if kind == "line" else "bar",
        "encoding": {"x": axis, "y": y_axis,
                     "tooltip": [{"field": "x", "title": x_title}, {"field": "shown", "title": y_title}]},
    }
