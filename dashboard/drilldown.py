"""From a figure to the incidents behind it: the Incidents page's URL parameters.

A drill-down link carries the shared filters (`filters.to_query`) and the
group the figure was split by, so it can be opened in a new tab or sent to a
colleague. The Incidents page reads the group back with `Drill.from_query`.
What a chart point carries (`encode`, `from_point`, `group_query`) is the figures'
vocabulary and lives with them in `emss.figures`; the weekly report draws the same figures.
Plain functions: tests call them without Streamlit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

from dashboard.filters import Filters, to_query
from emss import categories, profiles

PAGE_PATH = "incidents"  # url_path of app_pages/incidents.py
PAGE_FILE = "app_pages/incidents.py"
OUTCOMES = ("within", "beyond", "no_arrival")
EXCEPTIONS = ("long_turnout", "long_travel", "very_long_total", "no_arrival", "response_without_arrival")
# The pages a drill-down starts from (its `from` parameter) -> (their file, their title's key): the
# Incidents page links back there with the same filters.
ORIGINS = {"response": ("app_pages/response_times.py", "page_response"),
           "station": ("app_pages/station.py", "page_station")}


def _codes(value: str | list[str] | None, known: Mapping[str, object] | None = None) -> tuple[str, ...]:
    parts = value if isinstance(value, list) else [value or ""]
    out: list[str] = []
    for part in parts:
        for code in part.split(","):
            code = code.strip()
            if code and (known is None or code in known) and code not in out:
                out.append(code)
    return tuple(out)


def _last(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def _int(value: str | list[str] | None, lo: int, hi: int) -> int | None:
    try:
        n = int(_last(value) or "")
    except ValueError:
        return None
    return n if lo <= n <= hi else None


def _date(value: str | list[str] | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(_last(value) or "")
    except ValueError:
        return None


def _choice(value: str | list[str] | None, allowed: tuple[str, ...]) -> str | None:
    v = _last(value)
    return v if v in allowed else None


@dataclasses.dataclass(frozen=True)
class Drill:
    """What the Incidents page narrows the shared filters by. Empty = nothing more."""

    incident_types: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    call_weekday: int | None = None
    call_hour: int | None = None
    week_start: dt.date | None = None
    min_response_s: int | None = None
    max_response_s: int | None = None
    outcome: str | None = None
    exception: str | None = None
    incident: str | None = None  # the incident whose timeline is open
    origin: str | None = None  # the page the drill-down came from (ORIGINS)

    @classmethod
    def from_query(cls, params: Mapping[str, str | list[str]], choices: Mapping[str, object] | None = None) -> Drill:
        """The page's URL parameters; codes not among `choices` (dimension -> known values; default:
        the city's words) and values out of range are dropped."""
        city = profiles.current().dimensions
        choices = choices or {}
        return cls(
            incident_types=_codes(params.get("incident_type"), choices.get("incident_type", city["incident_type"])),
            channels=_codes(params.get("channel"), choices.get("channel", city["channel"])),
            stations=_codes(params.get("station")),
            call_weekday=_int(params.get("weekday"), 1, 7),
            call_hour=_int(params.get("hour"), 0, 23),
            week_start=_date(params.get("week")),
            min_response_s=_int(params.get("min_s"), 0, 10**7),
            max_response_s=_int(params.get("max_s"), 0, 10**7),
            outcome=_choice(params.get("outcome"), OUTCOMES),
            exception=_choice(params.get("exception"), EXCEPTIONS),
            incident=(_last(params.get("incident")) or "").strip() or None,
            origin=_choice(params.get("from"), tuple(ORIGINS)),
        )

    def to_query(self) -> dict[str, str]:
        q: dict[str, str] = {}
        for key, value in (("incident_type", self.incident_types), ("channel", self.channels),
                           ("station", self.stations)):
            if value:
                q[key] = ",".join(value)
        for key, value in (("weekday", self.call_weekday), ("hour", self.call_hour),
                           ("week", self.week_start), ("min_s", self.min_response_s),
                           ("max_s", self.max_response_s), ("outcome", self.outcome),
                           ("exception", self.exception), ("incident", self.incident), ("from", self.origin)):
            if value is not None:
                q[key] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return q

    def list_params(self) -> dict[str, object]:
        """Parameters of incidents/list beyond the period and scope."""
        return {
            "incident_types": list(self.incident_types), "channels": list(self.channels),
            "stations": list(self.stations), "call_weekday": self.call_weekday, "call_hour": self.call_hour,
            "week_start": self.week_start, "min_response_s": self.min_response_s,
            "max_response_s": self.max_response_s, "outcome": self.outcome, "exception": self.exception,
        }

    @property
    def is_empty(self) -> bool:
        return self == Drill(incident=self.incident, origin=self.origin)


def narrowed(f: Filters, extra: Mapping[str, str]) -> Filters:
    """The shared filters after a drill-down into one district or station type (else unchanged)."""
    if "district" in extra:
        f = dataclasses.replace(f, districts=_codes(extra["district"]))
    if "type" in extra:
        f = dataclasses.replace(f, station_types=_codes(extra["type"], categories.STATION_TYPES))
    return f


def params(f: Filters, extra: Mapping[str, str], origin: str | None = None) -> dict[str, str]:
    """The Incidents page's URL parameters: the shared filters narrowed by `extra`, and the page
    the reader came from (a key of ORIGINS), for the way back."""
    return to_query(f) | dict(extra) | ({"from": origin} if origin in ORIGINS else {})


def link(f: Filters, extra: Mapping[str, str], origin: str | None = None) -> str:
    """A relative URL of the Incidents page for the shared filters narrowed by `extra` (shareable)."""
    return PAGE_PATH + "?" + urlencode(params(f, extra, origin))


def way_back(f: Filters, drill: Drill) -> tuple[str, str, dict[str, str]] | None:
    """Where the Incidents page's back link goes: (page file, title key, URL parameters), the
    shared filters kept; None when the reader did not come from a drill-down."""
    if drill.origin not in ORIGINS:
        return None
    page, title = ORIGINS[drill.origin]
    back = to_query(f)
    if drill.origin == "station" and drill.stations:
        back["station"] = drill.stations[0]
    return page, title, back
