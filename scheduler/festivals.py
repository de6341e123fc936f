"""Festival dates, computed (never typed in per year); lunar dates come from lunar-python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import lru_cache

from scheduler.policies import FestivalDef


@lru_cache(maxsize=1024)
def lunar_to_solar(lunar_year: int, month: int, day: int) -> dt.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th `weekday` (0 = Monday) of a month, e.g. (5, 6, 3) = third Sunday of May."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def dates_in_year(festival: FestivalDef, year: int) -> list[dt.date]:
    """Every date of `festival` that falls in solar `year` (a late lunar month may cross over)."""
    if festival.solar:
        return [dt.date(year, *festival.solar)]
    if festival.nth_weekday:
        return [nth_weekday(year, *festival.nth_weekday)]
    if festival.lunar:
        found = (lunar_to_solar(y, *festival.lunar) for y in (year - 1, year))
        return [d for d in found if d.year == year]
    raise ValueError(f"festival {festival.name} has no date rule")


def upcoming(
    defs: Mapping[str, FestivalDef], names: Iterable[str], today: dt.date, lead_days: int
) -> list[tuple[str, dt.date]]:
    """Festivals from `names` falling 1..lead_days days after `today`, soonest first.

    A window rather than one exact day, so a job that missed its day still reminds; the
    outbox's dedupe key (one per official, festival and year) keeps it to one reminder.
    """
    found = []
    for name in names:
        for year in (today.year, today.year + 1):
            for day in dates_in_year(defs[name], year):
                if 1 <= (day - today).days <= lead_days:
                    found.append((name, day))
    return sorted(found, key=lambda item: (item[1], item[0]))
