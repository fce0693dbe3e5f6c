"""总览 Overview: the Monday board for the weekly meeting. Its first screen answers three questions:
is the 5-minute promise kept this week, is this year's build-out on pace, and what is getting worse.
Below it, the period's response figures and the build-out by station type.

The page draws no Plotly chart: in the browser Plotly's library takes about a second to load, and the
tiles wait for every chart of the page's first draw. The build-out chart is Vega-Lite, as the tiles'
sparklines are (`figures.target_bars_vega`).

Named queries: response/weekly_trend, response/rules, stations/vs_target, stations/readiness_summary,
overview/worsening, response/kpi, prevention/rectification_on_time, prevention/overdue_hazards.
"""

import datetime as dt

import polars as pl
import streamlit as st

from dashboard import data, i18n, printing, sections
from dashboard.filters import current
from dashboard.plain import md
from emss import figures

QUERIES = ["response/weekly_trend", "response/rules", "stations/vs_target", "stations/readiness_summary",
           "overview/worsening", "response/kpi", "prevention/rectification_on_time", "prevention/overdue_hazards"]
TREND_WEEKS = 12   # the sparklines' weeks, this one included
WORSE_SHOWN = 3    # items per dimension under "getting worse"

f = current()
lang = f.lang
sections.header("overview_title", f, QUERIES)


def day(d: dt.date) -> str:
    return i18n.t("board_day", month=d.month, day=d.day)


def by_types(frame: pl.DataFrame) -> pl.DataFrame:
    """vs_target rows narrowed to the chosen station types (the query takes districts only)."""
    return frame.filter(pl.col("station_type").is_in(list(f.station_types))) if f.station_types else frame


rules = data.response_rules()
# the arrival target in words: "5分钟" / "5 min" when it is whole minutes
target_time = (i18n.t("board_minutes", n=rules.default_target_s // 60) if rules.default_target_s % 60 == 0
               else i18n.fmt_duration(rules.default_target_s))
target_pct = i18n.fmt_pct(rules.target_rate, 0 if round(rules.target_rate * 100, 6).is_integer() else 1)
# This week: Monday of the period's last day up to that day; last week: the seven days before.
monday = f.end - dt.timedelta(days=f.end.weekday())
last_monday = monday - dt.timedelta(days=7)
weekly = data.run("response/weekly_trend", start_date=monday - dt.timedelta(weeks=TREND_WEEKS - 1), end_date=f.end,
                  **f.scope)
weeks = {r["week_start"]: r for r in weekly.iter_rows(named=True)}
this_week, last_week = weeks.get(monday, {}), weeks.get(last_monday, {})

# Stations are counted as of the period's last day; a station-type filter picks the rows.
vs_target = by_types(data.run("stations/vs_target", as_of=f.end, districts=list(f.districts)))
year = vs_target["year"][0] if vs_target.height else f.end.year
totals = sections.build_totals(vs_target)
pace = sections.build_pace(vs_target)
# Targets are set city-wide or per district; with districts chosen and none of theirs loaded, say
# whether a city-wide target exists (it says nothing about one district's share).
city_target = None
if f.districts and not totals["has_target"]:
    city_target = sections.build_totals(by_types(data.run("stations/vs_target", as_of=f.end)))["target"]
readiness = data.one("stations/readiness_summary", **f.scope)
worsening = data.run("overview/worsening", **f.period)

# ---- the verdict tiles -----------------------------------------------------------------
st.markdown(i18n.t("board_week", start=day(monday), end=day(f.end), last_start=day(last_monday),
                   last_end=day(monday - dt.timedelta(days=1))))

rate, timed = this_week.get("within_target_rate"), int(this_week.get("timed") or 0)
last_rate = last_week.get("within_target_rate")
p90, last_p90 = this_week.get("p90_response_s"), last_week.get("p90_response_s")
judged = timed >= rules.min_incidents  # too few incidents: shown, not judged
rate_status = sections.rate_status(rate, rules.target_rate) if judged else None
p90_status = sections.time_status(p90, rules.default_target_s) if judged else None
trend = weekly.filter(pl.col("timed") > 0)

with st.container(horizontal=True, gap="small", vertical_alignment="distribute"):
    change = None if rate is None or last_rate is None else round((rate - last_rate) * 100, 1)
    st.metric(i18n.t("board_rate", target=target_pct),
              sections.coloured(i18n.fmt_pct(rate), rate_status),
              delta=None if change is None else i18n.t("delta_pp", d=f"{change:+.1f}"),
              delta_color="normal" if change else "off", delta_arrow="auto" if change else "off",
              delta_description=i18n.t("board_vs_last_week"), help=i18n.t("board_rate_help"),
              chart_data=[round(r * 100, 1) for r in trend["within_target_rate"]] or None, border=True)

    seconds = None if p90 is None or last_p90 is None else round(p90 - last_p90)
    st.metric(i18n.t("board_p90", target=target_time),
              sections.coloured(i18n.fmt_duration(p90), p90_status),
              delta=None if seconds is None else ("+" if seconds > 0 else "-" if seconds < 0 else "")
              + i18n.fmt_duration(abs(seconds)),
              delta_color="inverse" if seconds else "off", delta_arrow="auto" if seconds else "off",
              delta_description=i18n.t("board_vs_last_week"), help=i18n.t("board_p90_help"),
              chart_data=[round(s / 60, 2) for s in trend["p90_response_s"]] or None, border=True)

    opened, target = totals["opened"], totals["target"]
    if pace:
        behind, colour = pace["behind"], sections.STATUS_COLOURS[pace["status"]]
        if opened > target:
            delta, arrow = i18n.t("target_over", n=opened - target), "up"
        elif behind > 0:
            delta, arrow = i18n.t("pace_behind", n=behind), "down"
        elif behind < 0:
            delta, arrow = i18n.t("pace_ahead", n=-behind), "up"
        else:
            delta, arrow = i18n.t("pace_on"), "off"
        st.metric(i18n.t("board_build", year=year),
                  sections.coloured(f"{opened:,} / {target:,}", pace["status"]), delta=delta, delta_color=colour,
                  delta_arrow=arrow, delta_description=i18n.t("board_due", n=pace["due"]),
                  help=i18n.t("board_build_help"), border=True)
    else:
        st.metric(i18n.t("board_build", year=year), f"{opened:,} / {i18n.DASH}",
                  delta=i18n.t("target_no_district" if city_target else "target_none"),
                  delta_color="off", delta_arrow="off", help=i18n.t("board_build_help"), border=True)

    st.metric(i18n.t("board_compliant"), i18n.fmt_pct(readiness.get("compliant_rate")), help=i18n.t("kpi_compliant_help"),
              delta=i18n.t("board_compliant_count", n=i18n.fmt_int(readiness.get("compliant")),
                           total=i18n.fmt_int(readiness.get("stations_in_service"))),
              delta_color="off", delta_arrow="off", border=True)

# ---- the verdicts in words ----------------------------------------------------------------
def status_words(kind: str, status: str | None) -> str:
    """rate_status_* / time_status_* in the status colour; not judged: too few incidents."""
    if status is None:
        return i18n.t(f"{kind}_status_small", min=rules.min_incidents)
    return sections.coloured(i18n.t(f"{kind}_status_{status}"), status)


verdicts = []  # one paragraph, a line each: the first screen has little height to spare
if timed == 0:
    verdicts.append(i18n.t("verdict_no_week", start=day(monday), end=day(f.end)))
else:
    verdicts.append(i18n.t("verdict_rate", rate=i18n.fmt_pct(rate), within=i18n.fmt_int(this_week.get("within_target")),
                       timed=i18n.fmt_int(timed), status=status_words("rate", rate_status),
                       target=target_pct, p90=i18n.fmt_duration(p90),
                       p90_status=status_words("time", p90_status), target_s=target_time))
if pace:
    behind, gap = pace["behind"], pace["year_end_gap"]
    pace_words = (i18n.t("pace_behind", n=behind) if behind > 0 else i18n.t("pace_ahead", n=-behind) if behind < 0
                  else i18n.t("pace_on"))
    verdicts.append(i18n.t("verdict_build", year=year, due=pace["due"], opened=pace["opened"],
                       pace=sections.coloured(pace_words, pace["status"]), projected=pace["projected"],
                       year_end=(i18n.t("year_end_short", n=-gap) if gap < 0 else i18n.t("year_end_over", n=gap) if gap > 0
                                 else i18n.t("year_end_on")), target=pace["target"]))
elif city_target:
    verdicts.append(i18n.t("verdict_build_city_only", year=year, opened=totals["opened"], target=city_target))
else:
    verdicts.append(i18n.t("verdict_build_none", year=year, opened=totals["opened"]))
st.markdown("  \n".join(verdicts))

# ---- what is getting worse -----------------------------------------------------------------
st.markdown(i18n.t("worse_heading", start=day(f.start), end=day(f.end), days=f.days, min=rules.min_incidents))
# a fall that rounds to 0.0 points is no news
worse = worsening.filter(pl.col("rate_change") <= -0.0005)
for col, dimension in zip(st.columns(3), ("district", "station_type", "station")):
    rows = worse.filter(pl.col("dimension") == dimension).head(WORSE_SHOWN)
    lines = [f"**{i18n.t(f'worse_dim_{dimension}')}**"]
    for r in rows.iter_rows(named=True):
        name = (r["group_name"] or r["group_code"]) if dimension == "station" else i18n.label(dimension, r["group_code"])
        lines.append(i18n.t("worse_item", name=md(name), before=i18n.fmt_pct(r["previous_within_target_rate"]),
                            after=i18n.fmt_pct(r["within_target_rate"]),
                            change=sections.coloured(i18n.t("worse_points", d=f"{r['rate_change'] * 100:+.1f}"), "below"),
                            n_before=i18n.fmt_int(r["previous_timed"]), n_after=i18n.fmt_int(r["timed"])))
    if rows.height == 0:
        lines.append(i18n.t("worse_none", min=rules.min_incidents))
    col.markdown("  \n".join(lines))

# ---- arrival within 5 minutes over the period ----------------------------------------------
st.subheader(i18n.t("section_response"))
kpi = data.one("response/kpi", **f.period)
if not kpi or int(kpi["incidents"] or 0) == 0:
    st.info(i18n.t("no_incidents", start=f.start.isoformat(), end=f.end.isoformat()))
else:
    sections.response_kpis(kpi, with_incident_counts=False, wrap=True)
    st.caption(i18n.t("rate_count_caption", within=i18n.fmt_int(kpi["within_target"]),
                      arrived=i18n.fmt_int(kpi["arrived"]), incidents=i18n.fmt_int(kpi["incidents"]),
                      without=i18n.fmt_int(kpi["without_arrival"])))

# ---- build-out against the year's target -------------------------------------------------
st.subheader(i18n.t("section_build"))
if vs_target.height == 0:
    st.info(i18n.t("no_stations"))
else:
    st.metric(i18n.t("kpi_in_service"), i18n.fmt_int(totals["in_service"]), help=i18n.t("kpi_in_service_help"),
              border=True, width="content")
    notice = sections.notice_place()
    if city_target:
        notice.info(i18n.t("targets_city_only", year=year, target=city_target))
    elif not totals["has_target"]:
        notice.info(i18n.t("no_targets", year=year))
    # Vega-Lite, not Plotly: no other chart here needs Plotly, whose library would hold the tiles above
    st.vega_lite_chart(figures.target_bars_vega(vs_target, lang), key="overview_target_bars")
    st.dataframe(sections.build_table(vs_target, lang), hide_index=True, key="overview_target_table")
    printing.table_for_print(sections.build_outline(vs_target, lang), "overview_target_table")  # the grid prints only what is in view

# ---- prevention: hazards rectified on time, serious hazards overdue (the Prevention page has the rest)
st.subheader(i18n.t("section_overview_prevention"))
rectified = data.run("prevention/rectification_on_time", **f.period).filter(pl.col("is_total"))
rectified = rectified.row(0, named=True) if rectified.height else {}
overdue = data.run("prevention/overdue_hazards", as_of=f.end, **f.scope)
row = sections.tile_row()
row.metric(i18n.t("prevention_kpi_on_time"), i18n.fmt_pct(rectified.get("on_time_rate")), border=True,
           delta=i18n.t("prevention_kpi_on_time_count", on_time=i18n.fmt_int(rectified.get("on_time")),
                        due=i18n.fmt_int(rectified.get("due"))),
           delta_color="off", delta_arrow="off", help=i18n.t("prevention_kpi_on_time_help"))
row.metric(i18n.t("prevention_kpi_major_overdue"), i18n.fmt_int(overdue.filter(pl.col("level") == "serious").height),
           border=True, delta=i18n.t("prevention_kpi_all_overdue", n=i18n.fmt_int(overdue.height)),
           delta_color="off", delta_arrow="off", help=i18n.t("prevention_kpi_major_overdue_help", date=i18n.fmt_date(f.end)))
st.page_link("app_pages/prevention.py", label=i18n.t("overview_prevention_link"))
