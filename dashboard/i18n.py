"""Every string the dashboard shows, in Chinese and English, and how numbers are written.

Pages never hard-code a label: they call `t(key)`. Category codes become labels
through `emss.categories.label`, so the warehouse, the exports and the pages
share one vocabulary. Chinese is the default language.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from emss import categories

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}
# The session-state key of the language switch (also its URL parameter).
LANG_KEY = "lang"

STRINGS: dict[str, dict[str, str]] = {
    # app and navigation
    "app_title": {"zh": "应急管理服务站数据看板", "en": "Emergency management service stations"},
    "page_overview": {"zh": "总览", "en": "Overview"},
    "page_response": {"zh": "响应时间", "en": "Response times"},
    "page_stations": {"zh": "站点与目标", "en": "Stations & targets"},
    "page_map": {"zh": "地图", "en": "Map"},
    # downloads (dashboard/export.py)
    "download_csv": {"zh": "下载CSV", "en": "Download CSV"},
    "download_excel": {"zh": "下载Excel", "en": "Download Excel"},
    # sidebar filters
    "filters": {"zh": "筛选条件", "en": "Filters"},
    "language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "period": {"zh": "统计期间（接警日期）", "en": "Period (call date)"},
    "period_help": {
        "zh": "默认为截至数据日期的最近28天。",
        "en": "Defaults to the 28 days ending on the data's as-of date.",
    },
    "districts": {"zh": "行政区", "en": "Districts"},
    "station_types": {"zh": "站点类型", "en": "Station types"},
    "all": {"zh": "全部", "en": "All"},
    "station_types_help": {
        "zh": "警情按首个到场站点的类型筛选；站点按自身类型筛选。",
        "en": "Incidents are filtered by the type of their first-arriving station; stations by their own type.",
    },
    "share_link": {
        "zh": "筛选条件已写入网址，复制地址栏即可分享当前视图。",
        "en": "The filters are kept in the address bar: copy it to share this view.",
    },
    "reset_filters": {"zh": "恢复默认", "en": "Reset"},
    "no_warehouse": {
        "zh": "找不到数据仓库：{path}。请先运行 `emss demo --no-serve` 或用 `emss ingest` 导入数据。",
        "en": "No warehouse at {path}. Build one with `emss demo --no-serve` or load exports with `emss ingest`.",
    },
    "no_data_at_all": {
        "zh": "数据仓库中还没有警情或站点数据，请先导入。",
        "en": "The warehouse holds no incidents or stations yet: load some exports first.",
    },
    # shared captions
    "as_of": {"zh": "数据截至 {date}", "en": "Data as of {date}"},
    "period_caption": {
        "zh": "统计期间 {start} 至 {end}（{days} 天）· {scope}",
        "en": "Period {start} to {end} ({days} days) · {scope}",
    },
    "scope_all": {"zh": "全市、全部站点类型", "en": "whole city, all station types"},
    "scope_some": {"zh": "{districts}；{types}", "en": "{districts}; {types}"},
    "all_districts": {"zh": "全部行政区", "en": "all districts"},
    "all_types": {"zh": "全部站点类型", "en": "all station types"},
    "queries_used": {"zh": "本页数据来自命名查询：{names}", "en": "Named queries on this page: {names}"},
    "small_sample": {
        "zh": "样本较少（到场 {n} 起，少于 {min} 起），比例和分位数仅供参考。",
        "en": "Few incidents ({n} arrivals, fewer than {min}): treat the rate and fractiles with caution.",
    },
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    # KPI metrics
    "kpi_rate": {"zh": "5分钟到场率", "en": "5-minute arrival rate"},
    "kpi_rate_help": {
        "zh": "首个到场站点在接警后300秒内到场的警情，占有到场记录警情的比例。",
        "en": "Share of incidents with an arrival whose first station arrived within 300 s of the call.",
    },
    "kpi_within_count": {"zh": "5分钟内到场 / 到场", "en": "Within 5 min / arrived"},
    "kpi_within_count_help": {
        "zh": "5分钟内到场的警情数 / 有到场记录的警情数。",
        "en": "Incidents reached within 5 minutes / incidents with an arrival.",
    },
    "kpi_p50": {"zh": "响应时间中位数", "en": "Median response time"},
    "kpi_p90": {"zh": "响应时间90分位", "en": "90th percentile response time"},
    "kpi_p90_help": {
        "zh": "90%的警情在此时间内有站点到场（接警至首个到场）。",
        "en": "90 % of incidents had a station on scene within this time (call to first arrival).",
    },
    "kpi_without_arrival": {"zh": "无到场记录警情", "en": "Incidents without arrival"},
    "kpi_without_arrival_help": {
        "zh": "没有到场时间（未到场或取消）的警情不计为0秒，也不计入到场率分母。",
        "en": "Incidents with no arrival (none, or cancelled) are not counted as 0 s and are left out of the rate.",
    },
    "kpi_in_service": {"zh": "在役站点", "en": "Stations in service"},
    "kpi_in_service_help": {"zh": "截至统计期末在役的站点数。", "en": "Stations in service at the end of the period."},
    "kpi_built_vs_target": {"zh": "{year}年新建 / 年度目标", "en": "Opened in {year} / target"},
    "kpi_compliant": {"zh": "站点达标率", "en": "Stations meeting the standard"},
    "kpi_compliant_help": {
        "zh": "截至数据日期在役站点中，人员、岗位、车辆、值班、必配装备、林区装备、物资有效期全部达标的比例。",
        "en": "Share of stations in service on the as-of date passing every check: staff, roles, vehicles, duty, mandatory kit, forest kit, nothing expired.",
    },
    "kpi_compliant_count": {"zh": "{n} / {total} 个站点达标", "en": "{n} of {total} stations meet the standard"},
    "kpi_week_incidents": {"zh": "本周警情", "en": "Incidents this week"},
    "kpi_week_help": {
        "zh": "本周（周一至周日，含统计期末那天）与上周相比。",
        "en": "This week (Monday to Sunday, holding the period's last day) against the week before.",
    },
    "delta_vs_last_week": {"zh": "较上周 {delta}", "en": "{delta} vs last week"},
    "week_rates": {
        "zh": "本周 {this_week} 起、5分钟到场率 {this_rate}；上周 {last_week} 起、{last_rate}。",
        "en": "This week {this_week} incidents, 5-minute rate {this_rate}; last week {last_week}, {last_rate}.",
    },
    "target_progress": {"zh": "完成 {pct}", "en": "{pct} of target"},
    "target_over": {"zh": "超额完成 +{n}", "en": "Over-achieved by {n}"},
    "target_none": {"zh": "无年度目标", "en": "no target set"},
    # overview
    "overview_title": {"zh": "总览", "en": "Overview"},
    "section_build": {"zh": "建站进度：本年新建与年度目标", "en": "Build-out: opened this year against the target"},
    "section_response": {"zh": "5分钟到场", "en": "Arrival within 5 minutes"},
    "rate_count_caption": {
        "zh": "5分钟内到场 {within} 起 / 到场 {arrived} 起（警情 {incidents} 起，其中 {without} 起无到场记录）",
        "en": "{within} within 5 minutes of {arrived} arrivals ({incidents} incidents, {without} without an arrival)",
    },
    # target table / chart
    "col_station_type": {"zh": "站点类型", "en": "Station type"},
    "col_in_service": {"zh": "在役", "en": "In service"},
    "col_opened_this_year": {"zh": "本年新建", "en": "Opened this year"},
    "col_target": {"zh": "年度目标", "en": "Annual target"},
    "col_progress": {"zh": "完成率", "en": "Progress"},
    "col_status": {"zh": "状态", "en": "Status"},
    "status_over": {"zh": "超额完成", "en": "Over-achieved"},
    "status_done": {"zh": "已完成", "en": "Achieved"},
    "status_behind": {"zh": "未完成", "en": "Not yet achieved"},
    "status_no_target": {"zh": "无目标", "en": "No target"},
    "total": {"zh": "合计", "en": "Total"},
    "chart_target_title": {"zh": "{year}年各类型新建站点与年度目标", "en": "Stations opened in {year} against the target, by type"},
    "series_opened": {"zh": "本年新建", "en": "Opened this year"},
    "series_target": {"zh": "年度目标", "en": "Annual target"},
    "axis_stations": {"zh": "站点数", "en": "Stations"},
    "no_targets": {
        "zh": "{year}年没有导入建站目标，只显示本年新建数。",
        "en": "No build targets loaded for {year}: showing stations opened only.",
    },
    # response page
    "response_title": {"zh": "响应时间", "en": "Response times"},
    "chart_hist_title": {"zh": "响应时间分布（每30秒一组）", "en": "Response-time distribution (30-second bins)"},
    "axis_response": {"zh": "接警至首个到场（分钟）", "en": "Call to first arrival (minutes)"},
    "axis_incidents": {"zh": "警情数", "en": "Incidents"},
    "hist_within": {"zh": "5分钟内", "en": "Within 5 min"},
    "hist_beyond": {"zh": "超过5分钟", "en": "Over 5 min"},
    "hist_last_bin": {"zh": "≥20分", "en": "≥20 min"},
    "target_line": {"zh": "5分钟目标", "en": "5-minute target"},
    "hover_bin": {"zh": "{lo} 至 {hi}", "en": "{lo} to {hi}"},
    "hover_last_bin": {"zh": "{lo} 及以上", "en": "{lo} and over"},
    "chart_trend_rate_title": {"zh": "每周5分钟到场率", "en": "Weekly 5-minute arrival rate"},
    "chart_trend_p90_title": {"zh": "每周响应时间90分位与5分钟目标", "en": "Weekly 90th percentile against the 5-minute target"},
    "axis_week": {"zh": "周（周一）", "en": "Week (Monday)"},
    "axis_rate": {"zh": "5分钟到场率", "en": "5-minute rate"},
    "axis_p90_min": {"zh": "90分位（分钟）", "en": "90th percentile (minutes)"},
    "partial_week": {"zh": "（不完整周）", "en": " (partial week)"},
    "section_by_district": {"zh": "各区5分钟到场率", "en": "5-minute arrival rate by district"},
    "col_district": {"zh": "行政区", "en": "District"},
    "col_incidents": {"zh": "警情数", "en": "Incidents"},
    "col_arrived": {"zh": "到场数", "en": "Arrived"},
    "col_within": {"zh": "5分钟内到场", "en": "Within 5 min"},
    "col_rate": {"zh": "5分钟到场率", "en": "5-minute rate"},
    "col_p50": {"zh": "中位数", "en": "Median"},
    "col_p90": {"zh": "90分位", "en": "90th percentile"},
    "col_note": {"zh": "说明", "en": "Note"},
    "note_small": {"zh": "样本少", "en": "few incidents"},
    "no_incidents": {
        "zh": "{start} 至 {end} 在所选范围内没有警情，请调整统计期间或筛选条件。",
        "en": "No incidents between {start} and {end} in the chosen scope: widen the period or the filters.",
    },
    "no_arrivals": {
        "zh": "所选范围内的警情都没有到场记录，无法计算响应时间。",
        "en": "None of the incidents in the chosen scope has an arrival: no response times to show.",
    },
    # stations page
    "stations_title": {"zh": "站点与目标", "en": "Stations & targets"},
    "section_by_district_type": {"zh": "各区在役站点（按类型）", "en": "Stations in service by district and type"},
    "chart_by_district_title": {"zh": "各区在役站点数（截至 {date}）", "en": "Stations in service by district ({date})"},
    "section_register": {"zh": "站点台账与达标情况", "en": "Station register and readiness"},
    "only_not_compliant": {"zh": "只看未达标站点", "en": "Only stations not meeting the standard"},
    "only_in_service": {"zh": "只看在役站点", "en": "Only stations in service"},
    "register_count": {"zh": "共 {n} 个站点", "en": "{n} stations"},
    "col_station_id": {"zh": "站点编号", "en": "Station ID"},
    "col_station_name": {"zh": "站点名称", "en": "Station"},
    "col_street": {"zh": "街道", "en": "Sub-district"},
    "col_host_venue": {"zh": "依托场所", "en": "Host venue"},
    "col_opened_on": {"zh": "建成日期", "en": "Opened"},
    "col_in_service_flag": {"zh": "在役", "en": "In service"},
    "col_staff": {"zh": "人员数", "en": "Staff"},
    "col_vehicles": {"zh": "车辆数", "en": "Vehicles"},
    "col_readiness": {"zh": "达标得分", "en": "Readiness score"},
    "col_compliant": {"zh": "全部达标", "en": "Meets standard"},
    "col_shortfalls": {"zh": "不足之处", "en": "Shortfalls"},
    "col_last_counted": {"zh": "最近盘点", "en": "Last count"},
    "no_stations": {
        "zh": "所选范围内没有站点，请调整筛选条件。",
        "en": "No stations in the chosen scope: widen the filters.",
    },
    "no_stations_in_service": {
        "zh": "截至 {date} 所选范围内没有在役站点。",
        "en": "No stations in service on {date} in the chosen scope.",
    },
    # map page
    "map_title": {"zh": "地图", "en": "Map"},
    "map_caption": {
        "zh": "底图为各区边界（离线，无需联网）；六边形为统计期间警情密度（H3 第8级，约0.74平方公里），颜色越深警情越多；圆点为截至期末的在役站点。",
        "en": "Base: district boundaries (offline, no internet needed); hexagons: incident density in the period (H3 resolution 8, about 0.74 km²), darker is more; dots: stations in service at the period's end.",
    },
    "legend_title": {"zh": "站点类型图例", "en": "Station type colours"},
    "legend_hex": {"zh": "警情密度：浅 → 深 = 少 → 多（最多 {max} 起/格）", "en": "Incident density: light → dark = fewer → more (max {max} per cell)"},
    "tip_district": {"zh": "人口 {pop} 万", "en": "Population {pop} m"},
    "tip_hex_title": {"zh": "警情 {n} 起", "en": "{n} incidents"},
    "tip_hex_rate": {"zh": "5分钟到场率 {rate}", "en": "5-minute rate {rate}"},
    "tip_station_type": {"zh": "类型：{type}", "en": "Type: {type}"},
    "tip_station_district": {"zh": "所属区：{district}", "en": "District: {district}"},
    "map_no_incidents": {
        "zh": "统计期间所选范围内没有警情，地图上只显示站点。",
        "en": "No incidents in the period and scope: the map shows stations only.",
    },
    "map_no_stations": {
        "zh": "所选范围内截至期末没有在役站点。",
        "en": "No stations in service at the period's end in the chosen scope.",
    },
    "map_counts": {
        "zh": "{stations} 个在役站点 · {incidents} 起警情分布在 {cells} 个六边形",
        "en": "{stations} stations in service · {incidents} incidents in {cells} hexagons",
    },
}

# Shortfall phrases written by the warehouse (marts.station_readiness) in Chinese;
# translated piecewise for the English view. Item names stay as counted.
_SHORTFALL_EN = [
    (re.compile(r"^人员(.+)人，标准(\d+)–(\d+)人$"), r"staff \1, standard \2–\3"),
    (re.compile(r"^缺(.+)$"), r"missing role: \1"),
    (re.compile(r"^车辆(.+)辆，少于(\d+)辆$"), r"vehicles \1, fewer than \2"),
    (re.compile(r"^非24小时值班$"), "not on 24-hour duty"),
    (re.compile(r"^无物资盘点记录$"), "no inventory count"),
    (re.compile(r"^必配装备不足：(.+)$"), r"mandatory kit short: \1"),
    (re.compile(r"^林区装备不足：(.+)$"), r"forest kit short: \1"),
    (re.compile(r"^物资过期：(.+)$"), r"expired: \1"),
]
_ROLE_EN = {"队长": "captain", "副队长": "vice-captain", "通信员": "communicator", "安全员": "safety officer"}


def current_lang() -> str:
    """The language chosen in this session (the sidebar switch), else Chinese."""
    try:
        import streamlit as st

        lang = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    except Exception:  # outside a Streamlit run
        return DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def text(key: str, lang: str, **fmt: object) -> str:
    """The string `key` in `lang`, with `{name}` fields filled from `fmt`."""
    s = STRINGS[key][lang]
    return s.format(**fmt) if fmt else s


def t(key: str, **fmt: object) -> str:
    """The string `key` in the session's language."""
    return text(key, current_lang(), **fmt)


def label(dimension: str, code: str | None, lang: str | None = None) -> str:
    """A category code's label (station_type, district, incident_type, ...)."""
    return categories.label(dimension, code, lang or current_lang())


def shortfall(phrase: str, lang: str | None = None) -> str:
    """A readiness shortfall as the warehouse writes it, in the chosen language."""
    if (lang or current_lang()) == "zh":
        return phrase
    for pattern, repl in _SHORTFALL_EN:
        if pattern.match(phrase):
            out = pattern.sub(repl, phrase)
            for zh, en in sorted(_ROLE_EN.items(), key=lambda kv: -len(kv[0])):  # 副队长 before 队长
                out = out.replace(zh, en)
            return out.replace("、", ", ").replace("未知", "unknown")
    return phrase


# ---- numbers -----------------------------------------------------------------

DASH = "—"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_int(n: object) -> str:
    return DASH if _missing(n) else f"{int(n):,}"


def fmt_pct(x: object, digits: int = 1) -> str:
    """A share (0..1) as a percentage: 0.8734 -> '87.3%'."""
    return DASH if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def fmt_duration(seconds: object, lang: str | None = None) -> str:
    """Seconds as '4分12秒' / '4 min 12 s' (rounded to the second)."""
    if _missing(seconds):
        return DASH
    lang = lang or current_lang()
    s = int(round(float(seconds)))
    sign, s = ("-", -s) if s < 0 else ("", s)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if lang == "zh":
        if h:
            return f"{sign}{h}小时{m}分"
        return f"{sign}{m}分{sec}秒" if m else f"{sign}{sec}秒"
    if h:
        return f"{sign}{h} h {m} min"
    return f"{sign}{m} min {sec} s" if m else f"{sign}{sec} s"


def fmt_minutes(seconds: int, lang: str | None = None) -> str:
    """A whole number of minutes for axis ticks: '5分' / '5 min'."""
    m = int(seconds) // 60
    return f"{m}分" if (lang or current_lang()) == "zh" else f"{m} min"


def fmt_date(d: dt.date | None, lang: str | None = None) -> str:
    if d is None:
        return DASH
    if (lang or current_lang()) == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def fmt_delta(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"
