"""Dates as officials write them, resolved to the nearest reading.

Forms: 今天/昨天/前天/大前天, N天前 (Chinese numerals too), 周三 (this week's, or last week's if
that is still ahead), 上周五/上上周五, 11月20日, 十一月二十日, 11.20, 11/19, 11-18, 20号,
上个月28号, 本月3号, 去年12月20日, 2026-11-15, 2026年11月15日. A month-day is the nearest of
last year's, this year's and next year's (12月28日 on 01-03 is last December; 12月10日 on 12-05 is
still ahead); a day of the month up to a week ahead is this month's, else the latest past one. A
date still ahead is returned as written: a contact cannot be in the future, so the handler asks.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_NUM = r"(?:[0-9]{1,2}|[零〇一二两三四五六七八九十]{1,3})"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_RELATIVE_DAYS = {
    "大前天": -3, "大前日": -3, "前天": -2, "前日": -2, "前晚": -2, "前儿": -2, "昨天": -1,
    "昨日": -1, "昨晚": -1, "昨儿": -1, "昨早": -1, "昨夜": -1, "今天": 0, "今日": 0, "今早": 0,
    "今晚": 0, "今儿": 0, "刚才": 0, "刚刚": 0, "今晨": 0,
}

_PATTERN = re.compile(
    rf"""
    (?P<ymd>(?<![0-9])(?P<y>20[0-9]{{2}})\s*[-/.年]\s*(?P<m>[0-9]{{1,2}})\s*[-/.月]\s*(?P<d>[0-9]{{1,2}})\s*[日号]?)
    |(?<![0-9])(?P<y2>[0-9]{{2}})[./](?P<m2>[0-9]{{1,2}})[./](?P<d2>[0-9]{{1,2}})(?![0-9])
    |(?P<wn>[0-9]{{1,2}}|[一二两三四五六七八九十半]{{1,3}})\s*个?\s*(?:周|星期|礼拜)\s*(?:前|之前|以前)
    |(?P<mn>[0-9]{{1,2}}|[一二两三四五六七八九十半]{{1,3}})\s*个\s*月\s*(?:前|之前|以前)
    |(?P<wk_end>上上个?|上个?|本|这个?)?\s*(?:周末|礼拜天)
    |(?P<ry>去年|今年|前年)\s*(?P<rym>{_NUM})\s*月份?\s*(?P<ryd>{_NUM})\s*[日号]?
    |(?P<rm>上上个?月|上个?月|本月|这个?月|当月)\s*(?P<rmd>{_NUM})\s*[日号]
    |(?P<md>(?P<mdm>{_NUM})\s*月份?\s*(?P<mdd>{_NUM})\s*[日号]?)
    |(?<![0-9.:/-])(?P<sm>[0-9]{{1,2}})\s*[./-]\s*(?P<sd>[0-9]{{1,2}})(?![0-9.:/%-]|\s*[万千元块岁个次%])
    |(?P<wp>上上个?|上个?|本|这个?)?\s*(?:周|星期|礼拜)(?P<wd>[一二三四五六日天七1-7])
    |(?P<n>[0-9]{{1,2}}|[一二两三四五六七八九十]{{1,3}})\s*(?:天|日)\s*(?:前|之前|以前)
    |(?P<word>{"|".join(sorted(_RELATIVE_DAYS, key=len, reverse=True))})
    |(?<![0-9月.:/-])(?P<dd>{_NUM})\s*(?P<suffix>[号日])(?![楼院床房室线路])
    """,
    re.VERBOSE,
)


def to_int(numeral: str) -> int | None:
    """"28" / "二十八" / "十" / "两" -> int; None if it is not a number."""
    if numeral.isdigit():
        return int(numeral)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        t = _CN_DIGITS.get(tens, -1) if tens else 1
        o = _CN_DIGITS.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    if len(numeral) == 1:
        return _CN_DIGITS.get(numeral)
    return None


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _nearest(readings: list[dt.date | None], today: dt.date) -> dt.date | None:
    """The reading closest to today; a past one wins a tie. It may be ahead of today: a date
    that has not come is returned as such, for the caller to ask about, never moved a year back."""
    found = [d for d in readings if d is not None]
    if not found:
        return None
    return min(found, key=lambda d: (abs((d - today).days), d > today))


def _month_day(today: dt.date, month: int | None, day: int | None) -> dt.date | None:
    """"12月28日" on 01-03 is last December; "12月10日" on 12-05 is five days ahead."""
    if month is None or day is None:
        return None
    return _nearest([_safe(today.year + k, month, day) for k in (-1, 0, 1)], today)


def _day_of_month(today: dt.date, day: int | None) -> dt.date | None:
    """"28号" on 12-03 is November's 28th; "10号" on 12-05 is five days ahead (asked about)."""
    if day is None or not 1 <= day <= 31:
        return None
    this = _safe(today.year, today.month, day)
    if this is not None and this > today and (this - today).days <= 7:
        return this
    year, month = today.year, today.month
    for _ in range(13):
        found = _safe(year, month, day)
        if found is not None and found <= today:
            return found
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return None


def _shift_month(today: dt.date, back: int, day: int | None) -> dt.date | None:
    if day is None:
        return None
    year, month = today.year, today.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return _safe(year, month, min(day, calendar.monthrange(year, month)[1]))


def _resolve(m: re.Match[str], today: dt.date) -> dt.date | None:
    g = m.group
    if g("ymd"):
        return _safe(int(g("y")), int(g("m")), int(g("d")))
    if g("y2"):
        return _safe(2000 + int(g("y2")), int(g("m2")), int(g("d2")))
    if g("wn"):
        weeks = 0.5 if g("wn") == "半" else to_int(g("wn"))
        return None if weeks is None else today - dt.timedelta(days=round(7 * weeks))
    if g("mn"):
        if g("mn") == "半":
            return today - dt.timedelta(days=15)
        months = to_int(g("mn"))
        return None if months is None else _shift_month(today, months, today.day)
    if m.group(0).endswith(("周末", "礼拜天")):
        # 周末 is taken as its Saturday (礼拜天 as Sunday), the same week rules as 周六.
        prefix = g("wk_end") or ""
        weeks_back = 2 if prefix.startswith("上上") else 1 if prefix.startswith("上") else 0
        monday = today - dt.timedelta(days=today.weekday())
        found = monday + dt.timedelta(days=(6 if m.group(0).endswith("礼拜天") else 5) - 7 * weeks_back)
        return found - dt.timedelta(days=7) if found > today else found
    if g("ry"):
        year = today.year + {"去年": -1, "今年": 0, "前年": -2}[g("ry")]
        month, day = to_int(g("rym")), to_int(g("ryd"))
        return None if month is None or day is None else _safe(year, month, day)
    if g("rm"):
        back = 2 if g("rm").startswith("上上") else 1 if g("rm").startswith("上") else 0
        return _shift_month(today, back, to_int(g("rmd")))
    if g("md"):
        return _month_day(today, to_int(g("mdm")), to_int(g("mdd")))
    if g("sm"):
        return _month_day(today, int(g("sm")), int(g("sd")))
    if g("wd"):
        prefix = g("wp") or ""
        weeks_back = 2 if prefix.startswith("上上") else 1 if prefix.startswith("上") else 0
        monday = today - dt.timedelta(days=today.weekday())
        found = monday + dt.timedelta(days=_WEEKDAYS[g("wd")] - 7 * weeks_back)
        return found - dt.timedelta(days=7) if found > today else found
    if g("n"):
        days = to_int(g("n"))
        return None if days is None else today - dt.timedelta(days=days)
    if g("word"):
        return today + dt.timedelta(days=_RELATIVE_DAYS[g("word")])
    if g("dd"):
        numeral = g("dd")
        # "一日三餐": a lone Chinese digit before 日 is not a date.
        if g("suffix") == "日" and not numeral.isdigit() and len(numeral) == 1:
            return None
        return _day_of_month(today, to_int(numeral))
    return None


# A date that is a plan or a deadline ("说11月30号去复查", "12月1日到期") is not the contact's date.
_NOT_CONTACT_AFTER = re.compile(r"\s*(?:到期|过期|截止|之前|以前|前|要去|再去|会去|去复查|复查|开学|开始|起|后)")
_NOT_CONTACT_BEFORE = ("说", "约", "预约", "定于", "计划", "准备", "等到", "下次", "约好")


# "今天是周三": what today is, not when the contact was; "前天不对是大前天": the date after the
# correction is the one meant.
_TODAY_IS = re.compile(r"(?:今天|今日|今儿)\s*(?:是|为)?\s*(?:周|星期|礼拜)\s*[一二三四五六日天七1-7]")
_CORRECTION = re.compile(r"不对|说错了?|写错了?|记错了?|搞错了?|更正|应该是|应为|改为|改成")


def find_date(text: str, today: dt.date) -> dt.date | None:
    """The first date written in `text`; None when none is written. A date written that is
    still ahead of `today` is returned as it is (the caller asks about it, never records it).
    After a self-correction (不对/说错了/应该是) the first date after it wins."""
    fixed = _CORRECTION.search(text)
    if fixed is not None:
        later = _first_date(text, today, fixed.end())
        if later is not None:
            return later
    return _first_date(text, today, 0)


def _first_date(text: str, today: dt.date, start: int) -> dt.date | None:
    said_today = [m.span() for m in _TODAY_IS.finditer(text)]
    for m in _PATTERN.finditer(text, start):
        if any(s <= m.start() < e for s, e in said_today):
            continue
        # A date opening the message is the contact's date whatever follows it.
        if m.start() > 0 and m.group("n") is None and m.group("word") is None and (
            _NOT_CONTACT_AFTER.match(text, m.end())
            or text[max(0, m.start() - 2) : m.start()].endswith(_NOT_CONTACT_BEFORE)
        ):
            continue
        found = _resolve(m, today)
        if found is not None:
            return found
    return None


def date_spans(text: str) -> list[tuple[int, int]]:
    """Where date expressions are, so that names and vocabulary do not look inside them."""
    return [m.span() for m in _PATTERN.finditer(text)]
