"""Time in Asia/Shanghai: the calendar day of a moment, quiet hours, and UTC for storage."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(now: dt.datetime) -> dt.datetime:
    """`now` in Asia/Shanghai; a naive value is taken as UTC (the storage convention)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(SHANGHAI)


def today(now: dt.datetime) -> dt.date:
    return local(now).date()


def naive_utc(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        return now
    return now.astimezone(dt.UTC).replace(tzinfo=None)


def at_local(day: dt.date, hour: int) -> dt.datetime:
    """The moment `hour`:00 on `day` in Asia/Shanghai (aware)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def in_quiet_hours(now: dt.datetime, quiet_start: int, quiet_end: int) -> bool:
    hour = local(now).hour
    if quiet_start > quiet_end:  # spans midnight, e.g. 21..8
        return hour >= quiet_start or hour < quiet_end
    return quiet_start <= hour < quiet_end


def quiet_hours_end(now: dt.datetime, quiet_end: int) -> dt.datetime:
    """The next `quiet_end`:00 in Asia/Shanghai after `now` (aware)."""
    here = local(now)
    end = at_local(here.date(), quiet_end)
    return end if end > here else at_local(here.date() + dt.timedelta(days=1), quiet_end)


def next_local_midnight(now: dt.datetime) -> dt.datetime:
    return at_local(local(now).date() + dt.timedelta(days=1), 0)
