"""The shared sidebar filters, kept in the URL so that a view can be shared as a link.

URL parameters: `start`, `end` (ISO dates), `district` and `type` (comma lists
of codes; absent = all), `lang` (`zh` or `en`; absent = Chinese). They are
read once when a session starts and written back after every change.
`from_query` and `to_query` are plain functions so tests can call them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from dashboard import i18n
from emss import categories

# Session-state keys: the language switch (also read by i18n), the filters, the reset count.
LANG_KEY = i18n.LANG_KEY
_STATE_KEY, _GEN_KEY = "_filters", "_filters_generation"
_SHARED_PARAMS = ("start", "end", "district", "type", "lang")  # the URL parameters these filters own


@dataclass(frozen=True)
class DataRange:
    """What the warehouse holds: bounds for the date picker and the default period."""

    first_call_date: dt.date | None
    as_of: dt.date
    default_start: dt.date  # the default period's first day, as the SQL's period_start computes it
    incidents: int = 0
    stations: int = 0
    incidents_in_default_period: int = 0
    last_call_date: dt.date | None = None
    districts: tuple[str, ...] = ()  # the district filter's choices: the city's, then the data's own

    @property
    def default_share(self) -> float | None:
        """The share of all incidents the default period holds (None without incidents)."""
        return self.incidents_in_default_period / self.incidents if self.incidents else None

    @property
    def min_date(self) -> dt.date:
        first = self.first_call_date or self.default_start
        return min(first, self.default_start)


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    districts: tuple[str, ...] = ()
    station_types: tuple[str, ...] = ()
    lang: str = i18n.DEFAULT_LANG
    ignored: tuple[tuple[str, str], ...] = ()  # (URL parameter, value) neither the city nor the data knows

    @property
    def scope(self) -> dict[str, list[str]]:
        """Parameters of queries that take the district and station-type filters."""
        return {"districts": list(self.districts), "station_types": list(self.station_types)}

    @property
    def period(self) -> dict[str, object]:
        """Parameters of the period queries (response/*, map/incident_hexes)."""
        return {"start_date": self.start, "end_date": self.end, **self.scope}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _parse_date(value: str | list[str] | None) -> dt.date | None:
    v = _first(value)
    try:
        return dt.date.fromisoformat(v.strip()) if v else None
    except ValueError:
        return None


def _parse_codes(value: str | list[str] | None, known) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A comma list of codes (repeated parameters also accepted): (the known ones, the unknown ones)."""
    parts = value if isinstance(value, list) else [value or ""]
    codes: list[str] = []
    unknown: list[str] = []
    for part in parts:
        for code in part.split(","):
            code = code.strip()
            if not code:
                continue
            target = codes if code in known else unknown
            if code not in target:
                target.append(code)
    return tuple(codes), tuple(unknown)


def default(rng: DataRange) -> Filters:
    return Filters(start=rng.default_start, end=rng.as_of)


def from_query(params: Mapping[str, str | list[str]], rng: DataRange) -> Filters:
    """Filters from URL parameters; anything missing or invalid falls back to the default."""
    start = _parse_date(params.get("start")) or rng.default_start
    end = _parse_date(params.get("end")) or rng.as_of
    if start > end:
        start, end = end, start
    # keep the dates inside what the date picker can show
    start = min(max(start, rng.min_date), rng.as_of)
    end = min(max(end, rng.min_date), rng.as_of)
    lang = _first(params.get("lang"))
    districts, unknown_districts = _parse_codes(params.get("district"), rng.districts)
    types, unknown_types = _parse_codes(params.get("type"), categories.STATION_TYPES)
    return Filters(
        start=start,
        end=end,
        districts=districts,
        station_types=types,
        lang=lang if lang in i18n.LANGS else i18n.DEFAULT_LANG,
        ignored=tuple([("district", v) for v in unknown_districts] + [("type", v) for v in unknown_types]),
    )


def to_query(f: Filters) -> dict[str, str]:
    """URL parameters for a view: dates always (a link means the same period tomorrow), the rest when set."""
    q = {"start": f.start.isoformat(), "end": f.end.isoformat()}
    if f.districts:
        q["district"] = ",".join(f.districts)
    if f.station_types:
        q["type"] = ",".join(f.station_types)
    if f.lang != i18n.DEFAULT_LANG:
        q["lang"] = f.lang
    return q


# Period presets beside the date picker. Weeks are ISO weeks, Monday to Sunday; "this" week, month
# and year end at the data's as-of date; "last_year" is the chosen period moved back one year.
PRESETS = ("this_week", "last_week", "last_4_weeks", "this_month", "this_year", "last_year")
CUSTOM = "custom"


def _year_back(day: dt.date) -> dt.date:
    """The same date a year earlier; 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def preset_period(preset: str, as_of: dt.date, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The (first, last) day a preset names, for data up to `as_of` and the period now chosen
    (`start`–`end`, which `last_year` moves back a year)."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    if preset == "this_week":
        return monday, as_of
    if preset == "last_week":
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    if preset == "last_4_weeks":  # this week and the three before it
        return monday - dt.timedelta(days=21), as_of
    if preset == "this_month":
        return as_of.replace(day=1), as_of
    if preset == "this_year":
        return as_of.replace(month=1, day=1), as_of
    if preset == "last_year":
        return _year_back(start), _year_back(end)
    raise ValueError(f"no period preset {preset!r}")


def _matching_preset(f: "Filters", as_of: dt.date) -> str:
    """The preset naming the chosen period (last_year never does: it depends on the period), else custom."""
    for preset in PRESETS[:-1]:
        if preset_period(preset, as_of, f.start, f.end) == (f.start, f.end):
            return preset
    return CUSTOM


def _apply_preset(rng: DataRange, key: str) -> None:
    """The preset's period becomes the filters' (kept inside what the date picker can show)."""
    preset = st.session_state.get(key)
    if preset not in PRESETS:
        return
    previous: Filters = st.session_state[_STATE_KEY]
    start, end = preset_period(preset, rng.as_of, previous.start, previous.end)
    start, end = (min(max(d, rng.min_date), rng.as_of) for d in (start, end))
    st.session_state[_STATE_KEY] = dataclasses.replace(previous, start=start, end=end, ignored=())
    st.session_state[_GEN_KEY] = st.session_state.get(_GEN_KEY, 0) + 1


def _widget_key(name: str, lang: str) -> str:
    """A widget's key. It changes with the language and on reset, so a fresh widget is built.

    Streamlit keeps a multiselect's choice as the shown labels: after a language
    switch the old labels match no option and the choice would be lost. A new
    widget per language, seeded from the filters kept in session state, avoids that.
    """
    return f"filter_{name}_{lang}_{st.session_state.get(_GEN_KEY, 0)}"


def load_from_url(rng: DataRange) -> None:
    """Once per session: take the filters from the URL (a shared link), else the defaults."""
    if _STATE_KEY not in st.session_state:
        f = from_query(st.query_params.to_dict(), rng)
        st.session_state[_STATE_KEY] = f
        st.session_state[LANG_KEY] = f.lang


def _reset(rng: DataRange) -> None:
    lang = st.session_state.get(LANG_KEY, i18n.DEFAULT_LANG)
    st.session_state[_STATE_KEY] = Filters(start=rng.default_start, end=rng.as_of, lang=lang)
    st.session_state[_GEN_KEY] = st.session_state.get(_GEN_KEY, 0) + 1


def sidebar(rng: DataRange) -> Filters:
    """Draw the filters in the sidebar, sync them with the URL, and return them."""
    load_from_url(rng)
    previous: Filters = st.session_state[_STATE_KEY]

    with st.sidebar:
        # The language first: every other label depends on it.
        lang = st.radio(i18n.text("language", i18n.DEFAULT_LANG), i18n.LANGS, key=LANG_KEY,
                        format_func=i18n.LANG_NAMES.get, horizontal=True)
        st.header(i18n.t("filters"))
        # keyed by the period too: after a change in the date picker it shows the preset (if any) naming it
        preset_key = f"{_widget_key('preset', lang)}_{previous.start}_{previous.end}"
        choices = (CUSTOM, *PRESETS)
        st.selectbox(i18n.t("period_preset"), choices, index=choices.index(_matching_preset(previous, rng.as_of)),
                     key=preset_key, format_func=lambda p: i18n.text(f"preset_{p}", lang),
                     help=i18n.t("period_preset_help"), on_change=_apply_preset, args=(rng, preset_key))
        period = st.date_input(
            i18n.t("period"), value=(previous.start, previous.end), key=_widget_key("period", lang),
            min_value=rng.min_date, max_value=rng.as_of, help=i18n.t("period_help"), format="YYYY-MM-DD",
        )
        districts = st.multiselect(
            i18n.t("districts"), list(rng.districts), default=list(previous.districts),
            key=_widget_key("district", lang), format_func=lambda c: i18n.label("district", c, lang),
            placeholder=i18n.t("all"), select_all=False,
        )
        types = st.multiselect(
            i18n.t("station_types"), list(categories.STATION_TYPES), default=list(previous.station_types),
            key=_widget_key("type", lang), format_func=lambda c: i18n.label("station_type", c, lang),
            placeholder=i18n.t("all"), help=i18n.t("station_types_help"), select_all=False,
        )
        st.button(i18n.t("reset_filters"), on_click=_reset, args=(rng,))
        st.caption(i18n.t("share_link"))
        link_box = st.container()
        if previous.ignored:  # said once, on the run that read the link
            st.warning(i18n.t("link_values_ignored", values=", ".join(f"{k}={v}" for k, v in previous.ignored)))

    if isinstance(period, (tuple, list)) and len(period) == 2:
        start, end = period
    else:  # a range half picked in the calendar: keep the last complete one
        start, end = previous.start, previous.end
    f = Filters(start=start, end=end, districts=tuple(districts), station_types=tuple(types), lang=lang)
    st.session_state[_STATE_KEY] = f

    # Parameters a page adds to the URL (an incident number, a group filter) are
    # the page's to read: keep them beside the shared filters.
    wanted = {k: v for k, v in st.query_params.to_dict().items() if k not in _SHARED_PARAMS} | to_query(f)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    with link_box, st.popover(i18n.t("copy_link")):  # the address of this view, with a copy button
        st.code((st.context.url or "") + "?" + urlencode(wanted, safe=","), language=None, wrap_lines=True)
    return f


# When the default period holds less than this fraction of what an average period of its length
# holds over the whole data, the pages say so: a historical export, or one whose last weeks are a
# thin tail, would otherwise look nearly empty. A warehouse loaded week by week never sees it.
THIN_DEFAULT_PERIOD = 0.2


def period_notice(f: Filters, rng: DataRange) -> str | None:
    """A sentence when the default period shows little of the data, else None."""
    share = rng.default_share
    at_default = (f.start, f.end) == (rng.default_start, rng.as_of)
    if not at_default or share is None or rng.first_call_date is None:
        return None
    span_days = ((rng.last_call_date or rng.as_of) - rng.first_call_date).days + 1
    if share >= THIN_DEFAULT_PERIOD * min(1.0, f.days / span_days):
        return None
    return i18n.t("period_notice", days=f.days, share=i18n.fmt_pct(share), first=rng.first_call_date.isoformat(),
                  last=(rng.last_call_date or rng.as_of).isoformat(), total=i18n.fmt_int(rng.incidents))


def narrow(f: Filters) -> None:
    """Make `f` the filters of the next run, e.g. a drill-down into one district before
    `st.switch_page`: the sidebar's widgets are built afresh from it, as after a reset."""
    st.session_state[_STATE_KEY] = f
    st.session_state[_GEN_KEY] = st.session_state.get(_GEN_KEY, 0) + 1


def current() -> Filters:
    """The filters the entry script drew for this run (pages call this)."""
    return st.session_state[_STATE_KEY]


def scope_text(f: Filters) -> str:
    """The districts and station types in words, for captions."""
    if not f.districts and not f.station_types:
        return i18n.t("scope_all")
    sep = "、" if f.lang == "zh" else ", "
    districts = sep.join(i18n.label("district", c) for c in f.districts) or i18n.t("all_districts")
    types = sep.join(i18n.label("station_type", c) for c in f.station_types) or i18n.t("all_types")
    return i18n.t("scope_some", districts=districts, types=types)


def period_caption(f: Filters) -> str:
    return i18n.t("period_caption", start=f.start.isoformat(), end=f.end.isoformat(),
                  days=f.days, scope=scope_text(f))
