"""Response times in words: the rules a figure ran on, what it leaves out, and where the target is missed.

Each function turns the rows of a named query (response/rules, response/exclusions,
response/by_group) into sentences, or into the by-group table (built here so tests can read
it as the page shows it and exports it); none computes a figure of its own.
"""

from __future__ import annotations

import polars as pl

from dashboard import drilldown, i18n, plain
from dashboard.filters import Filters
from emss import figures, tables
from emss.tables import COUNT, DURATION, LINK, RATE, Column


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def _rules(rules: pl.DataFrame, rule: str) -> dict[str, str]:
    return {r["key"]: r["value"] for r in rules.iter_rows(named=True) if r["rule"] == rule}


def clock_caption(rules: pl.DataFrame, lang: str | None = None) -> str:
    """The clock start per channel, the target and the full first response (response/rules)."""
    lang = lang or i18n.current_lang()
    starts = _rules(rules, "clock_start")
    default_start = starts.pop("default", "received")
    others = {c: s for c, s in starts.items() if s != default_start}
    clock = i18n.text(f"clock_{default_start}", lang)
    if others:
        parts = [_sep(lang).join(i18n.label("channel", c, lang) for c in sorted(others) if others[c] == s)
                 + " " + i18n.text(f"clock_{s}", lang) for s in sorted(set(others.values()))]
        clock = ("；" if lang == "zh" else "; ").join(parts + [i18n.text("clock_other_channels", lang) + " " + clock])
    targets = {k: int(v) for k, v in _rules(rules, "target_s").items()}
    target = i18n.fmt_duration(targets.pop("default"), lang)  # always stored: emss.settings requires it
    if targets:
        by_type = _sep(lang).join(f"{i18n.label('incident_type', k, lang)} {i18n.fmt_duration(v, lang)}"
                                  for k, v in sorted(targets.items()))
        target = i18n.text("target_by_type", lang, default=target, by_type=by_type)
    full = _rules(rules, "full_response")
    return i18n.text("clock_caption", lang, clock=clock, target=target,
                     force=full_force(full.get("count", "2"), full.get("measure", "vehicles"), lang))


def full_force(count: object, measure: str, lang: str | None = None) -> str:
    """'2辆车' / '2 vehicles': what the full first response brings."""
    return i18n.text(f"force_{measure}", lang or i18n.current_lang(), n=count)


def _reason(reason: str, lang: str) -> str:
    """refused:order -> 时间顺序错误; refused:<other rule> -> the rule's name."""
    rule = reason.split(":", 1)[1]
    key = f"refused_rule_{rule}"
    return i18n.text(key, lang) if key in i18n.STRINGS else i18n.text("refused_rule_other", lang, rule=rule)


def exclusion_lines(exclusions: pl.DataFrame, kpi: dict, lang: str | None = None) -> list[str]:
    """One sentence per (figure, reason) that leaves incidents out (response/exclusions), then one
    sentence listing the exceptions that stay in every figure."""
    lang = lang or i18n.current_lang()
    lines, kept = [], []
    force = full_force(kpi.get("full_response_count"), kpi.get("full_response_measure") or "vehicles", lang)
    for r in exclusions.iter_rows(named=True):
        n = i18n.fmt_int(r["incidents"])
        if not r["is_excluded"]:
            kept.append(i18n.text(f"kept_{r['reason']}", lang, n=n))
        elif r["reason"].startswith("refused"):
            undated = r["reason"].startswith("refused_undated")
            key = "excl_refused_all" if r["figure"] == "all" else "excl_refused_partial"
            line = i18n.text(key, lang, n=n, rows=i18n.fmt_int(r["responses"]), reason=_reason(r["reason"], lang))
            lines.append(line + (i18n.text("excl_undated", lang) if undated else ""))
        elif r["reason"] == "missing_timestamp":
            lines.append(i18n.text("excl_missing_timestamp", lang, n=n,
                                   phase=i18n.text(f"phase_{r['figure']}", lang)))
        elif r["reason"] == "not_assembled":
            lines.append(i18n.text("excl_not_assembled", lang, n=n, force=force))
        else:
            lines.append(i18n.text(f"excl_{r['reason']}", lang, n=n))
    if kept:
        lines.append(i18n.text("kept_intro", lang) + _sep(lang).join(kept) + i18n.text("kept_outro", lang))
    return lines


def slowest_phase_text(row: dict, lang: str | None = None) -> str:
    """'途中 +31秒' for a row of response/by_group, or a dash when no phase is slower than the scope's."""
    lang = lang or i18n.current_lang()
    if row.get("slowest_phase") is None:
        return i18n.DASH
    return (i18n.text(f"phase_{row['slowest_phase']}", lang) + " +"
            + i18n.fmt_duration(row["slowest_phase_excess_s"], lang))


def by_group_table(groups: pl.DataFrame, dimension: str, f: Filters, lang: str | None = None) -> tables.Table:
    """The split-by-group table of the Response page (response/by_group): counts, the rate, the fractiles
    and each phase's median, the slowest phase, and a link to the group's incidents."""
    lang = lang or i18n.current_lang()
    t = lambda key: i18n.text(key, lang)  # noqa: E731
    return tables.build(groups, [
        Column(t(f"group_{dimension}"), lambda r: figures.group_label(dimension, r["group_code"], r["group_name"], lang)),
        Column(t("col_incidents"), "incidents", COUNT),
        Column(t("col_arrived"), "arrived", COUNT),
        Column(t("col_within"), "within_target", COUNT),
        Column(t("col_rate"), "within_target_rate", RATE),
        Column(t("col_p50"), "p50_response_s", DURATION),
        Column(t("col_p90"), "p90_response_s", DURATION),
        Column(t("col_p50_call_processing"), "p50_call_processing_s", DURATION),
        Column(t("col_p50_turnout"), "p50_turnout_s", DURATION),
        Column(t("col_p50_travel"), "p50_travel_s", DURATION),
        Column(t("col_slowest_phase"), lambda r: slowest_phase_text(r, lang)),
        Column(t("col_share_of_misses"), "share_of_misses", RATE),
        Column(t("col_note"), lambda r: t("note_small") if r["is_small_sample"] else ""),
        Column(t("tbl_col_incident_link"), lambda r: None if r["group_code"] is None
               else drilldown.link(f, figures.group_query(dimension, r["group_code"]), "response"),
               LINK, link_text=t("open_incidents")),
    ], lang)


def worst_group_text(groups: pl.DataFrame, dimension: str, lang: str | None = None) -> str:
    """Where the target is missed most along one dimension, and in which phase (response/by_group:
    its first row not flagged as too small is the worst)."""
    lang = lang or i18n.current_lang()
    title = i18n.text(f"group_{dimension}", lang)
    judged = groups.filter(~pl.col("is_small_sample"))
    if judged.height == 0:
        return i18n.text("finding_all_small", lang, dimension=title)
    r = judged.row(0, named=True)
    text = i18n.text(
        "finding_worst", lang, dimension=title,
        group=plain.md(figures.group_label(dimension, r["group_code"], r["group_name"], lang)),  # a name as written: text
        rate=i18n.fmt_pct(r["within_target_rate"]), within=i18n.fmt_int(r["within_target"]),
        n=i18n.fmt_int(r["timed"]), p90=i18n.fmt_duration(r["p90_response_s"], lang),
        share=i18n.fmt_pct(r["share_of_misses"]),
    )
    if r["slowest_phase"] is None:
        return text + " " + i18n.text("finding_no_phase", lang)
    return text + " " + i18n.text("finding_phase", lang, phase=i18n.text(f"phase_{r['slowest_phase']}", lang),
                                  excess=i18n.fmt_duration(r["slowest_phase_excess_s"], lang))


def exception_label(kind: str, rules: pl.DataFrame, lang: str | None = None) -> str:
    """An exception kind with its threshold: '出动超过2分0秒'."""
    lang = lang or i18n.current_lang()
    limits = _rules(rules, "exceptions")
    if kind.startswith("refused:"):
        return i18n.text("exception_refused", lang, reason=_reason(kind, lang))
    limit = {"long_turnout": "long_turnout_s", "long_travel": "long_travel_s",
             "very_long_total": "very_long_total_s"}.get(kind)
    if limit:
        return i18n.text(f"exception_{kind}", lang, limit=i18n.fmt_duration(int(limits[limit]), lang))
    return i18n.text(f"exception_{kind}", lang)
