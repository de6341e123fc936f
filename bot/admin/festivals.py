"""The most recent festival, for the overview's festival-contact completion.

Prefers the reminders engine's festival calendar when it is installed, so the dashboard and the
festival reminders agree on dates; otherwise computes the standard list with lunar-python.
"""

from __future__ import annotations

import datetime as dt
import importlib

from lunar_python import Lunar

# Contacts from this many days before the festival to this many days after count as greetings.
WINDOW_BEFORE_DAYS = 7
WINDOW_AFTER_DAYS = 7

_LUNAR = (("春节", 1, 1), ("元宵", 1, 15), ("端午", 5, 5), ("中秋", 8, 15), ("重阳", 9, 9))


def _third_sunday_of_may(year: int) -> dt.date:
    first = dt.date(year, 5, 1)
    return first + dt.timedelta(days=(6 - first.weekday()) % 7 + 14)


def _standard_festivals(year: int) -> list[tuple[str, dt.date]]:
    days = []
    for name, month, day in _LUNAR:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        days.append((name, dt.date(solar.getYear(), solar.getMonth(), solar.getDay())))
    days.append(("全国助残日", _third_sunday_of_may(year)))
    days.append(("国际残疾人日", dt.date(year, 12, 3)))
    return days


def _festivals(year: int) -> list[tuple[str, dt.date]]:
    try:
        calendar = importlib.import_module("scheduler.festivals")
        return [(name, day) for name, day in calendar.festivals_in_year(year)]
    except (ModuleNotFoundError, AttributeError):
        return _standard_festivals(year)


def last_festival(today: dt.date) -> tuple[str, dt.date] | None:
    """The latest festival on or before today (this year or last)."""
    past = [f for y in (today.year - 1, today.year) for f in _festivals(y) if f[1] <= today]
    return max(past, key=lambda f: f[1]) if past else None


def festival_window(day: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    return day - dt.timedelta(days=WINDOW_BEFORE_DAYS), min(
        day + dt.timedelta(days=WINDOW_AFTER_DAYS), today
    )
