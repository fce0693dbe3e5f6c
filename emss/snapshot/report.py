"""The weekly report as one self-contained HTML file: opens from disk with no network, prints on A4.

plotly.js is inlined once in the page head and every figure is drawn with it;
the district map is drawn as plain cartesian polygons (`go.Scatter(fill="toself")`)
from the shipped boundaries, because plotly's geo charts fetch a world map from
a CDN and pydeck's HTML loads deck.gl from one. Every figure gets a fixed id
and a fixed size, so the same tables always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
from plotly.colors import sample_colorscale
from plotly.offline import get_plotlyjs

from emss import figures, messages, settings
from emss import profiles
from emss.geo import load_districts
from emss.snapshot.history import Batch
from emss.snapshot.tables import TABLES, TREND_WEEKS, SummaryRow, week_rows
from emss.snapshot.week import Week

FIGURE_WIDTH = 660  # px: inside the A4 text width (186 mm is 703 px at 96 dpi) with room to spare
FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
# The map's colour scale: red at or below 50 % within 5 minutes, green at 100 %.
RATE_FLOOR = 0.5
NO_DATA_COLOUR = "#eceff1"


@dataclass(frozen=True)
class ReportInfo:
    week: Week
    as_of: dt.date
    cut_at: dt.datetime | None
    revision: int
    data_version: str
    batches: tuple[Batch, ...]
    software: str
    # the response-time rules the warehouse was built with (the `response/rules` query): the
    # target line and the smallest sample worth judging, as the figures were judged
    rules: settings.ResponseRules


# ---- numbers as the report writes them ---------------------------------------------

def fmt_value(value: float | None, kind: str, lang: str) -> str:
    if kind == "pct":
        return messages.fmt_pct(value)
    if kind == "duration":
        return messages.fmt_duration(value, lang)
    return messages.fmt_int(value)


def fmt_change(value: float | None, kind: str, lang: str) -> str:
    if value is None:
        return messages.DASH
    if kind == "pct":
        return messages.text("snap_pp", lang, delta=f"{value * 100:+.1f}")
    if kind == "duration":
        text = messages.fmt_duration(value, lang)
        return text if value < 0 else "+" + text
    return messages.fmt_delta(int(round(value)))


# ---- figures -----------------------------------------------------------------------

def _print_layout(fig: go.Figure, height: int) -> go.Figure:
    # a wider right margin keeps the last slanted date label on the page
    fig.update_layout(width=FIGURE_WIDTH, height=height, font={"family": FONT}, hovermode=False,
                      margin={"r": 40})
    return fig


def rate_colour(rate: float | None) -> str:
    if rate is None:
        return NO_DATA_COLOUR
    share = min(max((float(rate) - RATE_FLOOR) / (1 - RATE_FLOOR), 0.0), 1.0)
    return sample_colorscale("RdYlGn", [share])[0]


def _rings(geometry: dict) -> list[list[list[float]]]:
    """The outer rings of a Polygon or MultiPolygon (holes are not drawn at this scale)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [polygon[0] for polygon in polygons]


def district_map(by_district: pl.DataFrame, lang: str) -> go.Figure:
    """Districts filled by the week's 5-minute rate (response/by_district), drawn as plain polygons."""
    rates = {r["district"]: r for r in by_district.iter_rows(named=True)}
    collection = profiles.current().boundaries()
    fig = go.Figure()
    for feature in collection["features"]:
        code = feature["properties"]["district"]
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in _rings(feature["geometry"]):
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        row = rates.get(code)
        fig.add_scatter(x=xs, y=ys, mode="lines", fill="toself", line={"color": "#546e7a", "width": 1},
                        fillcolor=rate_colour(row["within_target_rate"] if row else None),
                        showlegend=False, hoverinfo="skip")
    # a label on a point inside each district: the rate and the arrivals it rests on,
    # on a pale box so it reads on any fill
    for code, district in load_districts().items():
        point = district.geometry.representative_point()
        row = rates.get(code)
        if row and row["arrived"]:
            figure = f"{messages.fmt_pct(row['within_target_rate'])} ({messages.fmt_int(row['arrived'])})"
        else:
            figure = messages.text("snap_map_no_data", lang)
        fig.add_annotation(x=point.x, y=point.y, showarrow=False, bgcolor="rgba(255,255,255,0.8)", borderpad=1,
                           text=f"<b>{html.escape(messages.label('district', code, lang))}</b><br>{figure}",
                           font={"size": 10, "color": "#263238"})
    # an invisible trace carries the colour bar
    fig.add_scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                    marker={"colorscale": "RdYlGn", "cmin": RATE_FLOOR, "cmax": 1.0, "color": [RATE_FLOOR],
                            "showscale": True,
                            "colorbar": {"title": {"text": messages.text("axis_rate", lang)}, "tickformat": ".0%",
                                         "thickness": 12, "len": 0.8}})
    mid_lat = 22.65
    fig.update_xaxes(visible=False)
    # a degree of latitude is longer than a degree of longitude by 1 / cos(latitude)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mid_lat)))
    fig.update_layout(title={"text": messages.text("snap_map_title", lang), "x": 0, "xanchor": "left"},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white")
    return _print_layout(fig, 500)


def draw(tables: dict[str, pl.DataFrame], week: Week, lang: str, target_s: int) -> dict[str, go.Figure]:
    """The report's figures by element id, drawn by the dashboard's figure builders (emss.figures)
    where it has one; `target_s` is the target line (the warehouse's rules, `ReportInfo.rules`)."""
    trend = tables["response_weekly_trend"]
    trend_start = week.start - dt.timedelta(weeks=TREND_WEEKS - 1)
    out = {
        "fig-trend-rate": _print_layout(figures.weekly_rate(trend, trend_start, week.end, lang), 320),
        "fig-district-map": district_map(week_rows(tables["response_by_district"], week), lang),
        "fig-histogram": _print_layout(figures.response_histogram(tables["response_histogram"], lang, target_s), 330),
        "fig-trend-p90": _print_layout(figures.weekly_p90(trend, trend_start, week.end, lang, target_s), 320),
    }
    vs_target = week_rows(tables["stations_vs_target"], week)
    if vs_target.height:
        out["fig-target"] = _print_layout(figures.target_bars(vs_target, lang), 360)
    return out


def figure_html(fig: go.Figure, element_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=element_id,
                       config={"displayModeBar": False, "staticPlot": True})


# ---- HTML pieces ---------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 12mm 12mm 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: %s; color: #212121; font-size: 10.5pt; line-height: 1.45;
       max-width: 186mm; margin: 0 auto; padding: 8mm 0; background: white; }
h1 { font-size: 19pt; margin: 0 0 1mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 2px solid #c62828; padding-bottom: 1mm; }
.week { font-size: 12pt; margin: 0 0 1mm; }
.meta, .note, footer { color: #616161; font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%%; font-size: 9.5pt; margin: 1mm 0 2mm; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f5f5f5; font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
section, .figure, table { break-inside: avoid; page-break-inside: avoid; }
.page { break-before: page; page-break-before: always; }
footer { margin-top: 6mm; border-top: 1px solid #e0e0e0; padding-top: 2mm; }
@media screen { body { padding: 8mm 4mm; } }
""" % FONT


def _e(text: object) -> str:
    return html.escape(str(text))


def _table(headers: list[tuple[str, bool]], rows: list[list[tuple[str, bool, dict[str, str]]]]) -> str:
    """A plain HTML table; each cell is (text, is_number, extra attributes)."""
    head = "".join(f'<th{" class=num" if num else ""}>{_e(h)}</th>' for h, num in headers)
    body = []
    for row in rows:
        cells = []
        for text, num, attrs in row:
            extra = "".join(f' {k}="{_e(v)}"' for k, v in attrs.items())
            cells.append(f'<td{" class=num" if num else ""}{extra}>{_e(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def headline_table(rows: list[SummaryRow], lang: str) -> str:
    """本周 / 上周 / 变化 for each headline KPI; cells carry data-kpi so a test can find them."""
    headers = [(messages.text("snap_col_kpi", lang), False), (messages.text("snap_col_this_week", lang), True),
               (messages.text("snap_col_last_week", lang), True), (messages.text("snap_col_change", lang), True)]
    body = []
    for r in rows:
        body.append([
            (messages.text(r.label_key, lang), False, {}),
            (fmt_value(r.this_week, r.kind, lang), True, {"data-kpi": r.kpi, "data-week": "this"}),
            (fmt_value(r.last_week, r.kind, lang), True, {"data-kpi": r.kpi, "data-week": "last"}),
            (fmt_change(r.change, r.kind, lang), True, {"data-kpi": r.kpi, "data-week": "change"}),
        ])
    return _table(headers, body)


def district_table(tables: dict[str, pl.DataFrame], week: Week, lang: str, min_sample: int) -> str:
    """The week's districts against last week's; a district with fewer than `min_sample` arrivals is marked."""
    this = {r["district"]: r for r in week_rows(tables["response_by_district"], week).iter_rows(named=True)}
    last = {r["district"]: r for r in week_rows(tables["response_by_district"], week.previous()).iter_rows(named=True)}
    headers = [(messages.text("col_district", lang), False), (messages.text("col_incidents", lang), True),
               (messages.text("col_arrived", lang), True), (messages.text("col_rate", lang), True),
               (messages.text("snap_last", lang, name=messages.text("col_rate", lang)), True),
               (messages.text("snap_col_change", lang), True), (messages.text("col_p90", lang), True),
               (messages.text("col_note", lang), False)]
    body = []
    for code, r in this.items():  # in the query's order: the lowest rate first
        previous = last.get(code, {}).get("within_target_rate")
        change = None if r["within_target_rate"] is None or previous is None else r["within_target_rate"] - previous
        few = (r["arrived"] or 0) < min_sample
        body.append([
            (messages.label("district", code, lang), False, {}),
            (messages.fmt_int(r["incidents"]), True, {}),
            (messages.fmt_int(r["arrived"]), True, {}),
            (messages.fmt_pct(r["within_target_rate"]), True, {"data-kpi": "within_target_rate", "data-district": code or ""}),
            (messages.fmt_pct(previous), True, {}),
            (fmt_change(change, "pct", lang), True, {}),
            (messages.fmt_duration(r["p90_response_s"], lang), True, {}),
            (messages.text("note_small", lang) if few else "", False, {}),
        ])
    return _table(headers, body)


def batches_table(batches: tuple[Batch, ...], lang: str) -> str:
    headers = [(messages.text("snap_col_batch", lang), True), (messages.text("snap_col_file", lang), False),
               (messages.text("snap_col_kind", lang), False), (messages.text("snap_col_rows", lang), True),
               (messages.text("snap_col_finished", lang), False)]
    rows = [[(str(b.batch_id), True, {}), (b.source_file, False, {}), (messages.kind_label(b.kind, lang), False, {}),
             (messages.fmt_int(b.rows_loaded), True, {}),
             (b.finished_at.strftime("%Y-%m-%d %H:%M:%S") if b.finished_at else messages.DASH, False, {})]
            for b in batches]
    return _table(headers, rows)


PREVENTION_ROWS = 10  # the overdue hazards the report lists (the workbook lists them all)


def _standard_per_week(tables: dict[str, pl.DataFrame], week: Week) -> str:
    frame = week_rows(tables["prevention_patrols"], week)
    return f"{frame['standard_per_week'][0]:g}" if frame.height else messages.DASH


def prevention_table(tables: dict[str, pl.DataFrame], week: Week, lang: str) -> str:
    """The week's oldest overdue hazards (prevention/overdue_hazards), as the workbook's sheet begins."""
    t = lambda key: messages.text(key, lang)  # noqa: E731
    headers = [(t("col_district"), False), (t("col_street"), False), (t("col_station_name"), False),
               (t("col_hazard_type"), False), (t("col_hazard_level"), False), (t("col_due_on"), False),
               (t("prevention_days_overdue"), True)]
    body = [[(messages.label("district", r["district"], lang), False, {}), (r["street"] or "", False, {}),
             (r["station_name"] or r["station_id"], False, {}), (messages.label("hazard_type", r["hazard_type"], lang), False, {}),
             (messages.label("hazard_level", r["level"], lang), False, {}), (r["due_on"].isoformat(), False, {}),
             (messages.fmt_int(r["days_overdue"]), True, {})]
            for r in week_rows(tables["prevention_overdue"], week).head(PREVENTION_ROWS).iter_rows(named=True)]
    return _table(headers, body)


def build_html(tables: dict[str, pl.DataFrame], summary: list[SummaryRow], info: ReportInfo,
               drawn: dict[str, go.Figure], lang: str = "zh") -> str:
    """The whole report as one HTML string (plotly.js inlined once); `drawn` is `draw(...)`."""
    week = info.week
    figs = {k: figure_html(f, k) for k, f in drawn.items()}
    title = messages.text("snap_report_title", lang)
    heading = messages.text("snap_week_heading", lang, year=week.year, number=week.number,
                        start=week.start.isoformat(), end=week.end.isoformat())
    meta = messages.text("snap_meta_line", lang, as_of=messages.fmt_date(info.as_of, lang),
                     cut_at=info.cut_at.strftime("%Y-%m-%d %H:%M") if info.cut_at else messages.DASH,
                     revision=info.revision, version=info.data_version[:12])
    query_names = ", ".join(dict.fromkeys(spec.query for spec in TABLES))
    html_lang = "zh-CN" if lang == "zh" else "en"
    parts = [
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">',
        f"<title>{_e(title)} {_e(week.label)}</title>",
        f"<style>{CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head>\n<body>",
        f"<header><h1>{_e(title)}</h1><p class=week>{_e(heading)}</p><p class=meta>{_e(meta)}</p></header>",
        f"<section><h2>{_e(messages.text('snap_section_headline', lang))}</h2>",
        headline_table(summary, lang),
        f"<p class=note>{_e(messages.text('snap_response_note', lang, target=info.rules.default_target_s))} "
        f"{_e(messages.text('snap_readiness_note', lang, date=info.as_of.isoformat()))}</p></section>",
        f"<section><h2>{_e(messages.text('snap_section_trend', lang, n=TREND_WEEKS))}</h2>",
        f'<div class="figure">{figs["fig-trend-rate"]}</div></section>',
        f'<section class="page"><h2>{_e(messages.text("section_by_district", lang))}</h2>',
        f'<div class="figure">{figs["fig-district-map"]}</div>',
        district_table(tables, week, lang, info.rules.min_incidents) + "</section>",
        f'<section class="page"><h2>{_e(messages.text("section_response", lang))}</h2>',
        f'<div class="figure">{figs["fig-histogram"]}</div><div class="figure">{figs["fig-trend-p90"]}</div></section>',
        f'<section class="page"><h2>{_e(messages.text("section_build", lang))}</h2>',
        f'<div class="figure">{figs["fig-target"]}</div>' if "fig-target" in figs else "",
        "</section>",
        f"<section><h2>{_e(messages.text('snap_section_prevention', lang, n=PREVENTION_ROWS))}</h2>",
        prevention_table(tables, week, lang),
        f"<p class=note>{_e(messages.text('snap_prevention_note', lang, per_week=_standard_per_week(tables, week)))}</p></section>",
        f"<section><h2>{_e(messages.text('snap_section_batches', lang))}</h2>{batches_table(info.batches, lang)}</section>",
        f"<footer>{_e(messages.text('snap_footer', lang, version=info.software, queries=query_names))}</footer>",
        "</body>\n</html>\n",
    ]
    return "\n".join(parts)
