"""Festival dates 2024–2035 against sxtwl (an independent lunar implementation), rest days."""

from __future__ import annotations

import datetime as dt

import pytest
import sxtwl

from scheduler.festivals import dates_in_year, upcoming
from scheduler.policies import FestivalDef, load_policies

LUNAR = {"春节": (1, 1), "元宵": (1, 15), "端午": (5, 5), "中秋": (8, 15), "重阳": (9, 9)}


def _sxtwl(year: int, month: int, day: int) -> dt.date:
    d = sxtwl.fromLunar(year, month, day)
    return dt.date(d.getSolarYear(), d.getSolarMonth(), d.getSolarDay())


@pytest.mark.parametrize("year", range(2024, 2036))
def test_lunar_festivals_agree_with_sxtwl(year):
    defs = load_policies().festivals
    for name, (month, day) in LUNAR.items():
        assert dates_in_year(defs[name], year) == [_sxtwl(year, month, day)], name


@pytest.mark.parametrize("year", range(2024, 2036))
def test_solar_festivals(year):
    defs = load_policies().festivals
    (zhucan,) = dates_in_year(defs["全国助残日"], year)
    assert zhucan.month == 5 and zhucan.weekday() == 6 and 15 <= zhucan.day <= 21
    assert dates_in_year(defs["国际残疾人日"], year) == [dt.date(year, 12, 3)]


def test_known_dates():
    defs = load_policies().festivals
    assert dates_in_year(defs["中秋"], 2026) == [dt.date(2026, 9, 25)]
    assert dates_in_year(defs["全国助残日"], 2026) == [dt.date(2026, 5, 17)]


def test_late_lunar_month_crossing_the_solar_year():
    laba = FestivalDef("腊八", lunar=(12, 8))
    assert dates_in_year(laba, 2026) == [_sxtwl(2025, 12, 8)]  # 2026-01-26


def test_upcoming_window():
    defs = load_policies().festivals
    names = list(defs)
    assert upcoming(defs, names, dt.date(2026, 9, 22), 3) == [("中秋", dt.date(2026, 9, 25))]
    assert upcoming(defs, names, dt.date(2026, 9, 21), 3) == []
    assert upcoming(defs, names, dt.date(2026, 9, 25), 3) == []
    assert upcoming(defs, names, dt.date(2026, 12, 30), 3) == []
    assert upcoming(defs, names, dt.date(2026, 11, 30), 3) == [("国际残疾人日", dt.date(2026, 12, 3))]
