"""Every text the project shows, in Chinese and English, and how numbers, durations and dates are written.

The words live in `emss/messages.toml` (one table per key, zh and en side by side); this module
reads them and formats with an explicit language. It knows nothing of Streamlit or of who is
looking: the dashboard's `dashboard.i18n` adds the session's language, while the snapshot
exporter, the charts, the ETL and the warehouse build pass the language they want.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from emss import profiles

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}
# Shown for a missing number or date.
DASH = "—"
# Between the Chinese and the English of one message shown in both: "中文 / English".
BOTH_SEP = " / "

CATALOG_PATH = Path(__file__).with_name("messages.toml")


def _load(path: Path) -> Mapping[str, Mapping[str, str]]:
    # tomllib refuses a key defined twice, so a duplicate cannot silently replace the first.
    with path.open("rb") as f:
        raw = tomllib.load(f)
    for key, texts in raw.items():
        if not isinstance(texts, dict) or set(texts) != set(LANGS):
            raise ValueError(f"{path.name}: [{key}] must have exactly {' and '.join(LANGS)}")
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in raw.items()})


# key -> {"zh": ..., "en": ...}; read-only.
STRINGS: Mapping[str, Mapping[str, str]] = _load(CATALOG_PATH)


def text(key: str, lang: str, **fmt: object) -> str:
    """The string `key` in `lang`, with `{name}` fields filled from `fmt`."""
    s = STRINGS[key][lang]
    return s.format(**fmt) if fmt else s


def both(key: str, **fmt: object) -> str:
    """The string `key` in Chinese and English together, '中文 / English': for text fixed before
    anyone chooses a language (an exception's message, a spinner, a stored row message)."""
    return BOTH_SEP.join(text(key, lang, **fmt) for lang in LANGS)


def label(dimension: str, code: str | None, lang: str) -> str:
    """A category code's label (station_type, district, incident_type, ...) in the current city's
    words; a value the city does not list as written; no value as 未知 / unknown."""
    shown = profiles.current().label(dimension, code, lang)
    return text("unknown", lang) if shown is None or shown == "" else shown


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _number(x: object, lang: str) -> str:
    if _missing(x):
        return text("unknown", lang)
    x = float(x)
    return str(int(x)) if x == int(x) else f"{x:g}"


def shortfall(s: Mapping[str, object], lang: str) -> str:
    """One readiness shortfall (a struct of marts.station_readiness.shortfalls) in words.

    The struct says which check failed, the item (role, kit item, expired supply,
    duty mode) in Chinese and English, what the station has and what the standard asks.
    """
    check = str(s.get("check"))
    item = s.get("item_en") if lang == "en" and s.get("item_en") else s.get("item")
    if check == "duty":  # the registry's duty mode, as written, in brackets
        item = "" if not item else text("duty_mode_in_brackets", lang, item=item)
    key = f"shortfall_{check}"
    if key not in STRINGS:
        return check + (f": {item}" if item else "")
    return text(key, lang, item=item or "", actual=_number(s.get("actual"), lang),
                required=s.get("required") or "")


# The ETL's validation rules (etl/rules.py) in the users' words: catalog keys rule_<name>.
RULE_PREFIX = "rule_"
RULE_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    key.removeprefix(RULE_PREFIX): (texts["zh"], texts["en"])
    for key, texts in STRINGS.items() if key.startswith(RULE_PREFIX)
})


def rule_label(rule: str, lang: str) -> str:
    zh, en = RULE_LABELS.get(rule, (rule, rule))
    return zh if lang == "zh" else en


def kind_label(kind: str | None, lang: str) -> str:
    """An export's kind in the reader's words (出警记录, 站点台账, ...); one not in the catalog as written."""
    return text(f"kind_{kind}", lang) if f"kind_{kind}" in STRINGS else (kind or DASH)


# ---- numbers -----------------------------------------------------------------


def fmt_int(n: object) -> str:
    return DASH if _missing(n) else f"{int(n):,}"


def fmt_pct(x: object, digits: int = 1) -> str:
    """A share (0..1) as a percentage: 0.8734 -> '87.3%'."""
    return DASH if _missing(x) else f"{float(x) * 100:.{digits}f}%"


def fmt_duration(seconds: object, lang: str) -> str:
    """Seconds as '4分12秒' / '4 min 12 s' (rounded to the second)."""
    if _missing(seconds):
        return DASH
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


def fmt_minutes(seconds: int, lang: str) -> str:
    """A whole number of minutes for axis ticks: '5分' / '5 min'."""
    m = int(seconds) // 60
    return f"{m}分" if lang == "zh" else f"{m} min"


def fmt_date(d: dt.date | None, lang: str) -> str:
    if d is None:
        return DASH
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return d.isoformat()


def fmt_delta(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"{n:,}"


def first_line(error: BaseException, limit: int | None = None) -> str:
    """An error's first line (at most `limit` characters), for a one-line message: later lines of
    DuckDB's and calamine's errors may quote file content or the query."""
    text = str(error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line[:limit] if limit else line
