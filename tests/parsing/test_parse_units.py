"""Edges of the parts: calendar corners of dates, name suggestions, the load being idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.parsing import load, parse
from handlers.parsing.dates import find_date, to_int
from handlers.parsing.names import suggest


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("31号", dt.date(2026, 3, 11), dt.date(2026, 1, 31)),  # February has no 31st
        ("29号", dt.date(2026, 3, 1), dt.date(2026, 1, 29)),
        ("上个月31号", dt.date(2026, 3, 11), dt.date(2026, 2, 28)),  # clamped to the month's end
        ("2月29日", dt.date(2026, 3, 11), None),  # not a leap year
        ("12月31日", dt.date(2026, 1, 2), dt.date(2025, 12, 31)),
        ("周日", dt.date(2026, 3, 8), dt.date(2026, 3, 8)),  # today is Sunday
        ("上周一", dt.date(2026, 3, 2), dt.date(2026, 2, 23)),
        ("2027-01-01", dt.date(2026, 3, 11), dt.date(2027, 1, 1)),  # a future date is returned as written; the handler asks
        ("3点", dt.date(2026, 3, 11), None),
        ("13812345678", dt.date(2026, 3, 11), None),
    ],
)
def test_calendar_corners(text, today, expected):
    assert find_date(text, today) == expected


def test_chinese_numerals():
    assert [to_int(n) for n in ("十", "十一", "二十", "二十八", "三十一", "两", "7")] == [10, 11, 20, 28, 31, 2, 7]
    assert to_int("百") is None


def test_suggestions_rank_by_sound_and_spelling():
    roster = ["刘德明", "刘明", "张三", "王春梅"]
    assert suggest("刘得明", roster)[0] == "刘德明"
    assert suggest("欧阳锋", roster) == []


def test_load_is_idempotent_and_parse_defaults_to_shanghai_today():
    load()
    load()
    result = parse("访视 张三 电话 正常", ["张三"])
    assert result.date is not None and abs((result.date - dt.date.today()).days) <= 1


def test_unknown_role_is_an_error():
    with pytest.raises(ValueError):
        parse("张三", ["张三"], role="admin")
