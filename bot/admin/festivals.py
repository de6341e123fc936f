"""The most recent festival, for the overview's festival-contact completion.

The festival calendar of the county's policy comes from the reminders engine (so the dashboard
and the festival reminders agree); `standard_festivals` is the fallback without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lunar_python import Lunar

# Contacts from this many days before the festival to this many days after count as greetings.
WINDOW_BEFORE_DAYS = 7
WINDOW_AFTER_DAYS = 7

_LUNAR = (("春节", 1, 1), ("元宵", 1, 15), ("端午", 5, 5), ("中秋", 8, 15), ("重阳", 9, 9))

FestivalDays = Callable[[int], list[tuple[str, dt.date]]]


def _third_sunday_of_may(year: int) -> dt.date:
    first = dt.date(year, 5, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 14)


def standard_festivals(year: int) -> list[tuple[str, dt.date]]:
    days = []
    for name, month, day in _LUNAR:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        days.append((name, dt.date(solar.getYear(), solar.getMonth(), solar.getDay())))
    days.append(("全国助残日", _third_sunday_of_may(year)))
    days.append(("国际残疾人日", dt.date(year, 12, 3)))
    return days


def last_festival(
    today: dt.date, days_in_year: FestivalDays = standard_festivals
) -> tuple[str, dt.date] | None:
    """The latest festival on or before today (this year or last)."""
    past = [f for y in (today.year - 1, today.year) for f in days_in_year(y) if f[1] <= today]
    return max(past, key=lambda f: f[1]) if past else None


def festival_window(day: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    return day - dt.timedelta(days=WINDOW_BEFORE_DAYS), min(
        day + dt.timedelta(days=WINDOW_AFTER_DAYS), today
    )
