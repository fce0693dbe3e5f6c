"""ISO weeks (Monday to Sunday, the city's local time), as the weekly snapshot names them: 2026-W47."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from emss import profiles

_LABEL = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Week:
    year: int   # the ISO year, which near New Year can differ from the calendar year
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def start(self) -> dt.date:
        """Its Monday."""
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        """Its Sunday."""
        return self.start + dt.timedelta(days=6)

    def previous(self) -> Week:
        return Week.of(self.start - dt.timedelta(days=7))

    @staticmethod
    def of(day: dt.date) -> Week:
        iso = day.isocalendar()
        return Week(iso.year, iso.week)

    def __str__(self) -> str:
        return self.label


def parse_week(text: str) -> Week:
    """'2026-W47' (or '2026W47') to a Week; refuses weeks the ISO calendar does not have."""
    m = _LABEL.match(text.strip())
    if not m:
        raise ValueError(f"week {text!r} is not an ISO week such as 2026-W47")
    year, number = int(m.group(1)), int(m.group(2))
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {number}") from None
    return Week(year, number)


def last_complete_week(as_of: dt.date) -> Week:
    """The latest week whose Sunday is on or before `as_of`.

    `as_of` is the data's as-of date (the last day any export speaks of): data
    current to a Sunday completes that week, so as-of 2026-11-22 (a Sunday)
    gives 2026-W47 and as-of 2026-11-21 gives 2026-W46.
    """
    sunday = as_of - dt.timedelta(days=as_of.isoweekday() % 7)
    return Week.of(sunday)


def last_complete_week_by_clock(now: dt.datetime | None = None) -> Week:
    """The latest week that has ended by the city's wall clock (the week before today's)."""
    today = (now or dt.datetime.now(ZoneInfo(profiles.current().timezone))).astimezone(ZoneInfo(profiles.current().timezone)).date()
    return Week.of(today).previous()
