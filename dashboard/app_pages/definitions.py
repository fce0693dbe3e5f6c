"""指标口径说明 KPI definitions: what every figure on the dashboard counts, what it leaves out and why,
the numbers that define it and the named queries that compute it.

The numbers are never written here: the response-time rules are the warehouse's own (response/rules,
as it was built), the station standard and the coverage model are read from their settings files
(emss/standard.toml, emss/coverage.toml), and each query's title comes from `queries.catalogue()`.
Every text is in emss/messages.toml; query names and titles are shown as text, never as markup.

Named queries: response/rules (the rules on screen); the others are named, not run.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

import queries
from dashboard import data, i18n, plain, response_text, sections
from dashboard.filters import current
from emss import settings

QUERIES = ["response/rules", "prevention/standard"]


@dataclass(frozen=True)
class Definition:
    group: str                 # def_group_<group>
    key: str                   # def_<key>, def_<key>_counts, def_<key>_left_out
    queries: tuple[str, ...]   # the named queries that compute it


# Every figure the pages show, in the order a reader meets them. Tests check that every named query a
# page runs for a figure is listed here.
DEFINITIONS = (
    Definition("response", "rate", ("response/kpi", "response/weekly_trend", "response/by_district",
                                    "response/by_group", "response/hour_weekday", "overview/week_compare",
                                    "overview/worsening")),
    Definition("response", "clock", ("response/rules", "response/exclusions")),
    Definition("response", "fractiles", ("response/kpi", "response/histogram", "response/ecdf", "response/by_group")),
    Definition("response", "phases", ("response/by_group", "incidents/timeline", "stations/station_incidents")),
    Definition("response", "full", ("response/kpi", "incidents/timeline")),
    Definition("response", "target_rate", ("response/weekly_trend", "response/rules")),
    Definition("response", "exceptions", ("incidents/exceptions",)),
    Definition("response", "workload", ("response/station_league", "response/league_period", "stations/station_response",
                                        "stations/station_weekly", "stations/station_incidents")),
    Definition("build", "build", ("stations/vs_target", "stations/build_by_year", "stations/build_by_district",
                                  "stations/by_district")),
    Definition("build", "pace", ("stations/build_trajectory", "stations/vs_target")),
    Definition("readiness", "readiness", ("stations/readiness_summary", "stations/readiness_breakdown",
                                          "stations/readiness_by_check", "stations/readiness_trend",
                                          "stations/register", "stations/station_profile")),
    Definition("inventory", "stock", ("inventory/stock_by_category", "inventory/stock_by_item",
                                      "inventory/station_stock")),
    Definition("inventory", "expiry", ("inventory/expiry_summary", "inventory/expiring")),
    Definition("inventory", "faults", ("inventory/faults",)),
    Definition("inventory", "stale", ("inventory/count_freshness",)),
    Definition("coverage", "coverage", ("coverage/stations", "coverage/travel_samples", "coverage/arrival_samples",
                                        "coverage/incident_points")),
    Definition("coverage", "map", ("map/incident_hexes", "map/station_points")),
    Definition("prevention", "patrols", ("prevention/patrols_per_station_week", "prevention/hazard_rate",
                                         "prevention/standard", "prevention/station")),
    Definition("prevention", "rectification", ("prevention/rectification_on_time", "prevention/overdue_hazards",
                                               "prevention/station")),
    Definition("prevention", "outreach", ("prevention/outreach_reach", "prevention/desk_services")),
    Definition("prevention", "drills", ("prevention/drills", "prevention/drills_by_discipline", "prevention/training",
                                       "prevention/station")),
    Definition("prevention", "payoff", ("prevention/payoff",)),
    Definition("quality", "quality", ("quality/batches", "quality/rule_counts", "quality/reasons_by_month")),
    Definition("quality", "snapshot", ("snapshots/weeks", "snapshots/compare", "snapshots/kpi_history")),
)


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _kit(items: list[settings.KitItem], lang: str) -> str:
    def name(k: settings.KitItem) -> str:
        return k.item if lang == "zh" or not k.name_en else k.name_en
    qty = (lambda k: f"{name(k)}{k.required:g}") if lang == "zh" else (lambda k: f"{name(k)} {k.required:g}")
    return _sep(lang).join(qty(k) for k in items)


def numbers(lang: str) -> dict[str, dict[str, object]]:
    """The fields of each definition's texts, from the rules and settings in force."""
    rules = data.response_rules()
    standard = settings.standard()
    cover = settings.coverage()
    def seconds(s: float) -> str:  # '5分0秒（300秒）': the duration and the seconds the settings say
        return i18n.text("def_seconds", lang, duration=i18n.fmt_duration(s, lang), s=f"{s:g}")
    target = seconds(rules.default_target_s)
    roles = _sep(lang).join(r.name if lang == "zh" else r.name_en for r in standard.roles)
    mandatory = [k for k in standard.kit if k.kit == "mandatory"]
    forest = [k for k in standard.kit if k.kit == "forest"]
    checks = [i18n.text("def_check_staff", lang, min=standard.staff_min, max=standard.staff_max)]
    if roles:
        checks.append(i18n.text("def_check_roles", lang, roles=roles))
    checks.append(i18n.text("def_check_vehicles", lang, n=standard.vehicles_min))
    checks.append(i18n.text("def_check_duty", lang, mode=standard.duty_mode))
    if mandatory:
        checks.append(i18n.text("def_check_mandatory", lang, items=_kit(mandatory, lang)))
    if forest:
        checks.append(i18n.text("def_check_forest", lang, items=_kit(forest, lang)))
    speed = dict(cover.fallback_speed_kmh).get("all")
    prevention = {(r["measure"], r["key"]): f"{float(r['value']):g}"
                  for r in data.run("prevention/standard").iter_rows(named=True)}
    rectify = {level: prevention.get(("rectify_days", level), i18n.DASH) for level in ("general", "major", "serious")}
    return {
        "rate": {"target": target},
        "clock": {"rules": response_text.clock_caption(data.run("response/rules"), lang)},
        "fractiles": {"min": rules.min_incidents},
        "full": {"force": response_text.full_force(rules.full_response_count, rules.full_response_measure, lang)},
        "target_rate": {"rate": i18n.fmt_pct(rules.target_rate, 0), "near": f"{sections.NEAR_POINTS * 100:g}",
                        "min": rules.min_incidents},
        "exceptions": {"turnout": seconds(rules.exceptions["long_turnout_s"]),
                       "travel": seconds(rules.exceptions["long_travel_s"]),
                       "total": seconds(rules.exceptions["very_long_total_s"])},
        "workload": {"min": rules.min_incidents},
        "readiness": {"checks": ("；" if lang == "zh" else "; ").join(checks)},
        "stale": {"days": standard.stale_after_days},
        "coverage": {"target": seconds(cover.target_s), "days": cover.period_days,
                     "quantile": f"{cover.quantile * 100:g}", "min_responses": cover.min_responses,
                     "min_station": cover.min_station_responses, "max_km": f"{cover.max_distance_m / 1000:g}",
                     "speed": f"{speed:g}" if speed is not None else i18n.DASH, "spread_days": cover.spread_days,
                     "off_road": "、".join(i18n.label("incident_type", c, lang) for c in cover.off_road_types)
                     or i18n.DASH},
        "quality": {"grade": i18n.text("quality_grade_rule", lang)},
        "patrols": {"per_week": prevention.get(("patrols_per_week", "all"), i18n.DASH)},
        "rectification": rectify,
        "drills": {"per_quarter": prevention.get(("drills_per_quarter", "all"), i18n.DASH)},
    }


def query_title(name: str, lang: str) -> str:
    return queries.catalogue()[name].titled(lang)


f = current()
lang = f.lang
st.title(i18n.t("definitions_title"))
st.caption(i18n.t("definitions_intro"))
st.caption(i18n.t("definitions_settings_source"))

fields = numbers(lang)
rows = []
for group in dict.fromkeys(d.group for d in DEFINITIONS):
    st.header(i18n.t(f"def_group_{group}"))
    for d in (d for d in DEFINITIONS if d.group == group):
        name = i18n.t(f"def_{d.key}")
        st.subheader(name)
        texts = fields.get(d.key, {})
        # the fields hold the rules' numbers and the city's words: as text, never as markup
        safe = {k: plain.md(v) for k, v in texts.items()}
        counts = i18n.text(f"def_{d.key}_counts", lang, **safe)
        left = i18n.text(f"def_{d.key}_left_out", lang, **safe)
        st.markdown(f"**{i18n.t('definitions_counts')}**：{counts}" if lang == "zh"
                    else f"**{i18n.t('definitions_counts')}**: {counts}")
        st.markdown(f"**{i18n.t('definitions_left_out')}**：{left}" if lang == "zh"
                    else f"**{i18n.t('definitions_left_out')}**: {left}")
        named = ("、" if lang == "zh" else "; ").join(
            f"{plain.md(q)}（{plain.md(query_title(q, lang))}）" if lang == "zh"
            else f"{plain.md(q)} ({plain.md(query_title(q, lang))})" for q in d.queries)
        st.caption(f"{i18n.t('definitions_queries')}：{named}" if lang == "zh"
                   else f"{i18n.t('definitions_queries')}: {named}")
        rows += [{"group": i18n.t(f"def_group_{group}"), "figure": name, "query": q, "title": query_title(q, lang)}
                 for q in d.queries]

st.header(i18n.t("definitions_table"))
st.caption(i18n.t("definitions_table_caption"))
table = pl.DataFrame(rows).rename({"group": i18n.t("col_group"), "figure": i18n.t("col_definition"),
                                   "query": i18n.t("col_query_name"), "title": i18n.t("col_query_title")})
st.dataframe(table, hide_index=True, width="stretch")
