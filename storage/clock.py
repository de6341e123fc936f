"""Local time under the configured zone (LIANXIN_TIMEZONE): the one place a moment becomes a
calendar day or an hour of the day.

Stored timestamps are naive UTC, so a naive value given here is read as UTC. The webhook's "today",
the scheduler's jobs, triggers and quiet hours, the CLI and the dashboard all ask a `LocalClock`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"


def naive_utc(now: dt.datetime) -> dt.datetime:
    """`now` as the storage convention: naive UTC (a naive value already is)."""
    if now.tzinfo is None:
        return now
    return now.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class LocalClock:
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))

    @classmethod
    def named(cls, name: str | None) -> LocalClock:
        return cls(ZoneInfo(name or DEFAULT_TIMEZONE))

    def local(self, now: dt.datetime | None = None) -> dt.datetime:
        """`now` (default: the present) in the zone; a naive value is taken as UTC."""
        if now is None:
            return dt.datetime.now(self.zone)
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        return now.astimezone(self.zone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The calendar day of `now` (default: the present) in the zone."""
        return self.local(now).date()

    def at(self, day: dt.date, hour: int = 0) -> dt.datetime:
        """The moment `hour`:00 on `day` in the zone (aware)."""
        return dt.datetime(day.year, day.month, day.day, hour, tzinfo=self.zone)

    def day_start_utc(self, day: dt.date) -> dt.datetime:
        """The naive-UTC moment `day` begins in the zone (to compare with stored timestamps)."""
        return naive_utc(self.at(day))

    def next_midnight(self, now: dt.datetime) -> dt.datetime:
        return self.at(self.today(now) + dt.timedelta(days=1))

    def in_quiet_hours(self, now: dt.datetime, quiet_start: int, quiet_end: int) -> bool:
        hour = self.local(now).hour
        if quiet_start > quiet_end:  # spans midnight, e.g. 21..8
            return hour >= quiet_start or hour < quiet_end
        return quiet_start <= hour < quiet_end

    def quiet_hours_end(self, now: dt.datetime, quiet_end: int) -> dt.datetime:
        """The next `quiet_end`:00 in the zone after `now` (aware)."""
        here = self.local(now)
        end = self.at(here.date(), quiet_end)
        return end if end > here else self.at(here.date() + dt.timedelta(days=1), quiet_end)
