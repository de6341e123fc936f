"""Calendar periods (month, quarter, year) as plain dates, and the checkpoints of a rule.

Everything here is the same for every person on a given day, so it is computed once in Python
and handed to the set-based SQL of `storage.due` as parameters.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

PERIODS = ("month", "quarter", "year")


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last date of the calendar `period` that contains `day`."""
    if period == "month":
        first = day.replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    elif period == "quarter":
        first = dt.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)
        last = (first + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    elif period == "year":
        first, last = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    else:
        raise ValueError(f"unknown period {period!r}")
    return first, last


@dataclass(frozen=True)
class Checkpoints:
    """The windows one rule is judged on, on one day.

    `cur_from..today` is counted against `cur_required` (the current period, or for a quota paced
    by quarter the year so far against the current quarter's share); `prev_from..prev_to` is the
    last checkpoint that has already passed, counted against `prev_required`.
    """

    cur_from: dt.date
    cur_end: dt.date
    cur_required: int
    prev_from: dt.date
    prev_to: dt.date
    prev_required: int


def paced_share(count: int, quarter: int) -> int:
    """How many of a yearly quota must be done by the end of `quarter` (ceil(K·q/4))."""
    return math.ceil(count * quarter / 4)


def checkpoints(period: str, count: int, paced_by_quarter: bool, today: dt.date) -> Checkpoints:
    if period == "year" and paced_by_quarter:
        q = quarter_of(today)
        _, q_end = period_bounds("quarter", today)
        prev_to = period_bounds("quarter", today)[0] - dt.timedelta(days=1)
        return Checkpoints(
            cur_from=dt.date(today.year, 1, 1),
            cur_end=q_end,
            cur_required=paced_share(count, q),
            prev_from=dt.date(prev_to.year, 1, 1),
            prev_to=prev_to,
            prev_required=paced_share(count, quarter_of(prev_to)),
        )
    cur_from, cur_end = period_bounds(period, today)
    prev_to = cur_from - dt.timedelta(days=1)
    prev_from, _ = period_bounds(period, prev_to)
    return Checkpoints(cur_from, cur_end, count, prev_from, prev_to, count)


@lru_cache(maxsize=65536)
def overdue_since(
    period: str, paced_by_quarter: bool, start: dt.date, last: dt.date | None, prev_to: dt.date
) -> dt.date:
    """End of the first checkpoint missed since the last qualifying contact (or the start)."""
    step = "quarter" if (period == "year" and paced_by_quarter) else period
    first = start
    if last is not None:
        first = max(first, period_bounds(step, last)[1] + dt.timedelta(days=1))
    return min(period_bounds(step, first)[1], prev_to)
