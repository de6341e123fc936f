"""The default zone's day for scheduler/jobs.py and bench/province_bench.py until they read
`policies.schedule.clock` (storage.clock.LocalClock under LIANXIN_TIMEZONE) instead."""

from __future__ import annotations

import datetime as dt

from storage.clock import LocalClock, naive_utc

__all__ = ["at_local", "naive_utc", "today"]

_DEFAULT = LocalClock()


def today(now: dt.datetime) -> dt.date:
    return _DEFAULT.today(now)


def at_local(day: dt.date, hour: int) -> dt.datetime:
    return _DEFAULT.at(day, hour)
