"""Every string the dashboard shows, in Chinese and English, and how numbers are written.

Pages never hard-code a label: they call `t(key)`. Category codes become labels
through `emss.categories.label`, so the warehouse, the exports and the pages
share one vocabulary. Chinese is the default language.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from emss import categories

LANGS = ("zh", "en")
# Shown while a slow computation runs (cached ones run once); fixed at import, so in both languages.
SPINNER = "正在计算… / Computing…"
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
    # data quality page (app_pages/quality.py)
    "page_quality": {"zh": "数据质量", "en": "Data quality"},
    "quality_title": {"zh": "数据质量", "en": "Data quality"},
    "quality_intro": {"zh": "每次导入读取、导入、拒收和标记了多少行；被拒收的行保存在仓库中，可修正后重新导入。",
                      "en": "What each load read, loaded, rejected and flagged; rejected rows are kept in the warehouse to fix and reload."},
    "quality_no_batches": {"zh": "仓库中还没有导入记录。", "en": "Nothing has been loaded into this warehouse yet."},
    "quality_files": {"zh": "导入文件", "en": "Files loaded"},
    "quality_rows_read": {"zh": "读取行数", "en": "Rows read"},
    "quality_rows_rejected": {"zh": "拒收行数", "en": "Rows rejected"},
    "quality_rows_flagged": {"zh": "标记行数", "en": "Rows flagged"},
    "quality_refused": {"zh": "拒绝的文件", "en": "Files refused"},
    "quality_batches": {"zh": "导入批次", "en": "Load batches"},
    "quality_grade_rule": {"zh": "质量等级：问题行（拒收或标记）≤10% 为良好，≤33% 为需关注，更高为较差。",
                           "en": "Grade: problem rows (rejected or flagged) ≤ 10 % good, ≤ 33 % needs attention, above that poor."},
    "quality_reasons": {"zh": "拒收与标记原因", "en": "Reject and flag reasons"},
    "quality_reasons_by_month": {"zh": "各月拒收行数（按接警月份）", "en": "Rejected rows by month of the alarm"},
    "quality_no_problems": {"zh": "没有拒收或标记的行。", "en": "No row was rejected or flagged."},
    "quality_rejected_rows": {"zh": "被拒收的行", "en": "Rejected rows"},
    "quality_no_rejects": {"zh": "没有被拒收的行。", "en": "No row was rejected."},
    "quality_rejected_caption": {"zh": "显示 {n} 行（最多500行）；原始值为导出文件中的写法，个人信息已去除。",
                                 "en": "{n} rows shown (at most 500); raw values as the export wrote them, personal data removed."},
    "kind_incidents": {"zh": "出警记录", "en": "Incidents"},
    "kind_stations": {"zh": "站点台账", "en": "Station registry"},
    "kind_inventory": {"zh": "物资盘点", "en": "Inventory count"},
    "kind_targets": {"zh": "建站目标", "en": "Build targets"},
    "grade_good": {"zh": "良好", "en": "Good"},
    "grade_attention": {"zh": "需关注", "en": "Needs attention"},
    "grade_poor": {"zh": "较差", "en": "Poor"},
    "grade_refused": {"zh": "拒绝导入", "en": "Refused"},
    "action_reject": {"zh": "拒收", "en": "Rejected"},
    "action_flag": {"zh": "标记", "en": "Flagged"},
    "col_batch": {"zh": "批次", "en": "Batch"},
    "col_source_file": {"zh": "文件", "en": "File"},
    "col_kind": {"zh": "类型", "en": "Kind"},
    "col_grade": {"zh": "质量等级", "en": "Grade"},
    "col_rows_read": {"zh": "读取", "en": "Read"},
    "col_rows_loaded": {"zh": "导入", "en": "Loaded"},
    "col_rows_rejected": {"zh": "拒收", "en": "Rejected"},
    "col_rows_flagged": {"zh": "标记", "en": "Flagged"},
    "col_problem_share": {"zh": "问题行占比", "en": "Problem rows"},
    "col_loaded_at": {"zh": "导入时间", "en": "Loaded at"},
    "col_message": {"zh": "说明", "en": "Message"},
    "col_quality_action": {"zh": "处理", "en": "Action"},
    "col_rule": {"zh": "规则", "en": "Rule"},
    "col_rows": {"zh": "行数", "en": "Rows"},
    "col_source_row": {"zh": "行号", "en": "Row"},
    "col_raw": {"zh": "原始值", "en": "Values as delivered"},
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
    # response page: rules, exclusions, findings, splits, the weekly grid, league, exceptions
    "page_incidents": {"zh": "警情明细", "en": "Incidents"},
    "clock_caption": {
        "zh": "计时口径：{clock}；到场目标 {target}；首批力量到齐指累计{force}到场（emss/response_rules.toml）。",
        "en": "How it is timed: {clock}; arrival target {target}; the full first response is {force} on scene (emss/response_rules.toml).",
    },
    "clock_received": {"zh": "自接警时间起算", "en": "the clock starts when the alarm is received"},
    "clock_dispatched": {"zh": "自派警时间起算", "en": "the clock starts when the first station is dispatched"},
    "clock_other_channels": {"zh": "其余渠道", "en": "other channels:"},
    "clock_short_received": {"zh": "接警时间", "en": "Alarm received"},
    "clock_short_dispatched": {"zh": "派警时间", "en": "Dispatched"},
    "target_by_type": {"zh": "{default}（另：{by_type}）", "en": "{default} (except {by_type})"},
    "force_vehicles": {"zh": "{n}辆车", "en": "{n} vehicles"},
    "force_staff": {"zh": "{n}名人员", "en": "{n} staff"},
    "rate_count": {"zh": "{within} / {n} 起在目标内", "en": "{within} of {n} within target"},
    "of_incidents": {"zh": "共 {n} 起警情", "en": "of {n} incidents"},
    "kpi_full_p50": {"zh": "首批力量到齐中位数", "en": "Full first response, median"},
    "kpi_full_p90": {"zh": "首批力量到齐90分位", "en": "Full first response, P90"},
    "kpi_full_help": {
        "zh": "自计时起点至到场力量累计达到{force}的时间；未到齐的警情不计入。",
        "en": "From the clock start until {force} are on scene; incidents where they never were are left out.",
    },
    "kpi_full_count": {"zh": "首批力量到齐的警情", "en": "Incidents fully attended"},
    "kpi_full_count_help": {
        "zh": "到场力量累计达到{force}的警情数（下方为全部警情数）。",
        "en": "Incidents where {force} were on scene at some point (below: all incidents).",
    },
    "kpi_full_within": {"zh": "首批力量在目标内到齐", "en": "Fully attended within target"},
    "kpi_full_within_help": {
        "zh": "到场力量在到场目标时间内累计达到{force}的警情数。",
        "en": "Incidents with {force} on scene within the arrival target.",
    },
    "section_exclusions": {"zh": "未计入的记录及原因", "en": "What the figures leave out, and why"},
    "nothing_excluded": {"zh": "所选范围内没有被排除的记录。", "en": "Nothing in the chosen scope is left out."},
    "excl_refused_all": {
        "zh": "{n} 起警情的出警记录全部在导入时被拒收（{rows} 行，原因：{reason}），不在任何指标中",
        "en": "{n} incidents had every response row refused at load ({rows} rows; {reason}) and are in no figure",
    },
    "excl_refused_partial": {
        "zh": "{n} 起警情有部分出警记录被拒收（{rows} 行，原因：{reason}）：警情仍计入，但首个到场可能被漏掉",
        "en": "{n} incidents lost some response rows at load ({rows} rows; {reason}): still counted, but the first arrival may be missing",
    },
    "excl_undated": {"zh": "（接警时间无法识别，各期间均列出）", "en": " (call time unreadable: shown in every period)"},
    "excl_no_arrival": {
        "zh": "{n} 起警情无到场记录：计入警情数，不计入到场率、中位数、90分位与分布图（不按0秒计）",
        "en": "{n} incidents have no arrival: counted as incidents, left out of the rate, median, 90th percentile and charts (never as 0 s)",
    },
    "excl_no_clock_start": {
        "zh": "{n} 起警情缺少计时起点（如派警时间）：不计入到场率、中位数与90分位",
        "en": "{n} incidents lack the clock start (e.g. the dispatch time): left out of the rate, median and 90th percentile",
    },
    "excl_missing_timestamp": {
        "zh": "{n} 起警情首个到场站点缺少计算{phase}所需的时间：不计入该阶段中位数",
        "en": "{n} incidents lack a time of their first-arriving station needed for {phase}: left out of that phase's median",
    },
    "excl_not_assembled": {
        "zh": "{n} 起警情到场力量未达到{force}：不计入首批力量到齐用时",
        "en": "{n} incidents never had {force} on scene: left out of the full-first-response times",
    },
    "kept_intro": {"zh": "以下异常仍计入全部指标，仅列入跟进清单：", "en": "Kept in every figure, listed for follow-up only: "},
    "kept_outro": {"zh": "。", "en": "."},
    "kept_long_turnout": {"zh": "出动超时 {n} 起", "en": "long turnout {n}"},
    "kept_long_travel": {"zh": "途中超时 {n} 起", "en": "long travel {n}"},
    "kept_very_long_total": {"zh": "总响应超长 {n} 起", "en": "very long total {n}"},
    "kept_response_without_arrival": {"zh": "有站点未到场（另有站点到场）{n} 起", "en": "a station never arrived (another did) {n}"},
    "refused_rule_order": {"zh": "时间顺序错误", "en": "timestamps out of order"},
    "refused_rule_other": {"zh": "规则 {rule}", "en": "rule {rule}"},
    "section_findings": {"zh": "哪里最达不到5分钟目标、慢在哪个阶段", "en": "Where the 5-minute target is missed most, and in which phase"},
    "finding_worst": {
        "zh": "**{dimension}**：**{group}** 到场率最低，{rate}（{within} / {n} 起在目标内），90分位 {p90}，占全部超时警情的 {share}。",
        "en": "**{dimension}**: **{group}** has the lowest rate, {rate} ({within} of {n} within target), 90th percentile {p90}, {share} of all late incidents.",
    },
    "finding_phase": {
        "zh": "与全范围相比慢得最多的阶段：**{phase}**（中位数多 {excess}）。",
        "en": "The phase slower than the whole scope by the most: **{phase}** (median {excess} longer).",
    },
    "finding_no_phase": {"zh": "各阶段中位数都不比全范围慢。", "en": "No phase's median is slower than the whole scope's."},
    "finding_all_small": {
        "zh": "**{dimension}**：各组样本都太少，无法判断。",
        "en": "**{dimension}**: every group is too small to judge.",
    },
    "open_beyond_incidents": {"zh": "查看这些超时警情 →", "en": "Open these late incidents →"},
    "click_to_drill": {
        "zh": "点击图中的柱、线或格子，即可查看其背后的警情清单。",
        "en": "Click a bar, a line or a cell to open the incidents behind it.",
    },
    "section_by_group": {"zh": "分组对比", "en": "By group"},
    "group_by": {"zh": "分组方式", "en": "Split by"},
    "group_district": {"zh": "行政区", "en": "District"},
    "group_incident_type": {"zh": "警情类型", "en": "Incident type"},
    "group_station_type": {"zh": "首个到场站点类型", "en": "First station's type"},
    "group_channel": {"zh": "接警渠道", "en": "Alarm channel"},
    "group_station": {"zh": "首个到场站点", "en": "First-arriving station"},
    "unknown_group": {"zh": "（未知）", "en": "(unknown)"},
    "col_p50_call_processing": {"zh": "接警处理中位数", "en": "Call processing (median)"},
    "col_p50_turnout": {"zh": "出动中位数", "en": "Turnout (median)"},
    "col_p50_travel": {"zh": "途中中位数", "en": "Travel (median)"},
    "col_slowest_phase": {"zh": "比全范围慢最多的阶段", "en": "Slowest phase vs whole scope"},
    "col_share_of_misses": {"zh": "占超时警情比例", "en": "Share of late incidents"},
    "col_incident_list": {"zh": "警情清单", "en": "Incidents"},
    "open_incidents": {"zh": "查看警情", "en": "Open"},
    "by_group_caption": {
        "zh": "按5分钟到场率从低到高排列；到场少于 {min} 起的分组标为“样本少”并排在最后。站点与站点类型按首个到场站点归属。",
        "en": "Lowest 5-minute rate first; groups with fewer than {min} arrivals are marked 'few incidents' and listed last. Stations and station types are those of the first-arriving station.",
    },
    "phase_call_processing": {"zh": "接警处理", "en": "Call processing"},
    "phase_turnout": {"zh": "出动", "en": "Turnout"},
    "phase_travel": {"zh": "途中", "en": "Travel"},
    "phase_on_scene": {"zh": "现场处置", "en": "On scene"},
    "median_word": {"zh": "中位数", "en": "median"},
    "phase_total_median": {"zh": "响应时间中位数", "en": "Median response time"},
    "axis_phase_median": {"zh": "各阶段中位数（分钟）", "en": "Median per phase (minutes)"},
    "chart_phase_title": {"zh": "时间花在哪个阶段（首个到场站点，各阶段中位数）", "en": "Which phase eats the time (first-arriving station, median per phase)"},
    "phase_caption": {
        "zh": "各阶段为首个到场站点的接警处理（接警→派警）、出动（派警→出发）、途中（出发→到场）；各阶段中位数之和与响应时间中位数（竖线标记）不必相等。最多显示 {n} 组，*为样本少。",
        "en": "Phases of the first-arriving station: call processing (received → dispatched), turnout (dispatched → departed), travel (departed → arrived). Medians of phases need not add up to the median response time (the tick). At most {n} groups; * = few incidents.",
    },
    "ecdf_all": {"zh": "全部", "en": "All"},
    "axis_cum_share": {"zh": "累计到场比例", "en": "Share reached"},
    "chart_ecdf_title": {"zh": "累计到场比例（与目标线交点即到场率，与90%线交点即90分位）", "en": "Cumulative share reached (crossing the target: the rate; crossing 90 %: the 90th percentile)"},
    "section_grid": {"zh": "星期 × 时段", "en": "Weekday × hour"},
    "grid_metric": {"zh": "颜色表示", "en": "Colour shows"},
    "grid_metric_rate": {"zh": "5分钟到场率", "en": "5-minute rate"},
    "grid_metric_p90": {"zh": "90分位", "en": "90th percentile"},
    "grid_empty": {"zh": "无到场记录", "en": "no arrivals"},
    "grid_cell": {
        "zh": "到场率 {rate}（{within} / {n}）<br>90分位 {p90}",
        "en": "rate {rate} ({within} / {n})<br>90th percentile {p90}",
    },
    "axis_hour": {"zh": "接警时段（时）", "en": "Hour of the call"},
    "chart_grid_rate_title": {"zh": "各星期、时段的到场率（目标 {target}）", "en": "Arrival rate within {target} by weekday and hour"},
    "chart_grid_p90_title": {"zh": "各星期、时段的响应时间90分位（目标 {target}）", "en": "90th percentile by weekday and hour (target {target})"},
    "weekday_1": {"zh": "周一", "en": "Mon"},
    "weekday_2": {"zh": "周二", "en": "Tue"},
    "weekday_3": {"zh": "周三", "en": "Wed"},
    "weekday_4": {"zh": "周四", "en": "Thu"},
    "weekday_5": {"zh": "周五", "en": "Fri"},
    "weekday_6": {"zh": "周六", "en": "Sat"},
    "weekday_7": {"zh": "周日", "en": "Sun"},
    "section_league": {"zh": "站点响应排名（最差在前）", "en": "Station league table (worst first)"},
    "col_first_incidents": {"zh": "首个到场警情", "en": "Incidents reached first"},
    "col_within_of": {"zh": "目标内 / 到场", "en": "Within / arrived"},
    "col_p90_s": {"zh": "响应90分位（秒）", "en": "Response P90 (s)"},
    "col_p90_turnout_s": {"zh": "出动90分位（秒）", "en": "Turnout P90 (s)"},
    "col_p90_travel_s": {"zh": "途中90分位（秒）", "en": "Travel P90 (s)"},
    "col_responses": {"zh": "出警次数", "en": "Responses"},
    "col_busy_h": {"zh": "出警占用（小时）", "en": "Busy (hours)"},
    "col_concurrent": {"zh": "在外时又被派警", "en": "Dispatched while out"},
    "league_caption": {
        "zh": "到场率与响应分位数按该站首个到场的警情计；出动、途中分位数、出警占用（派警→处置完毕之和）与“在外时又被派警”（上一出警未处置完毕时再被派警）按该站全部出警计。到场少于 {min} 起的站点排在最后。可点击列标题排序。",
        "en": "Rate and response fractiles over the incidents the station reached first; turnout and travel fractiles, busy time (sum of dispatched → cleared) and 'dispatched while out' (sent again before its previous response was cleared) over all its responses. Stations with fewer than {min} arrivals are listed last. Click a column header to sort.",
    },
    "section_exceptions": {"zh": "异常跟进清单", "en": "Exceptions for follow-up"},
    "exception_kind": {"zh": "异常类型", "en": "Exception"},
    "exception_count": {"zh": "共 {n} 条", "en": "{n} rows"},
    "exception_long_turnout": {"zh": "出动超过 {limit}", "en": "Turnout over {limit}"},
    "exception_long_travel": {"zh": "途中超过 {limit}", "en": "Travel over {limit}"},
    "exception_very_long_total": {"zh": "总响应超过 {limit}", "en": "Total response over {limit}"},
    "exception_no_arrival": {"zh": "警情无到场记录", "en": "Incident without an arrival"},
    "exception_response_without_arrival": {"zh": "站点未到场（另有站点到场）", "en": "Station never arrived (another did)"},
    "exception_refused": {"zh": "导入时被拒收：{reason}", "en": "Refused at load: {reason}"},
    "exception_short_long_turnout": {"zh": "出动超时", "en": "Long turnout"},
    "exception_short_long_travel": {"zh": "途中超时", "en": "Long travel"},
    "exception_short_very_long_total": {"zh": "总响应超长", "en": "Very long total"},
    "exception_short_no_arrival": {"zh": "无到场记录", "en": "No arrival"},
    "exception_short_response_without_arrival": {"zh": "有站点未到场", "en": "A station never arrived"},
    "col_exception_value": {"zh": "用时", "en": "Time"},
    "col_refused_row": {"zh": "文件与行号", "en": "File and row"},
    "col_timeline": {"zh": "时间线", "en": "Timeline"},
    "open_timeline": {"zh": "查看时间线", "en": "Timeline"},
    # incidents page
    "incidents_title": {"zh": "警情明细", "en": "Incidents"},
    "station_filter_help": {
        "zh": "按首个到场（无到场时为首个被派警）的站点筛选，与各图表的站点口径一致。",
        "en": "By the first-arriving station (else the first dispatched), as every chart splits by station.",
    },
    "outcome": {"zh": "到场结果", "en": "Outcome"},
    "outcome_within": {"zh": "目标内到场", "en": "Within target"},
    "outcome_beyond": {"zh": "超过目标", "en": "Beyond target"},
    "outcome_no_arrival": {"zh": "无到场记录", "en": "No arrival"},
    "hour_of_day": {"zh": "{hour}时", "en": "{hour}:00"},
    "week_of": {"zh": "{week} 当周", "en": "week of {week}"},
    "response_range": {"zh": "响应时间 {lo} 至 {hi}", "en": "response time {lo} to {hi}"},
    "narrowed_by": {"zh": "图表点选的条件：{what}", "en": "Narrowed by the chart: {what}"},
    "clear_narrowing": {"zh": "清除", "en": "Clear"},
    "section_incident_list": {"zh": "警情清单", "en": "Incident list"},
    "incident_list_count": {"zh": "符合条件的警情 {matched} 起，显示最慢的 {shown} 起（无到场记录的排在最前）。", "en": "{matched} incidents match; the slowest {shown} are shown (those without an arrival first)."},
    "incident_list_all": {"zh": "符合条件的警情 {matched} 起，最慢的在前（无到场记录的排在最前）。", "en": "{matched} incidents match, slowest first (those without an arrival first)."},
    "incident_list_help": {
        "zh": "选中一行即可在下方查看该警情的时间线与位置；“时间线”链接可复制分享。",
        "en": "Select a row to see its timeline and map below; the Timeline link can be copied and shared.",
    },
    "no_incidents_matched": {"zh": "没有符合条件的警情，请放宽筛选条件。", "en": "No incident matches: widen the filters."},
    "col_first_station": {"zh": "首个到场站点", "en": "First station"},
    "col_stations_sent": {"zh": "出警站点数", "en": "Stations sent"},
    "col_incident_response": {"zh": "响应时间", "en": "Response time"},
    "col_response_s": {"zh": "响应时间（秒）", "en": "Response (s)"},
    "col_target_met": {"zh": "目标内", "en": "Within target"},
    "col_call_processing": {"zh": "接警处理", "en": "Call processing"},
    "col_turnout": {"zh": "出动", "en": "Turnout"},
    "col_travel": {"zh": "途中", "en": "Travel"},
    "col_clock_start": {"zh": "计时起点", "en": "Clock starts at"},
    "section_timeline": {"zh": "警情 {incident} 的时间线", "en": "Timeline of incident {incident}"},
    "timeline_not_found": {
        "zh": "没有找到警情 {incident} 的出警记录（编号有误，或其记录在导入时全部被拒收，见响应时间页的异常清单）。",
        "en": "No responses of incident {incident} (a wrong number, or every row of it was refused at load: see the exceptions on the Response times page).",
    },
    "timeline_refused": {
        "zh": "该警情另有 {n} 行出警记录在导入时被拒收，未显示在时间线上。",
        "en": "{n} more response rows of this incident were refused at load and are not on the timeline.",
    },
    "kpi_incident_response": {"zh": "响应时间（首个到场）", "en": "Response time (first arrival)"},
    "target_met": {"zh": "目标内", "en": "within target"},
    "target_missed": {"zh": "超过目标", "en": "beyond target"},
    "kpi_incident_clock": {"zh": "计时起点", "en": "Clock starts at"},
    "kpi_incident_clock_help": {
        "zh": "按该警情的接警渠道，依 emss/response_rules.toml 确定。",
        "en": "Set by the incident's alarm channel in emss/response_rules.toml.",
    },
    "kpi_incident_stations": {"zh": "到场站点 / 出警站点", "en": "Stations arrived / sent"},
    "kpi_incident_stations_help": {
        "zh": "首个到场时间取所有出警站点到场时间的最小值。",
        "en": "The first arrival is the earliest arrival over all stations sent.",
    },
    "kpi_incident_full": {"zh": "首批力量到齐用时", "en": "Full first response"},
    "incident_caption": {
        "zh": "{type} · {channel} · {district} · {address} · 接警 {call} · 目标 {target}",
        "en": "{type} · {channel} · {district} · {address} · call {call} · target {target}",
    },
    "chart_timeline_title": {"zh": "警情 {incident}：各站点派警、出发、到场、处置完毕", "en": "Incident {incident}: each station's dispatch, departure, arrival and clear"},
    "timeline_arrival": {"zh": "到场", "en": "Arrived"},
    "timeline_call": {"zh": "接警", "en": "Call"},
    "timeline_clock_start": {"zh": "计时起点", "en": "Clock start"},
    "timeline_deadline": {"zh": "目标时限", "en": "Target"},
    "timeline_full_response": {"zh": "首批力量到齐", "en": "Full response"},
    "axis_time": {"zh": "时间", "en": "Time"},
    "tip_arrival_rank": {"zh": "第 {rank} 个到场 · {total}", "en": "arrived #{rank} · {total}"},
    "col_arrival_rank": {"zh": "到场顺序", "en": "Order"},
    "col_dispatch_at": {"zh": "派警时间", "en": "Dispatched"},
    "col_depart_at": {"zh": "出动时间", "en": "Departed"},
    "col_arrive_at": {"zh": "到场时间", "en": "Arrived"},
    "col_clear_at": {"zh": "处置完毕时间", "en": "Cleared"},
    "col_total": {"zh": "计时起点至到场", "en": "Clock start to arrival"},
    "col_still_out": {"zh": "派警时仍在外出警", "en": "Still out on another"},
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
    # ---- station network: build-out, readiness, register, station page, inventory ----
    "page_station": {"zh": "站点详情", "en": "Station"},
    "page_inventory": {"zh": "物资与装备", "en": "Kit & supplies"},
    "build_year": {"zh": "年度", "en": "Year"},
    "build_year_help": {
        "zh": "本年按统计期末计；往年按当年12月31日计。",
        "en": "This year is counted to the period's last day; past years to 31 December.",
    },
    "kpi_expected_to_date": {"zh": "按进度应建", "en": "Due by now"},
    "kpi_expected_help": {
        "zh": "年度目标按全年均匀分布，截至该日应建成的站点数（目标×已过天数÷全年天数）。",
        "en": "Where a straight line through the year would stand on that day (target × days elapsed ÷ days in the year).",
    },
    "kpi_projected": {"zh": "按当前进度预计全年", "en": "Year-end at the current pace"},
    "kpi_projected_help": {
        "zh": "以年初至今的建站速度外推到12月31日。",
        "en": "The pace since 1 January carried on to 31 December.",
    },
    "projection_over": {"zh": "预计超额 {n}", "en": "on course to beat it by {n}"},
    "projection_short": {"zh": "预计差 {n}", "en": "on course to fall {n} short"},
    "projection_on": {"zh": "预计恰好完成", "en": "on course to meet it"},
    "col_expected_to_date": {"zh": "按进度应建", "en": "Due by now"},
    "col_projected_year_end": {"zh": "预计全年", "en": "Projected year-end"},
    "section_trajectory": {"zh": "逐月累计与目标进度", "en": "Month by month against the target trajectory"},
    "chart_trajectory_title": {
        "zh": "{year}年累计新建站点与目标进度",
        "en": "Stations opened in {year}, cumulative, against the target trajectory",
    },
    "series_cumulative": {"zh": "累计新建", "en": "Opened (cumulative)"},
    "series_target_line": {"zh": "目标进度（全年均匀）", "en": "Target trajectory (straight line)"},
    "series_projection": {"zh": "按当前进度预计", "en": "At the current pace"},
    "axis_month": {"zh": "月份", "en": "Month"},
    "col_month": {"zh": "月份", "en": "Month"},
    "col_opened_in_month": {"zh": "当月新建", "en": "Opened in the month"},
    "col_opened_cumulative": {"zh": "累计新建", "en": "Opened to date"},
    "col_target_cumulative": {"zh": "目标进度", "en": "Target trajectory"},
    "col_projected_cumulative": {"zh": "预计累计", "en": "Projected"},
    "trajectory_caption": {
        "zh": "目标进度按全年均匀分布（年度目标×月末已过天数÷全年天数）；预计值按年初至今的建站速度外推。",
        "en": "The trajectory spreads the target evenly over the year (target × days elapsed at the month's end ÷ days in the year); the projection carries on the pace since 1 January.",
    },
    "section_build_by_district": {"zh": "各区建站进度", "en": "Build-out by district"},
    "col_district_target": {"zh": "区级目标", "en": "District target"},
    "no_district_targets": {
        "zh": "{year}年的建站目标只按全市下达，各区没有单独目标。",
        "en": "The {year} targets are city-wide only: no district has a target of its own.",
    },
    "section_build_history": {"zh": "历年建站与目标", "en": "Year by year"},
    "col_year": {"zh": "年度", "en": "Year"},
    "col_opened": {"zh": "新建", "en": "Opened"},
    "col_in_service_year_end": {"zh": "年末在役", "en": "In service at year end"},
    "section_readiness": {"zh": "对照建站标准", "en": "Readiness against the standard"},
    "kpi_compliant_trend": {"zh": "较上月末 {delta} 个百分点", "en": "{delta} pp vs last month end"},
    "chart_readiness_trend_title": {"zh": "各月末站点达标率", "en": "Share of stations meeting the standard, month by month"},
    "series_compliant_rate": {"zh": "达标率", "en": "Meeting the standard"},
    "col_judged_on": {"zh": "评估日期", "en": "Judged on"},
    "series_without_count": {"zh": "尚无盘点记录的站点占比", "en": "Share with no inventory count yet"},
    "axis_share": {"zh": "占在役站点比例", "en": "Share of stations in service"},
    "readiness_trend_caption": {
        "zh": "每个月末按当日在役站点评估。近似说明：站点台账只有当前状态，人员、岗位、车辆、值班按现状计入每个月；装备与有效期按各站当日或之前最近一次盘点评估，当日尚无盘点的站点计为装备未达标。最后一点为数据截至日。",
        "en": "Each month end judges the stations in service that day. The approximation: the registry holds only its current state, so staff, roles, vehicles and duty are today's in every month; kit and expiry use each station's latest count on or before that day, and a station with no count yet fails the kit check. The last point is the data's as-of date.",
    },
    "section_readiness_breakdown": {"zh": "各区、各类型达标率", "en": "By district and by station type"},
    "chart_readiness_by_district": {"zh": "各区站点达标率", "en": "Share meeting the standard, by district"},
    "chart_readiness_by_type": {"zh": "各类型站点达标率", "en": "Share meeting the standard, by station type"},
    "col_stations": {"zh": "站点数", "en": "Stations"},
    "col_compliant_count": {"zh": "达标站点", "en": "Meeting the standard"},
    "col_compliant_rate": {"zh": "达标率", "en": "Share meeting"},
    "col_mean_score": {"zh": "平均得分", "en": "Mean score"},
    "section_by_check": {"zh": "各检查项未达标站点", "en": "Stations failing each check"},
    "col_check": {"zh": "检查项", "en": "Check"},
    "col_standard": {"zh": "标准", "en": "Standard"},
    "col_checked": {"zh": "适用站点", "en": "Stations checked"},
    "col_failing": {"zh": "未达标站点", "en": "Stations failing"},
    "check_staff": {"zh": "人员数", "en": "Staff"},
    "check_roles": {"zh": "岗位（队长、副队长、通信员、安全员）", "en": "Roles (captain, vice-captain, communicator, safety officer)"},
    "check_vehicles": {"zh": "应急处置车辆", "en": "Emergency vehicles"},
    "check_duty": {"zh": "24小时值班", "en": "24-hour duty"},
    "check_mandatory_kit": {"zh": "必配装备齐全、完好、在有效期内", "en": "Mandatory kit present, working and in date"},
    "check_forest_kit": {"zh": "林区装备（林区站）", "en": "Forest kit (forest stations)"},
    "check_in_date": {"zh": "物资均在有效期内", "en": "Nothing expired"},
    "std_staff": {"zh": "{min}–{max}人", "en": "{min}–{max} people"},
    "std_roles": {"zh": "各至少1人", "en": "at least one each"},
    "std_vehicles": {"zh": "不少于{min}辆", "en": "at least {min}"},
    "std_duty": {"zh": "365天24小时", "en": "24 hours, 365 days"},
    "std_kit": {"zh": "按标准配置数", "en": "the standard's quantities"},
    "std_in_date": {"zh": "无过期物资", "en": "nothing past its date"},
    "register_search": {"zh": "搜索（编号、名称、街道、依托场所）", "en": "Search (ID, name, sub-district, host venue)"},
    "col_station_page": {"zh": "详情", "en": "Details"},
    "link_open": {"zh": "查看", "en": "Open"},
    "col_community": {"zh": "社区", "en": "Community"},
    "col_closed_on": {"zh": "撤销日期", "en": "Closed"},
    "col_duty_mode": {"zh": "值班模式", "en": "Duty"},
    "col_forest": {"zh": "林区站", "en": "Forest station"},
    "col_position": {"zh": "坐标（WGS-84）", "en": "Position (WGS-84)"},
    "col_count_age": {"zh": "盘点距今（天）", "en": "Count age (days)"},
    "station_title": {"zh": "站点详情", "en": "Station"},
    "station_pick": {"zh": "站点", "en": "Station"},
    "station_unknown": {"zh": "找不到站点 {station}。", "en": "No station {station}."},
    "station_none": {"zh": "仓库中没有站点。", "en": "The warehouse holds no stations."},
    "station_closed": {"zh": "已于 {date} 撤销", "en": "Closed on {date}"},
    "station_in_service": {"zh": "在役", "en": "In service"},
    "station_compliant": {"zh": "该站全部达标。", "en": "This station meets every check."},
    "station_shortfalls": {"zh": "不足之处（{n}项）", "en": "Shortfalls ({n})"},
    "col_shortfall": {"zh": "不足之处", "en": "Shortfall"},
    "col_result": {"zh": "结果", "en": "Result"},
    "col_station_value": {"zh": "本站", "en": "This station"},
    "result_pass": {"zh": "达标", "en": "Meets"},
    "result_fail": {"zh": "未达标", "en": "Short"},
    "result_na": {"zh": "不适用", "en": "n/a"},
    "kpi_score": {"zh": "达标得分", "en": "Readiness score"},
    "kpi_score_checks": {"zh": "{passed} / {total} 项达标", "en": "{passed} of {total} checks met"},
    "kpi_last_count": {"zh": "最近盘点", "en": "Last count"},
    "count_age": {"zh": "{days} 天前", "en": "{days} days ago"},
    "count_stale": {
        "zh": "最近一次盘点已过去 {days} 天，超过标准的 {limit} 天：应重新盘点。",
        "en": "The latest count is {days} days old, past the standard's {limit}: count again.",
    },
    "count_none": {"zh": "无盘点记录", "en": "No count on record"},
    "section_profile": {"zh": "基本信息", "en": "Profile"},
    "col_field": {"zh": "项目", "en": "Field"},
    "col_value": {"zh": "内容", "en": "Value"},
    "section_position": {"zh": "位置与邻近站点", "en": "Position and nearest stations"},
    "col_distance": {"zh": "距离（米）", "en": "Distance (m)"},
    "station_map_caption": {
        "zh": "红点为本站，其他圆点为最近的 {n} 个在役站点（颜色按类型）；底图为各区边界（离线）。",
        "en": "Red: this station; other dots: the {n} nearest stations in service (coloured by type); base: district boundaries (offline).",
    },
    "no_position": {"zh": "该站没有登记坐标，无法显示位置。", "en": "This station has no registered position."},
    "tip_distance": {"zh": "距本站 {m} 米", "en": "{m} m from this station"},
    "section_staffing": {"zh": "人员、岗位与车辆", "en": "Staff, roles and vehicles"},
    "col_role": {"zh": "项目", "en": "Item"},
    "role_all_staff": {"zh": "队员总数", "en": "All staff"},
    "role_captain": {"zh": "队长", "en": "Captain"},
    "role_vice_captain": {"zh": "副队长", "en": "Vice-captain"},
    "role_communicator": {"zh": "通信员", "en": "Communicator"},
    "role_safety_officer": {"zh": "安全员", "en": "Safety officer"},
    "role_vehicles": {"zh": "应急处置车辆", "en": "Emergency vehicles"},
    "std_role": {"zh": "至少1人", "en": "at least one"},
    "value_people": {"zh": "{n}人", "en": "{n}"},
    "value_vehicles": {"zh": "{n}辆", "en": "{n}"},
    "value_items_short": {"zh": "{n}项不足：{items}", "en": "{n} short: {items}"},
    "value_all_present": {"zh": "齐全", "en": "all present"},
    "col_count": {"zh": "数量", "en": "Number"},
    "section_kit": {"zh": "装备与物资（最近一次盘点：{date}）", "en": "Kit and supplies (latest count: {date})"},
    "col_item": {"zh": "物资名称", "en": "Item"},
    "col_category": {"zh": "物资类别", "en": "Category"},
    "col_kit_item": {"zh": "计入标准项目", "en": "Counts towards"},
    "col_quantity": {"zh": "库存数量", "en": "Quantity"},
    "col_required": {"zh": "标准配置数", "en": "Required"},
    "col_usable": {"zh": "可用数量", "en": "Usable"},
    "col_unit": {"zh": "单位", "en": "Unit"},
    "col_item_status": {"zh": "状态", "en": "Status"},
    "col_expires_on": {"zh": "有效期至", "en": "Expires"},
    "col_days_to_expiry": {"zh": "距到期（天）", "en": "Days to expiry"},
    "col_short": {"zh": "不足", "en": "Short"},
    "col_counted_on": {"zh": "盘点日期", "en": "Counted"},
    "section_station_response": {"zh": "出警与响应", "en": "Responses and response times"},
    "kpi_responses": {"zh": "出警次数", "en": "Responses"},
    "kpi_per_week": {"zh": "平均每周出警", "en": "Responses per week"},
    "kpi_first_on_scene": {"zh": "首个到场", "en": "First on scene"},
    "station_rate_help": {
        "zh": "本站到场的出警中，自接警起在目标时间（5分钟）内到场的比例；未到场的出警不计入分母。",
        "en": "Of this station's arrivals, the share within the target (5 minutes) of the clock start; responses without an arrival are left out.",
    },
    "link_response_page": {"zh": "查看本站的警情列表与时间线", "en": "This station's incidents and timelines"},
    "link_station_page": {"zh": "打开站点页", "en": "Open the station's page"},
    "no_responses": {
        "zh": "{start} 至 {end} 该站没有出警记录。",
        "en": "No responses by this station between {start} and {end}.",
    },
    "col_incident_id": {"zh": "警情编号", "en": "Incident"},
    "col_incident_type": {"zh": "警情类型", "en": "Type"},
    "col_channel": {"zh": "接警渠道", "en": "Channel"},
    "col_call_at": {"zh": "接警时间", "en": "Call received"},
    "col_response": {"zh": "本站响应时间", "en": "This station's response"},
    "col_within_target": {"zh": "目标内到场", "en": "Within target"},
    "col_first": {"zh": "首个到场", "en": "First on scene"},
    "inventory_title": {"zh": "物资与装备", "en": "Kit & supplies"},
    "inventory_caption": {
        "zh": "按各在役站点最近一次盘点统计；可用 = 状态完好且在有效期内（以数据截至日 {date} 计）。",
        "en": "From each station in service's latest count; usable = in working order and in date (on the data's as-of date, {date}).",
    },
    "section_stock_category": {"zh": "各类别库存与标准配置", "en": "Stock against the required quantity, by category"},
    "chart_fill_title": {"zh": "各类别配齐率（可用数量对标准配置数）", "en": "Fill rate by category (usable against required)"},
    "col_lines": {"zh": "盘点条目", "en": "Lines"},
    "col_lines_short": {"zh": "不足条目", "en": "Lines short"},
    "col_fill_rate": {"zh": "配齐率", "en": "Fill rate"},
    "col_faults": {"zh": "损坏或维修中", "en": "Damaged or in repair"},
    "section_stock_item": {"zh": "各物资库存", "en": "Stock by item"},
    "category_filter": {"zh": "物资类别", "en": "Item categories"},
    "col_stations_short": {"zh": "不足站点", "en": "Stations short"},
    "section_expiry": {"zh": "有效期（医药等物资）", "en": "Expiry (medical and other dated supplies)"},
    "kpi_expired": {"zh": "已过期", "en": "Expired"},
    "kpi_within_30": {"zh": "30天内到期", "en": "Expiring within 30 days"},
    "kpi_within_90": {"zh": "90天内到期", "en": "Expiring within 90 days"},
    "kpi_lines_stations": {"zh": "{lines} 条 · {stations} 个站点", "en": "{lines} lines · {stations} stations"},
    "expiry_window": {"zh": "列出", "en": "List"},
    "expiry_window_option": {"zh": "已过期及{days}天内到期", "en": "Expired and expiring within {days} days"},
    "no_expiring": {"zh": "没有已过期或即将到期的物资。", "en": "Nothing expired or about to expire."},
    "section_faults": {"zh": "损坏与维修中的物资", "en": "Damaged and in-repair items"},
    "no_faults": {"zh": "最近一次盘点中没有损坏或维修中的物资。", "en": "No item damaged or in repair on the latest counts."},
    "section_freshness": {"zh": "盘点时效", "en": "How old the counts are"},
    "kpi_stale": {"zh": "需重新盘点的站点", "en": "Stations due a count"},
    "stale_caption": {
        "zh": "最近一次盘点超过 {days} 天（或没有盘点记录）的站点本身就是问题：其装备状况无从确认。",
        "en": "A station whose latest count is older than {days} days (or that has none) is a finding in itself: its kit cannot be vouched for.",
    },
    "col_counts_on_record": {"zh": "盘点次数", "en": "Counts on record"},
    "col_stale": {"zh": "需重新盘点", "en": "Due a count"},
    "unknown": {"zh": "未知", "en": "unknown"},
    # one readiness shortfall (marts.station_readiness.shortfalls); the Chinese
    # wording is the warehouse's shortfalls_zh, word for word
    "shortfall_staff": {"zh": "人员{actual}人，标准{required}人", "en": "staff {actual}, standard {required}"},
    "shortfall_role": {"zh": "缺{item}", "en": "missing role: {item}"},
    "shortfall_vehicles": {"zh": "车辆{actual}辆，少于{required}辆", "en": "vehicles {actual}, fewer than {required}"},
    "shortfall_duty": {"zh": "非24小时值班{item}", "en": "not on 24-hour duty{item}"},
    "shortfall_no_count": {"zh": "无物资盘点记录", "en": "no inventory count"},
    "shortfall_mandatory_kit": {
        "zh": "必配装备不足：{item}（可用{actual}，应配{required}）",
        "en": "mandatory kit short: {item} ({actual} usable of {required})",
    },
    "shortfall_forest_kit": {
        "zh": "林区装备不足：{item}（可用{actual}，应配{required}）",
        "en": "forest kit short: {item} ({actual} usable of {required})",
    },
    "shortfall_expired": {"zh": "物资过期：{item}", "en": "expired: {item}"},
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
    # coverage page (5-minute rescue circle)
    "page_coverage": {"zh": "5分钟救援圈", "en": "Coverage"},
    "coverage_title": {"zh": "5分钟救援圈：覆盖与选址", "en": "The 5-minute rescue circle: coverage and siting"},
    "coverage_intro": {
        "zh": "某处被覆盖：至少一个在役站点的出动准备时间（该站实测中位数）加上按实测出警记录拟合的行驶时间不超过 {target} 秒。网格为 H3 第9级（每格约0.1平方公里）；行政区筛选只限定统计哪些格子，各区站点都参与覆盖；站点类型筛选决定哪些站点参与；历史警情取统计期间。",
        "en": "A place is covered when at least one station in service gets there within {target} s: its own measured median turnout plus the travel time fitted on its responses. Grid: H3 resolution 9 (about 0.1 km² a cell). The district filter chooses which cells are counted (stations of every district still cover them); the station-type filter chooses which stations count; past incidents are those of the period.",
    },
    "cov_as_of": {"zh": "站点在役日期", "en": "Stations in service on"},
    "cov_as_of_help": {
        "zh": "只计当日已建成且未撤销的站点。默认为统计期末。",
        "en": "Only stations opened by that day and not closed count. Defaults to the period's end.",
    },
    "cov_band": {"zh": "时段", "en": "Time of day"},
    "cov_band_help": {
        "zh": "行驶速度按该时段的出警记录分别拟合（时段划分见 emss/coverage.toml）。",
        "en": "Travel speeds are fitted on the responses of this band (bands are set in emss/coverage.toml).",
    },
    "band_all": {"zh": "全天", "en": "All day"},
    "band_day": {"zh": "日间平峰", "en": "Daytime off-peak"},
    "band_peak": {"zh": "早晚高峰", "en": "Rush hours"},
    "band_night": {"zh": "夜间", "en": "Night"},
    "cov_demand": {"zh": "热点与选址的需求口径", "en": "Demand for hot spots and siting"},
    "cov_demand_help": {
        "zh": "按常住人口、按历史警情，或两者各占一半（各自按全市占比计）。",
        "en": "By residents, by past incidents, or half each (each as a share of the whole).",
    },
    "demand_population": {"zh": "常住人口", "en": "Residents"},
    "demand_incidents": {"zh": "历史警情", "en": "Past incidents"},
    "demand_both": {"zh": "人口与警情各半", "en": "Half each"},
    "cov_incident_filter": {"zh": "历史警情筛选", "en": "Past incidents: filter"},
    "cov_incident_types": {"zh": "警情类型", "en": "Incident types"},
    "cov_hours": {"zh": "接警时段（时，含两端）", "en": "Hour of the call (inclusive)"},
    "cov_population_source": {"zh": "人口数据", "en": "Population data"},
    "cov_population_upload": {
        "zh": "上传人口网格 CSV（列：h3, population）",
        "en": "Upload a population grid CSV (columns h3, population)",
    },
    "cov_population_help": {
        "zh": "每行一个 H3 格子及其人口。任意分辨率均可：粗于第9级的平均分给其第9级子格，细于第9级的并入其第9级父格。不上传时使用2020年第七次人口普查各区常住人口，按面积均匀分布于各区陆地。",
        "en": "One H3 cell and its population per row, any resolution: coarser cells are shared evenly among their resolution-9 children, finer ones added to their resolution-9 parent. Without a file, each district's 2020 census population is spread evenly over its land.",
    },
    "cov_population_loaded": {
        "zh": "人口：上传的人口网格，{cells} 个格子共 {pop} 人（其中 {outside} 人位于辖区陆地以外的格子）。",
        "en": "Population: the uploaded grid, {pop} people in {cells} cells ({outside} of them in cells off the city's land).",
    },
    "cov_population_census": {
        "zh": "人口：2020年第七次人口普查各区常住人口，按面积均匀分布于各区陆地格子（可在“人口数据”中上传更细的人口网格）。",
        "en": "Population: each district's 2020 census population spread evenly over its land cells (upload a finer grid under “Population data”).",
    },
    "cov_population_error": {"zh": "人口网格无法读取，已改用普查人口：{error}", "en": "Could not read the population grid, using the census instead: {error}"},
    "cov_no_stations": {"zh": "{date} 所选范围内没有在役站点。", "en": "No station in service on {date} in the chosen scope."},
    "cov_whatif_active": {
        "zh": "以下各项已计入 {n} 项假设调整；指标下方为相对现状的变化。",
        "en": "Everything below includes {n} what-if change(s); the figures under the KPIs compare with the stations as they are.",
    },
    "kpi_cov_population": {"zh": "人口覆盖率", "en": "Residents covered"},
    "kpi_cov_population_help": {
        "zh": "居住在至少一个在役站点5分钟可达范围内的常住人口比例。",
        "en": "Share of residents within 5 minutes of at least one station in service.",
    },
    "kpi_cov_population_backup": {"zh": "人口双重覆盖率", "en": "Residents with backup"},
    "kpi_cov_backup_help": {
        "zh": "至少两个站点5分钟可达的比例：一个站出警在外时仍有后备。",
        "en": "Share within 5 minutes of two or more stations: cover remains while one is out.",
    },
    "kpi_cov_area": {"zh": "面积覆盖率", "en": "Land area covered"},
    "kpi_cov_area_help": {"zh": "5分钟可达的陆地面积比例。", "en": "Share of land within 5 minutes of a station."},
    "kpi_cov_incidents": {"zh": "警情覆盖率", "en": "Past incidents covered"},
    "kpi_cov_incidents_help": {
        "zh": "统计期间的警情中，发生地在5分钟圈内的比例（按所选警情类型与时段）。",
        "en": "Share of the period's incidents (of the chosen types and hours) that happened inside the 5-minute circle.",
    },
    "kpi_cov_incidents_backup": {"zh": "警情双重覆盖率", "en": "Past incidents with backup"},
    "kpi_cov_stations": {"zh": "参与覆盖站点", "en": "Stations counted"},
    "kpi_cov_stations_help": {"zh": "当日在役、有坐标的站点数（含假设调整）。", "en": "Stations in service on the day with a position (what-if included)."},
    "delta_pp": {"zh": "{d} 个百分点", "en": "{d} pp"},
    "cov_counts": {
        "zh": "{incidents} 起历史警情 · {cells} 个网格 · 覆盖重算用时 {ms} 毫秒（{stations} 个站点）",
        "en": "{incidents} past incidents · {cells} cells · coverage recomputed in {ms} ms ({stations} stations)",
    },
    "section_whatif": {"zh": "假设分析：新增、迁移或撤销站点", "en": "What-if: add, move or close stations"},
    "whatif_intro": {
        "zh": "每项调整都会立即重算全部覆盖指标、地图、各区表和热点。新站的出动准备时间取全市中位数，迁移的站点保留自身的出动准备时间。",
        "en": "Every change recomputes all coverage KPIs, the map, the district table and the hot spots at once. A new station takes the city's median turnout; a moved one keeps its own.",
    },
    "whatif_add": {"zh": "新增站点", "en": "Add a station"},
    "whatif_move": {"zh": "迁移站点", "en": "Move a station"},
    "whatif_close": {"zh": "撤销站点", "en": "Close stations"},
    "whatif_lon": {"zh": "经度", "en": "Longitude"},
    "whatif_lat": {"zh": "纬度", "en": "Latitude"},
    "whatif_type": {"zh": "站点类型", "en": "Station type"},
    "whatif_station": {"zh": "站点", "en": "Station"},
    "whatif_pick": {"zh": "选择站点", "en": "Choose stations"},
    "whatif_add_button": {"zh": "新增", "en": "Add"},
    "whatif_add_hotspot": {"zh": "在1号未覆盖热点新建站点", "en": "Add a station at hot spot 1"},
    "whatif_hotspot_name": {"zh": "热点新站", "en": "Hot-spot site"},
    "whatif_move_button": {"zh": "迁移", "en": "Move"},
    "whatif_close_button": {"zh": "撤销", "en": "Close"},
    "whatif_clear": {"zh": "清除全部假设", "en": "Clear all changes"},
    "whatif_list": {"zh": "当前假设调整", "en": "Changes being tried"},
    "whatif_none": {"zh": "尚无假设调整。", "en": "No changes tried yet."},
    "whatif_new_name": {"zh": "假设新站{n}", "en": "What-if site {n}"},
    "action_add": {"zh": "新增", "en": "Add"},
    "action_move": {"zh": "迁移", "en": "Move"},
    "action_close": {"zh": "撤销", "en": "Close"},
    "col_action": {"zh": "调整", "en": "Change"},
    "section_siting": {"zh": "选址建议：下一批站点建在哪里", "en": "Siting: where to build next"},
    "siting_k": {"zh": "建议站点数", "en": "Sites to suggest"},
    "siting_source": {"zh": "候选地点", "en": "Candidates"},
    "siting_cells": {"zh": "全部网格格子", "en": "Every grid cell"},
    "siting_upload": {"zh": "上传的候选点", "en": "An uploaded list"},
    "siting_upload_label": {"zh": "上传候选点 CSV（列：名称, 经度, 纬度；WGS-84）", "en": "Upload candidates CSV (columns name, lon, lat; WGS-84)"},
    "siting_upload_help": {
        "zh": "如医院、商超、党群服务中心、工业园区、森林瞭望点等可依托场所，每行一处。",
        "en": "Host venues such as hospitals, malls, Party–masses service centres, industrial parks, forest watch posts; one per row.",
    },
    "siting_upload_error": {"zh": "候选点文件无法读取：{error}", "en": "Could not read the candidate list: {error}"},
    "siting_caption": {
        "zh": "最大覆盖选址：先逐个选取新增覆盖需求最多的地点（贪心），再逐一尝试以其他候选替换已选地点，直到无法改进；排名为建设顺序，“新增”为该站在前面各站基础上新增的覆盖。新站出动准备时间取全市中位数，行驶速度取所在区该时段的拟合值。",
        "en": "Maximal covering: sites picked one by one for the most newly covered demand (greedy), then each swapped for any other candidate while that covers more. Ranked in build order; “new” is what a site adds to those ranked before it. A new site takes the city's median turnout and its district's fitted speed for the band.",
    },
    "siting_none": {"zh": "没有候选地点能覆盖新的需求。", "en": "No candidate brings any new demand within reach."},
    "siting_add": {"zh": "将建议站点全部加入假设分析", "en": "Try all suggested sites in the what-if"},
    "siting_site_name": {"zh": "建议站点{rank}", "en": "Suggested site {rank}"},
    "siting_file": {"zh": "选址建议", "en": "siting_suggestions"},
    "col_rank": {"zh": "序号", "en": "Rank"},
    "col_candidate": {"zh": "候选地点", "en": "Candidate"},
    "col_radius": {"zh": "5分钟圈半径(米)", "en": "5-minute radius (m)"},
    "col_new_population": {"zh": "新增覆盖人口", "en": "Residents newly covered"},
    "col_new_incidents": {"zh": "新增覆盖警情", "en": "Incidents newly covered"},
    "col_new_area": {"zh": "新增覆盖面积(平方公里)", "en": "Area newly covered (km²)"},
    "col_total_population": {"zh": "累计新增覆盖人口", "en": "Residents newly covered, running total"},
    "section_cov_map": {"zh": "覆盖地图", "en": "Coverage map"},
    "cov_layer": {"zh": "图层", "en": "Layer"},
    "layer_cover": {"zh": "覆盖情况", "en": "Cover"},
    "layer_population": {"zh": "人口分布", "en": "Residents"},
    "layer_incidents": {"zh": "警情密度", "en": "Incident density"},
    "cov_show_reach": {"zh": "显示各站5分钟圈", "en": "Show each station's 5-minute circle"},
    "cov_map_caption": {
        "zh": "底图为各区边界（离线）；六边形为 H3 第9级网格；蓝色圆圈为各站5分钟可达范围；黑点及灰色圆为建议新站；青色点为假设新增的站点。",
        "en": "Base: district boundaries (offline); hexagons: the H3 resolution-9 grid; blue circles: each station's 5-minute reach; black dots with grey discs: suggested sites; cyan dots: stations added in the what-if.",
    },
    "legend_cover_0": {"zh": "无站点5分钟可达", "en": "No station within 5 minutes"},
    "legend_cover_1": {"zh": "仅1个站点可达（无后备）", "en": "One station only (no backup)"},
    "legend_cover_2": {"zh": "2个及以上站点可达", "en": "Two or more stations"},
    "legend_density": {"zh": "浅 → 深 = 少 → 多（按平方根）", "en": "light → dark = fewer → more (square-root scale)"},
    "tip_cover_demand": {"zh": "人口 {pop} · 警情 {n} 起", "en": "Residents {pop} · incidents {n}"},
    "tip_reach": {"zh": "5分钟圈半径 {radius} 米 · 出动准备 {turnout}", "en": "5-minute radius {radius} m · turnout {turnout}"},
    "tip_suggested": {"zh": "建议站点第{rank}名：{name}", "en": "Suggested site {rank}: {name}"},
    "tip_suggested_gain": {"zh": "新增覆盖人口 {pop} · 警情 {n} 起", "en": "Newly covers {pop} residents · {n} incidents"},
    "section_cov_district": {"zh": "各区覆盖", "en": "Coverage by district"},
    "cov_scope_selected": {"zh": "所选各区合计", "en": "Chosen districts"},
    "col_cov_population": {"zh": "常住人口", "en": "Residents"},
    "col_cov_population_share": {"zh": "人口覆盖率", "en": "Residents covered"},
    "col_cov_backup_share": {"zh": "人口双重覆盖率", "en": "Residents with backup"},
    "col_cov_area": {"zh": "陆地面积(平方公里)", "en": "Land (km²)"},
    "col_cov_area_share": {"zh": "面积覆盖率", "en": "Area covered"},
    "col_cov_incident_share": {"zh": "警情覆盖率", "en": "Incidents covered"},
    "col_cov_uncovered_cells": {"zh": "未覆盖格子数", "en": "Cells without cover"},
    "col_cov_delta_pp": {"zh": "人口覆盖率变化(百分点)", "en": "Residents covered, change (pp)"},
    "cov_district_file": {"zh": "各区覆盖", "en": "coverage_by_district"},
    "section_hot_spots": {"zh": "未覆盖热点：5分钟圈外需求最多的地方", "en": "Uncovered hot spots: the most demand outside the circle"},
    "hot_spots_caption": {
        "zh": "未覆盖的第9级格子按所在第8级格（约0.74平方公里）合并，按所选需求口径排序；坐标为其中需求最多的格子；预计到场 = 最近站点的出动准备时间 + 拟合行驶时间。",
        "en": "Uncovered resolution-9 cells gathered by their resolution-8 parent (about 0.74 km²), ranked by the chosen demand; the position is the spot's most demanding cell; estimated arrival = the nearest station's turnout + fitted travel time.",
    },
    "hot_spots_none": {"zh": "所选范围内没有5分钟圈外的需求。", "en": "No demand outside the 5-minute circle in the chosen scope."},
    "hot_spots_file": {"zh": "未覆盖热点", "en": "uncovered_hot_spots"},
    "col_nearest_station": {"zh": "最近站点", "en": "Nearest station"},
    "col_nearest_distance": {"zh": "直线距离(米)", "en": "Straight-line distance (m)"},
    "col_nearest_arrival": {"zh": "预计到场", "en": "Estimated arrival"},
    "section_cov_trend": {"zh": "覆盖率随站点建设的变化（各月末）", "en": "Coverage as stations opened (month ends)"},
    "series_cov_population": {"zh": "人口覆盖率", "en": "Residents covered"},
    "series_cov_area": {"zh": "面积覆盖率", "en": "Area covered"},
    "series_cov_incidents": {"zh": "警情覆盖率", "en": "Incidents covered"},
    "series_cov_backup": {"zh": "人口双重覆盖率", "en": "Residents with backup"},
    "axis_cov_share": {"zh": "覆盖率", "en": "Share covered"},
    "hover_stations": {"zh": "在役站点 %{customdata}", "en": "%{customdata} stations in service"},
    "cov_trend_caption": {
        "zh": "每个月末按当时在役的站点重算（不含假设调整）；人口与警情口径同上。",
        "en": "Recomputed at each month end with the stations in service then (no what-if changes); same population and incidents as above.",
    },
    "section_travel_model": {"zh": "行驶时间模型（按实测出警记录标定）", "en": "Travel-time model (calibrated on the responses)"},
    "travel_model_caption": {
        "zh": "行驶时间 = 固定时间 + 直线距离 ÷ 速度，用各站出警记录（出动→到场）按 {q} 分位数回归拟合，长尾延误不会拉偏；按各区、各时段分别拟合，样本不足 {min} 条的改用全市拟合，再不足用 emss/coverage.toml 的默认速度。全市{band}：直线速度 {speed} 公里/小时，固定时间 {intercept} 秒，中位绝对误差 {mae} 秒，拟合优度 R¹ {r1}，样本 {n} 条（{start} 至 {end}）。",
        "en": "Travel time = fixed time + straight-line distance ÷ speed, fitted on the responses' departed → arrived times by {q}-quantile regression, so the long tail of delays does not drag it; per district and band, with the city-wide fit where a group has fewer than {min} responses and the default speeds of emss/coverage.toml where even that is short. Whole city, {band}: straight-line speed {speed} km/h, fixed time {intercept} s, median absolute error {mae} s, pseudo-R¹ {r1}, {n} responses ({start} to {end}).",
    },
    "travel_model_file": {"zh": "行驶时间模型", "en": "travel_time_model"},
    "col_band": {"zh": "时段", "en": "Time of day"},
    "col_source": {"zh": "模型来源", "en": "Model from"},
    "source_district": {"zh": "本区拟合", "en": "District fit"},
    "source_city": {"zh": "全市拟合", "en": "City-wide fit"},
    "source_default": {"zh": "默认速度", "en": "Default speed"},
    "col_n": {"zh": "样本数", "en": "Responses"},
    "col_speed": {"zh": "直线速度(公里/小时)", "en": "Straight-line speed (km/h)"},
    "col_intercept": {"zh": "固定时间(秒)", "en": "Fixed time (s)"},
    "col_mae": {"zh": "中位绝对误差(秒)", "en": "Median absolute error (s)"},
    "col_r1": {"zh": "拟合优度R¹", "en": "Pseudo-R¹"},
    # weekly snapshot: report and workbook (emss/snapshot)
    "snap_report_title": {"zh": "应急管理服务站周报", "en": "Emergency management service stations: weekly report"},
    "snap_week_heading": {
        "zh": "{year}年第{number}周 · {start}（周一）至 {end}（周日）",
        "en": "Week {number} of {year} · Monday {start} to Sunday {end}",
    },
    "snap_meta_line": {
        "zh": "数据截至 {as_of} · 数据截取于 {cut_at}（最后一批导入完成时间）· 修订版 {revision} · 数据版本 {version}",
        "en": "Data as of {as_of} · cut at {cut_at} (when the last load finished) · revision {revision} · data version {version}",
    },
    "snap_section_headline": {"zh": "本周要点", "en": "This week at a glance"},
    "snap_col_kpi": {"zh": "指标", "en": "Indicator"},
    "snap_col_this_week": {"zh": "本周", "en": "This week"},
    "snap_col_last_week": {"zh": "上周", "en": "Last week"},
    "snap_col_change": {"zh": "变化", "en": "Change"},
    "snap_pp": {"zh": "{delta} 个百分点", "en": "{delta} pp"},
    "snap_kpi_in_service": {"zh": "在役站点（周日）", "en": "Stations in service (Sunday)"},
    "snap_kpi_readiness_stations": {"zh": "参与达标评估的在役站点", "en": "Stations assessed for readiness"},
    "snap_kpi_compliant": {"zh": "达标站点", "en": "Stations meeting the standard"},
    "snap_readiness_note": {
        "zh": "站点达标情况是数据截至日（{date}）的状态，没有按周的历史，因此不列上周。",
        "en": "Readiness is the state on the data's as-of date ({date}); it has no weekly history, so no last-week figure.",
    },
    "snap_response_note": {
        "zh": "5分钟到场率 = 接警后300秒内首个站点到场的警情 ÷ 有到场记录的警情；无到场记录的警情不计为0秒。",
        "en": "5-minute rate = incidents whose first station arrived within 300 s of the call ÷ incidents with an arrival; incidents without an arrival are never counted as 0 s.",
    },
    "snap_section_trend": {"zh": "近{n}周趋势", "en": "The last {n} weeks"},
    "snap_map_title": {"zh": "各区本周5分钟到场率", "en": "5-minute arrival rate by district this week"},
    "snap_map_no_data": {"zh": "无警情", "en": "no incidents"},
    "snap_section_batches": {"zh": "本快照包含的数据批次", "en": "Data batches in this snapshot"},
    "snap_col_batch": {"zh": "批次", "en": "Batch"},
    "snap_col_file": {"zh": "文件", "en": "File"},
    "snap_col_kind": {"zh": "类型", "en": "Kind"},
    "snap_col_rows": {"zh": "导入行数", "en": "Rows loaded"},
    "snap_col_finished": {"zh": "导入完成时间", "en": "Loaded at"},
    "snap_footer": {
        "zh": "本报告由 emss {version} 生成，所有数字来自命名查询：{queries}。同一周、同一数据重新生成，文件完全相同。",
        "en": "Made by emss {version}; every figure comes from a named query: {queries}. The same week on the same data gives identical files.",
    },
    "snap_sheet_summary": {"zh": "概览", "en": "Summary"},
    "snap_sheet_district": {"zh": "各区到场率", "en": "By district"},
    "snap_sheet_build": {"zh": "建站与目标", "en": "Build-out"},
    "snap_sheet_trend": {"zh": "每周趋势", "en": "Weekly trend"},
    "snap_sheet_hist": {"zh": "响应时间分布", "en": "Response times"},
    "snap_sheet_stations": {"zh": "各区站点", "en": "Stations by district"},
    "snap_sheet_about": {"zh": "说明", "en": "About"},
    "snap_this": {"zh": "{name}（本周）", "en": "{name} (this week)"},
    "snap_last": {"zh": "{name}（上周）", "en": "{name} (last week)"},
    "snap_change": {"zh": "{name}（变化）", "en": "{name} (change)"},
    "snap_col_bin": {"zh": "响应时间（起）", "en": "Response time (from)"},
    "snap_about_week": {"zh": "周", "en": "Week"},
    "snap_about_dates": {"zh": "日期", "en": "Dates"},
    "snap_about_as_of": {"zh": "数据截至", "en": "Data as of"},
    "snap_about_cut": {"zh": "数据截取时间", "en": "Cut at"},
    "snap_about_revision": {"zh": "修订版", "en": "Revision"},
    "snap_about_version": {"zh": "数据版本", "en": "Data version"},
    "snap_about_software": {"zh": "软件版本", "en": "Software"},
    "snap_about_durations": {
        "zh": "时长以“分:秒”显示；变化列中的时长以秒计，比例的变化以百分点计。",
        "en": "Durations show as minutes:seconds; in change columns durations are in seconds and rates in percentage points.",
    },
    # weekly snapshots page
    "page_snapshots": {"zh": "周报快照", "en": "Weekly snapshots"},
    "snapshots_title": {"zh": "周报快照", "en": "Weekly snapshots"},
    "snapshots_intro": {
        "zh": "每周快照把当周的KPI冻结存档（`emss snapshot`）。数据日后修订时，新的数字另存为新的修订版，旧版保留。",
        "en": "Each weekly snapshot freezes the week's KPIs (`emss snapshot`). When the data is revised later, the new figures are kept as a new revision and the old ones stay.",
    },
    "snapshots_none": {
        "zh": "还没有任何快照。运行 `emss snapshot` 生成最近一个完整周的快照。",
        "en": "No snapshots yet. Run `emss snapshot` to take one of the last complete week.",
    },
    "snapshots_stored": {"zh": "已存快照", "en": "Stored snapshots"},
    "snapshots_compare": {"zh": "两周对比", "en": "Compare two weeks"},
    "snapshots_week_a": {"zh": "周 A", "en": "Week A"},
    "snapshots_week_b": {"zh": "周 B", "en": "Week B"},
    "snapshots_week_option": {"zh": "{week}（修订版 {revision}）", "en": "{week} (revision {revision})"},
    "snapshots_download": {"zh": "下载 {week} 周报包（zip）", "en": "Download the {week} pack (zip)"},
    "snapshots_no_pack": {
        "zh": "快照目录 {dir} 中没有 {week} 的文件夹，无法下载（可在生成快照的机器上运行 `emss snapshot --week {week}`）。",
        "en": "No folder for {week} in the snapshots directory {dir}: nothing to download (run `emss snapshot --week {week}` where the snapshots are kept).",
    },
    "snapshots_revised": {
        "zh": "{week} 有 {n} 个修订版：数据在首次快照后被修订过。",
        "en": "{week} has {n} revisions: its data was revised after it was first snapshotted.",
    },
    "snapshots_history_title": {
        "zh": "5分钟到场率：首次快照与最新修订", "en": "5-minute rate: as first reported and as last revised",
    },
    "snapshots_first_reported": {"zh": "首次快照", "en": "First reported"},
    "snapshots_latest_revision": {"zh": "最新修订", "en": "Latest revision"},
    "col_week": {"zh": "周", "en": "Week"},
    "col_revision": {"zh": "修订版", "en": "Revision"},
    "col_revisions": {"zh": "修订版数", "en": "Revisions"},
    "col_taken_at": {"zh": "记录时间", "en": "Recorded at"},
    "col_cut_at": {"zh": "数据截取时间", "en": "Data cut at"},
    "col_as_of_date": {"zh": "数据截至", "en": "Data as of"},
    "col_data_version": {"zh": "数据版本", "en": "Data version"},
    "col_kpi": {"zh": "指标", "en": "Indicator"},
    "col_scope": {"zh": "范围", "en": "Scope"},
    "col_change": {"zh": "变化", "en": "Change"},
    "scope_city": {"zh": "全市", "en": "Whole city"},
    # query workbench page
    "page_workbench": {"zh": "查询工作台", "en": "Query workbench"},
    "workbench_title": {"zh": "查询工作台", "en": "Query workbench"},
    "workbench_intro": {
        "zh": "看板、周报和笔记本使用的同一套命名查询：选一个查询、填参数、查看结果并下载。",
        "en": "The named queries the dashboard, the weekly pack and the notebooks use: pick one, set its parameters, see and download the result.",
    },
    "workbench_pick": {"zh": "命名查询", "en": "Named query"},
    "workbench_grain": {"zh": "粒度：{grain}", "en": "Grain: {grain}"},
    "workbench_params": {"zh": "参数（留空 = 查询的默认值）", "en": "Parameters (empty = the query's default)"},
    "workbench_no_params": {"zh": "此查询没有参数。", "en": "This query takes no parameters."},
    "workbench_rows": {"zh": "{n} 行", "en": "{n} rows"},
    "workbench_chart": {"zh": "建议图表", "en": "Suggested chart"},
    "workbench_sql": {"zh": "查询SQL（右上角可复制）", "en": "The query's SQL (copy button at the top right)"},
    "workbench_cli": {"zh": "命令行等价命令", "en": "The same from the command line"},
    "download_parquet": {"zh": "下载Parquet", "en": "Download Parquet"},
    "workbench_adhoc": {"zh": "自由SQL（只读）", "en": "Ad-hoc SQL (read-only)"},
    "workbench_adhoc_help": {
        "zh": "只允许一条 SELECT 语句，作用于文档化视图（{views}）；不能写入、不能访问文件或网络；最多返回 {cap} 行，超过 {timeout} 秒自动中止。",
        "en": "One SELECT statement over the documented views ({views}); no writes, no file or network access; at most {cap} rows, stopped after {timeout} s.",
    },
    "workbench_adhoc_sql": {"zh": "SQL", "en": "SQL"},
    "workbench_adhoc_run": {"zh": "执行", "en": "Run"},
    "workbench_adhoc_truncated": {
        "zh": "结果超过 {cap} 行，只显示前 {cap} 行。",
        "en": "More than {cap} rows: showing the first {cap}.",
    },
    "workbench_adhoc_done": {"zh": "{n} 行 · 用时 {seconds} 秒", "en": "{n} rows · {seconds} s"},
    "sqlbox_empty": {"zh": "请输入一条 SELECT 语句。", "en": "Write one SELECT statement."},
    "sqlbox_syntax": {"zh": "SQL 语法错误：{detail}", "en": "SQL syntax error: {detail}"},
    "sqlbox_multiple": {
        "zh": "一次只能执行一条语句（收到 {detail} 条）。",
        "en": "One statement at a time (got {detail}).",
    },
    "sqlbox_not_select": {
        "zh": "只允许只读查询（SELECT）：{detail} 语句被拒绝。",
        "en": "Only read-only queries (SELECT) are allowed: {detail} refused.",
    },
    "sqlbox_no_external_access": {
        "zh": "不允许访问文件或网络：{detail}",
        "en": "No file or network access: {detail}",
    },
    "sqlbox_locked": {"zh": "不允许修改数据库设置：{detail}", "en": "Settings cannot be changed: {detail}"},
    "sqlbox_read_only": {"zh": "数据仓库只读，不能写入：{detail}", "en": "The warehouse is read-only: {detail}"},
    "sqlbox_timeout": {
        "zh": "查询超过 {detail} 秒，已中止。请缩小范围或先聚合。",
        "en": "The query ran over {detail} s and was stopped: narrow it or aggregate first.",
    },
    "sqlbox_error": {"zh": "查询出错：{detail}", "en": "The query failed: {detail}"},
    "sqlbox_too_long": {"zh": "SQL 过长（超过 {detail} 个字符）。", "en": "The SQL is longer than {detail} characters."},
    "sqlbox_not_a_view": {
        "zh": "只能查询文档化的分析视图，不能读取 {detail}。",
        "en": "Only the documented analyst views can be read, not {detail}.",
    },
    "sqlbox_function": {"zh": "不允许使用函数 {detail}。", "en": "The function {detail} is not allowed."},
    "sqlbox_unsupported": {
        "zh": "无法核验此查询，已拒绝：{detail}",
        "en": "This query cannot be checked, so it is refused: {detail}",
    },
    "sqlbox_memory": {
        "zh": "查询超出内存上限，已中止。请缩小范围或先聚合。（{detail}）",
        "en": "The query went over its memory limit and was stopped: narrow it or aggregate first. ({detail})",
    },
    "sqlbox_too_large": {
        "zh": "结果中单行超过 {detail}，无法显示。请只选需要的列。",
        "en": "A single row of the result is larger than {detail}: select only the columns you need.",
    },
    "sqlbox_truncated_bytes": {
        "zh": "结果超过 {cap}，只显示前 {n} 行。",
        "en": "The result is larger than {cap}: showing the first {n} rows.",
    },
    "sqlbox_no_download": {
        "zh": "结果超过 {cap}，不提供下载。请先聚合或只选需要的列。",
        "en": "The result is larger than {cap}, so there is no download: aggregate or select fewer columns first.",
    },
}

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


def _number(x: object, lang: str) -> str:
    if _missing(x):
        return text("unknown", lang)
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:g}"


def shortfall(s: Mapping[str, object], lang: str | None = None) -> str:
    """One readiness shortfall (a struct of marts.station_readiness.shortfalls) in words.

    The struct says which check failed, the item (role, kit item, expired supply,
    duty mode) in Chinese and English, what the station has and what the standard asks.
    """
    lang = lang or current_lang()
    check = str(s.get("check"))
    item = s.get("item_en") if lang == "en" and s.get("item_en") else s.get("item")
    if check == "duty":  # the registry's duty mode, as written, in brackets
        item = "" if not item else (f"（{item}）" if lang == "zh" else f" ({item})")
    key = f"shortfall_{check}"
    if key not in STRINGS:
        return check + (f": {item}" if item else "")
    return text(key, lang, item=item or "", actual=_number(s.get("actual"), lang),
                required=s.get("required") or "")


# ---- numbers -----------------------------------------------------------------

DASH = "—"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# The ETL's validation rules (etl/rules.py) in the users' words.
RULE_LABELS = {
    "missing_incident_id": ("缺少警情编号", "No incident number"),
    "missing_station_id": ("缺少出警站点", "No responding station"),
    "missing_call_at": ("缺少接警时间", "No alarm time"),
    "missing_opened_on": ("缺少建成日期", "No opening date"),
    "missing_item": ("缺少物资名称", "No item name"),
    "missing_counted_on": ("缺少盘点日期", "No count date"),
    "missing_station_type": ("缺少站点类型", "No station type"),
    "bad_call_at": ("接警时间无法识别", "Alarm time unreadable"),
    "bad_dispatch_at": ("派警时间无法识别", "Dispatch time unreadable"),
    "bad_depart_at": ("出动时间无法识别", "Departure time unreadable"),
    "bad_arrive_at": ("到场时间无法识别", "Arrival time unreadable"),
    "bad_clear_at": ("处置完毕时间无法识别", "Clear time unreadable"),
    "bad_opened_on": ("建成日期无法识别", "Opening date unreadable"),
    "bad_closed_on": ("撤销日期无法识别", "Closing date unreadable"),
    "bad_counted_on": ("盘点日期无法识别", "Count date unreadable"),
    "bad_expires_on": ("有效期无法识别", "Expiry date unreadable"),
    "order": ("时间先后顺序错误", "Timestamps out of order"),
    "impossible_duration": ("时长不可能(超过7天)", "Impossible duration (over 7 days)"),
    "duplicate_in_file": ("文件内重复", "Duplicate in the file"),
    "bad_quantity": ("数量无效", "Quantity not a non-negative number"),
    "bad_year": ("年度无效", "Year unreadable"),
    "bad_target": ("目标数量无效", "Target unreadable"),
    "no_arrival": ("无到场时间", "No arrival"),
    "extreme_response": ("到场超过2小时", "Response over two hours"),
    "unknown_category": ("未知类别值", "Unknown category value"),
    "unknown_station": ("未知站点", "Station not in the registry"),
    "coordinates": ("坐标缺失或越界", "Coordinates missing or outside the area"),
    "closed_before_opened": ("撤销早于建成", "Closed before opened"),
    "bad_staff_count": ("人数无法识别", "Staff count unreadable"),
}


def rule_label(rule: str, lang: str | None = None) -> str:
    zh, en = RULE_LABELS.get(rule, (rule, rule))
    return zh if (lang or current_lang()) == "zh" else en


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
