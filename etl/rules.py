"""Validation rules: each either rejects a row (kept in meta.rejects with its
reason, not loaded) or flags it (loaded, and listed in meta.flags).

The choice per rule follows the field's own practice: a row that cannot be
placed in time or attributed to an incident or station is rejected; a row that
is usable but suspect (no arrival, an extreme duration, an unknown category or
station) is loaded and flagged, so it still counts where it should.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass

from emss import messages, profiles
from emss.settings import LOAD_LIMITS
from warehouse.quoting import literal

REJECT, FLAG = "reject", "flag"

# In the order they happen; each one's name is the catalog's field_<name>.
TIMESTAMP_CHAIN = ["call_at", "dispatch_at", "depart_at", "arrive_at", "clear_at"]
EXTREME_RESPONSE_S = LOAD_LIMITS.extreme_response_s
IMPOSSIBLE_S = LOAD_LIMITS.impossible_s


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    predicate: str   # SQL over the `typed` table: true when the row breaks the rule
    message: str     # SQL expression giving the message, "中文 / English" with the row's values (see _say)
    description: str


@dataclass(frozen=True)
class Words:
    """Fixed words in a message, per language (a catalog key's texts, or one text for both)."""
    texts: dict[str, str]

    @classmethod
    def of(cls, key: str) -> Words:
        return cls({lang: messages.text(key, lang) for lang in messages.LANGS})

    @classmethod
    def same(cls, text: object) -> Words:
        return cls({lang: str(text) for lang in messages.LANGS})


# A part of a message: fixed words, SQL over the row, or SQL that differs by language.
Part = Words | str | Callable[[str], str]


def _segments(lang: str, key: str, parts: dict[str, Part]) -> list[tuple[str, str | None]]:
    """The catalog's `key` in `lang` as (fixed words, SQL or None) pairs, its {fields} from `parts`."""
    segments: list[tuple[str, str | None]] = []
    for text, name, _, _ in string.Formatter().parse(messages.text(key, lang)):
        part = parts[name] if name is not None else None
        if isinstance(part, Words):
            segments.append((text + part.texts[lang], None))
        else:
            segments.append((text, None if part is None else f"({part(lang) if callable(part) else part})"))
    return segments


def _sql(segments: list[tuple[str, str | None]]) -> str:
    """Segments as one SQL string expression: adjacent words joined into one literal."""
    pieces: list[str] = []
    words = ""
    for text, sql in segments:
        words += text
        if sql is not None:
            if words:
                pieces.append(literal(words))
            pieces.append(sql)
            words = ""
    if words or not pieces:
        pieces.append(literal(words))
    return " || ".join(pieces)


def _say_in(lang: str, key: str, parts: dict[str, Part]) -> str:
    """SQL giving the catalog's `key` in `lang`."""
    return _sql(_segments(lang, key, parts))


def _say(key: str, /, **parts: Part) -> str:
    """SQL giving the catalog's message `key` as "中文 / English" (null when a value in it is null).

    Every word comes from emss/messages.toml, written into the SQL as literals by the one
    quoting helper; the row's values are SQL expressions over the `typed` table.
    """
    zh, en = (_segments(lang, key, parts) for lang in messages.LANGS)
    return _sql([*zh, (messages.BOTH_SEP, None), *en])


def _blank_or(expr: str) -> Callable[[str], str]:
    """`expr`, or the catalog's word for a blank cell in each language."""
    return lambda lang: f"coalesce({expr}, {literal(messages.text('row_blank', lang))})"


def _unreadable(field: str) -> Rule:
    return Rule(
        f"bad_{field}", REJECT,
        f"not blank({field}_text) and {field} is null",
        _say("row_unreadable", field=Words.of(f"field_{field}"), value=f"{field}_text"),
        f"{messages.text(f'field_{field}', 'en')} present but not a recognisable date/time",
    )


def _missing(field: str, label_key: str | None = None) -> Rule:
    label = Words.of(label_key or f"field_{field}")
    return Rule(f"missing_{field}", REJECT, f"{field} is null and blank({field}_text)" if field.endswith(("_at", "_on")) else f"{field} is null",
                _say("row_missing", field=label), f"{label.texts['en']} is required")


# A DuckDB variable, bound per file by etl.staging.stage from the mapping's timestamp_precision.
ORDER_TOLERANCE = "order_tolerance_s"


def set_order_tolerance(con, seconds: int) -> None:
    """Bind the `order` rule's tolerance for the file about to be checked: 0 (second precision, the
    default) or 60 (timestamps cut to the minute). Bound, never written into the rule's SQL."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError(f"order tolerance must be a whole number of seconds >= 0, got {seconds!r}")
    con.execute(f"SET VARIABLE {ORDER_TOLERANCE} = ?", [seconds])


def _out_of_order(a: str, b: str) -> str:
    """`b`, later in the chain, is earlier than `a`: by any amount under second precision; under
    minute precision by a full minute or more (less is an artefact of cutting both to minutes)."""
    return f"({a} > {b} and epoch({a} - {b}) >= coalesce(getvariable('{ORDER_TOLERANCE}'), 0))"


def _order_rule() -> Rule:
    pairs = [(a, b) for i, a in enumerate(TIMESTAMP_CHAIN) for b in TIMESTAMP_CHAIN[i + 1:]]
    predicate = " or ".join(_out_of_order(a, b) for a, b in pairs)

    def broken_pairs(lang: str) -> str:
        said = ", ".join(
            f"case when {_out_of_order(a, b)} then "
            f"{_say_in(lang, 'row_order_pair', {'first': Words.of(f'field_{a}'), 'second': Words.of(f'field_{b}')})} end"
            for a, b in pairs)
        return f"array_to_string(list_filter([{said}], lambda x: x is not null), " \
               f"{literal(messages.text('row_order_separator', lang))})"

    return Rule("order", REJECT, predicate, _say("row_order", pairs=broken_pairs),
                "timestamps out of order (received ≤ dispatched ≤ departed ≤ arrived ≤ cleared)")


def coordinates_rule(area: tuple[float, float, float, float] | None = None) -> Rule:
    """Coordinates missing, or outside the area (lon_min, lat_min, lon_max, lat_max): a city with no
    known area (a profile without boundaries) checks only that they are there."""
    outside = "" if area is None else (
        f" or lon not between {float(area[0])} and {float(area[2])} or lat not between {float(area[1])} and {float(area[3])}")
    return Rule(
        "coordinates", FLAG,
        f"lon is null or lat is null{outside}",
        _say("row_coordinates", lon="coalesce(lon_text, '')", lat="coalesce(lat_text, '')"),
        "coordinates missing, unreadable or outside the service area (row kept, no map position)",
    )


def _duplicate_rule(key: Part) -> Rule:
    return Rule("duplicate_in_file", REJECT, "is_duplicate",
                _say("row_duplicate", key=key, first_row="first_source_row"),
                "the same key appears again in the same file; the first occurrence is loaded")


RULES: dict[str, list[Rule]] = {
    "incidents": [
        _missing("incident_id"),
        _missing("station_id", "field_responding_station_id"),
        _missing("call_at"),
        *[_unreadable(f) for f in TIMESTAMP_CHAIN],
        _order_rule(),
        _duplicate_rule("incident_id || '/' || station_id"),
        Rule("no_arrival", FLAG, "arrive_at is null", _say("row_no_arrival"),
             "no arrival time: kept, counts as an incident without an arrival, never as a zero"),
        Rule("impossible_duration", REJECT,
             f"epoch(coalesce(clear_at, arrive_at, depart_at, dispatch_at) - call_at) > {IMPOSSIBLE_S}",
             _say("row_impossible_duration", limit=Words.same(f"{IMPOSSIBLE_S / 86400:g}"),
                  days="cast(epoch(coalesce(clear_at, arrive_at, depart_at, dispatch_at) - call_at) / 86400 as integer)"),
             "more than 7 days from alarm to the last timestamp: a wrong date, not a response"),
        Rule("extreme_response", FLAG,
             f"epoch(arrive_at - call_at) > {EXTREME_RESPONSE_S}",
             _say("row_extreme_response", limit=Words.same(f"{EXTREME_RESPONSE_S / 3600:g}"),
                  minutes="cast(epoch(arrive_at - call_at) / 60 as integer)"),
             "response over two hours: kept and flagged"),
        Rule("unknown_category", FLAG, "not categories_known",
             _say("row_unknown_incident_category", incident_type="coalesce(incident_type_text, '')",
                  channel="coalesce(channel_text, '')"),
             "incident type, channel or district not in the vocabulary: kept as written"),
        Rule("unknown_station", FLAG, "station_known = false",
             _say("row_unknown_station", station_id="station_id"), "station not in the registry: kept"),
        coordinates_rule(),
    ],
    "stations": [
        _missing("station_id"),
        _missing("opened_on"),
        _unreadable("opened_on"),
        _unreadable("closed_on"),
        _duplicate_rule("station_id"),
        Rule("closed_before_opened", FLAG, "closed_on < opened_on",
             _say("row_closed_before_opened"), "closing date before opening date: kept"),
        Rule("bad_staff_count", FLAG, "not blank(staff_count_text) and staff_count is null",
             _say("row_bad_staff_count", value="staff_count_text"), "staff count not a number: kept as unknown"),
        Rule("unknown_category", FLAG, "not categories_known",
             _say("row_unknown_station_category", value="coalesce(station_type_text, '')"),
             "unknown station type or district: kept"),
        coordinates_rule(),
    ],
    "inventory": [
        _missing("station_id"),
        _missing("item"),
        _missing("counted_on"),
        _unreadable("counted_on"),
        _unreadable("expires_on"),
        Rule("bad_quantity", REJECT, "quantity is null or quantity < 0",
             _say("row_bad_quantity", value=_blank_or("quantity_text")), "quantity missing, not a number or negative"),
        _duplicate_rule("station_id || '/' || item || '/' || cast(counted_on as varchar)"),
        Rule("unknown_station", FLAG, "station_known = false",
             _say("row_unknown_station", station_id="station_id"), "station not in the registry: kept"),
        Rule("unknown_category", FLAG, "not categories_known",
             _say("row_unknown_inventory_category"), "unknown item category or status: kept as written"),
    ],
    "targets": [
        Rule("bad_year", REJECT, "year is null or year not between 2000 and 2100",
             _say("row_bad_year", value=_blank_or("year_text")), "year missing or not a year"),
        _missing("station_type"),
        Rule("bad_target", REJECT, "target_count is null or target_count < 0",
             _say("row_bad_target", value=_blank_or("target_count_text")), "target missing or negative"),
        _duplicate_rule(lambda lang: "cast(year as varchar) || '/' || station_type || '/' || "
                                     f"coalesce(district, {literal(messages.text('scope_city', lang))})"),
        Rule("unknown_category", FLAG, "not categories_known",
             _say("row_unknown_station_category", value="coalesce(station_type_text, '')"),
             "unknown station type or district: kept"),
    ],
}

def _negative(field: str, label_key: str | None = None, required: bool = False) -> Rule:
    """A count or a duration below zero, or written but not a number (with `required`, also a blank)."""
    broken = f"{field} < 0 or (not blank({field}_text) and {field} is null)"
    if required:
        broken = f"{field} is null or {field} < 0"
    return Rule(f"negative_{field}", REJECT, broken,
                _say("row_negative", field=Words.of(label_key or f"field_{field}"), value=_blank_or(f"{field}_text")),
                f"{messages.text(label_key or f'field_{field}', 'en')} below zero or not a number")


def _unknown_station() -> Rule:
    return Rule("unknown_station", FLAG, "station_known = false",
                _say("row_unknown_station", station_id="station_id"), "station not in the registry: kept")


def _unknown_prevention_category() -> Rule:
    return Rule("unknown_category", FLAG, "not categories_known",
                _say("row_unknown_prevention_category", value="coalesce(category_text, '')"),
                "a category not in the vocabulary: kept as written")


# Prevention (事前预防): a row that cannot be placed in time, is missing its key or counts below
# zero is rejected; a station not (yet) in the registry, or an unfamiliar category, is kept and flagged.
RULES |= {
    "patrols": [
        _missing("patrol_id"),
        _missing("station_id"),
        _missing("start_at"),
        _unreadable("start_at"),
        _unreadable("end_at"),
        Rule("end_before_start", REJECT, "end_at < start_at",
             _say("row_end_before_start", start_at="start_at_text", end_at="end_at_text"),
             "the patrol ends before it starts"),
        _negative("places_visited"),
        _negative("staff_on_patrol"),
        _negative("hazards_found"),
        _duplicate_rule("patrol_id"),
        _unknown_station(),
        _unknown_prevention_category(),
    ],
    "hazards": [
        _missing("hazard_id"),
        _missing("station_id"),
        _missing("found_on"),
        _unreadable("found_on"),
        _unreadable("deadline_on"),
        _unreadable("rectified_on"),
        Rule("rectified_before_found", REJECT, "rectified_on < found_on",
             _say("row_rectified_before_found", found_on="found_on_text", rectified_on="rectified_on_text"),
             "rectified before it was found"),
        Rule("deadline_before_found", REJECT, "deadline_on < found_on",
             _say("row_deadline_before_found", found_on="found_on_text", deadline_on="deadline_on_text"),
             "the rectification deadline is before the hazard was found"),
        _duplicate_rule("hazard_id"),
        _unknown_station(),
        _unknown_prevention_category(),
    ],
    "outreach": [
        _missing("event_id"),
        _missing("station_id"),
        _missing("held_on"),
        _unreadable("held_on"),
        _negative("participants"),
        _negative("hours"),
        _duplicate_rule("event_id"),
        _unknown_station(),
        _unknown_prevention_category(),
    ],
    "desk_services": [
        _missing("station_id"),
        _missing("served_at"),
        _unreadable("served_at"),
        _missing("service", "field_desk_service"),
        _negative("service_count", required=True),
        _duplicate_rule("coalesce(station_id, '') || '/' || coalesce(served_at_text, '') || '/' || coalesce(service, '')"),
        _unknown_station(),
        _unknown_prevention_category(),
    ],
}


def rules_for(kind: str, service_area: tuple[float, float, float, float] | None = None) -> list[Rule]:
    """The kind's rules, points checked against the city's service area (its profile's), or the one a
    mapping file declares (lon_min, lat_min, lon_max, lat_max)."""
    area = service_area or profiles.current().service_area
    return [coordinates_rule(area) if r.name == "coordinates" else r for r in RULES[kind]]


# The key each kind is loaded by (later files revise earlier ones key by key).
KEYS = {
    "incidents": ["incident_id", "station_id"],
    "stations": ["station_id"],
    "inventory": ["station_id", "item", "counted_on"],
    "targets": ["year", "station_type", "district"],
    "patrols": ["patrol_id"],
    "hazards": ["hazard_id"],
    "outreach": ["event_id"],
    "desk_services": ["station_id", "served_at", "service"],
}
# Key fields no rule requires (a blank district is the city-wide target); every other key is never null.
OPTIONAL_KEYS = {"district"}
