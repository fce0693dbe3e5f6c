"""The 指标口径说明 (KPI definitions) page: it renders in both languages with every text translated,
names every named query the pages compute a figure with, and shows the numbers the settings files hold.

The settings are read here with tomllib, not through emss.settings, so a page that wrote a number of
its own (or read the wrong one) shows up as a mismatch.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from conftest import open_dashboard

import queries
from emss import messages, roles

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "dashboard" / "app_pages"
RULES = tomllib.loads((ROOT / "emss" / "response_rules.toml").read_text(encoding="utf-8"))
STANDARD = tomllib.loads((ROOT / "emss" / "standard.toml").read_text(encoding="utf-8"))
COVERAGE = tomllib.loads((ROOT / "emss" / "coverage.toml").read_text(encoding="utf-8"))
# Queries a page runs that list rows to read rather than compute a figure.
NOT_FIGURES = {"incidents/list", "incidents/stations", "stations/neighbours", "quality/rejected_rows"}


@pytest.fixture(scope="module")
def pages(demo_warehouse):
    """The definitions page in Chinese (the default) and in English (a link with lang=en)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("EMSS_WAREHOUSE", str(demo_warehouse))
    try:
        yield {"zh": open_dashboard("definitions"), "en": open_dashboard("definitions", lang="en")}
    finally:
        mp.undo()


def page_text(at) -> str:
    """Everything the page shows as text: titles, headers, paragraphs, captions and table cells."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption") for e in getattr(at, kind)
             if not e.value.startswith("<style>")]  # the app's print stylesheet
    for frame in at.dataframe:
        df = frame.value
        parts += [str(c) for c in df.columns]
        parts += [str(v) for col in df.columns for v in df[col].tolist()]
    return "\n".join(parts)


def unescaped(text: str) -> str:
    """Markdown as read: the backslash escapes (dashboard/plain.py) and word joiners removed."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def page_queries() -> set[str]:
    """Every named query a page file lists in QUERIES or runs with data.run("...")."""
    names: set[str] = set()
    for path in PAGES_DIR.glob("*.py"):
        if path.stem == "definitions":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "QUERIES" for t in node.targets) \
                    and isinstance(node.value, ast.List):
                names |= {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "run" \
                    and getattr(node.func.value, "id", None) == "data" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_renders_with_every_text_translated(pages, lang):
    at = pages[lang]
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [messages.text("definitions_title", lang)]
    text = page_text(at)
    assert not re.search(r"\b(None|NaN|nan|null)\b", text), re.findall(r".{0,40}\b(?:None|NaN|nan|null)\b.{0,40}", text)
    keys = [k for k in messages.STRINGS if "_" in k and re.search(rf"\b{re.escape(k)}\b", text)]
    assert not keys, f"untranslated keys shown: {keys}"
    assert "{" not in text and "}" not in text, "a field left unfilled"
    headers = [h.value for h in at.header]
    for group in ("response", "build", "readiness", "inventory", "coverage", "quality"):
        assert messages.text(f"def_group_{group}", lang) in headers
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]{4,}", unescaped("\n".join(
            e.value for kind in ("title", "header", "subheader") for e in getattr(at, kind))))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_query_a_page_computes_a_figure_with_is_named(pages, lang):
    text = unescaped(page_text(pages[lang]))
    wanted = page_queries() - NOT_FIGURES
    assert len(wanted) > 40, "found few page queries: has the pages' style changed?"
    missing = sorted(n for n in wanted if n not in text)
    assert not missing, f"named queries of the pages not on the definitions page: {missing}"
    # with the catalogue's own title, in the page's language
    table = pages[lang].dataframe[-1].value
    names = table[messages.text("col_query_name", lang)].tolist()
    titles = table[messages.text("col_query_title", lang)].tolist()
    for name, title in zip(names, titles):
        q = queries.catalogue()[name]
        assert title == (q.title if lang == "zh" else q.title_en)


def test_the_numbers_are_the_settings(pages):
    zh = unescaped(page_text(pages["zh"]))
    en = unescaped(page_text(pages["en"]))
    target = RULES["target_s"]["default"]
    assert f"{messages.fmt_duration(target, 'zh')}（{target}秒）" in zh
    assert f"{messages.fmt_duration(target, 'en')} ({target} s)" in en
    n = RULES["sample"]["min_incidents"]
    assert f"少于 {n} 起" in zh and f"fewer than {n} incidents" in en
    rate = f"{RULES['target_rate']['within_target'] * 100:.0f}%"
    assert f"目标：{rate}" in zh and f"Target: {rate}" in en
    full = RULES["full_response"]
    assert f"{full['count']}辆车" in zh or f"{full['count']}名" in zh
    for key in ("long_turnout_s", "long_travel_s", "very_long_total_s"):
        assert f"({RULES['exceptions'][key]} s)" in en
    staff = STANDARD["staff"]
    assert f"人员 {staff['min']}–{staff['max']} 人" in zh and f"staff {staff['min']}–{staff['max']}" in en
    assert f"不少于 {STANDARD['vehicles']['min']} 辆" in zh
    assert f"at least {STANDARD['vehicles']['min']} emergency vehicles" in en
    for role in STANDARD["roles"].values():
        assert role["name"] in zh and role["en"] in en
    for item, spec in STANDARD["kit"]["mandatory"].items():
        assert item in zh and spec["en"] in en
    assert f"超过 {STANDARD['inventory']['stale_after_days']} 天" in zh
    cal = COVERAGE["calibration"]
    assert f"近 {cal['period_days']} 天" in zh and f"fewer than {cal['min_responses']} responses" in en
    assert f"默认速度 {COVERAGE['fallback']['speed_kmh']['all']:g} 千米/小时" in zh


def test_every_role_has_the_page_and_every_header_links_to_it(demo_warehouse, monkeypatch):
    assert "definitions" in roles.PAGES
    assert all("definitions" in role.pages for role in roles.ROLES.values())
    monkeypatch.setenv("EMSS_WAREHOUSE", str(demo_warehouse))
    at = open_dashboard("inventory")
    links = [el.proto for el in at.get("page_link")]
    assert any(link.label == messages.text("definitions_link", "zh") and link.page.endswith("definitions")
               for link in links), [(link.label, link.page) for link in links]
