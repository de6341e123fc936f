"""Calendar periods the dashboard reports on (local dates, LIANXIN_TIMEZONE)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"


def period_containing(kind: str, day: dt.date) -> Period:
    if kind not in KINDS:
        kind = "month"
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    first_month = day.month if kind == "month" else (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    months = 1 if kind == "month" else 3
    return Period(kind, start, add_months(start, months) - dt.timedelta(days=1))


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after day's month (day must be a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_period(kind: str | None, at: str | None, today: dt.date) -> Period:
    """?period=month|quarter|year&at=YYYY-MM-DD (any day inside it; default today)."""
    day = today
    if at:
        try:
            day = dt.date.fromisoformat(at)
        except ValueError:
            day = today
    return period_containing(kind or "month", day)


def last_months(today: dt.date, count: int = 12) -> list[dt.date]:
    """First days of the `count` months ending with today's month, oldest first."""
    this = dt.date(today.year, today.month, 1)
    return [add_months(this, -i) for i in range(count - 1, -1, -1)]
