"""The contact rules: who is done, due soon, due or overdue — the only code that decides it.

Plain Python over plain values (`docs/policies.md` states the semantics in words). A rule asks
for at least `count` qualifying contacts per calendar period; a yearly quota may be paced by
quarter (ceil(count·q/4) by the end of quarter q). On a day, a person is judged on two
checkpoints: the current one (done when its share is reached) and the last one that has passed
(overdue when it ended short, on or after the assignment's start, and nothing qualifying has
happened since). Contacts dated before the assignment's start count in the period they fall in.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

PERIODS = ("month", "quarter", "year")
STATUSES = ("overdue", "due_soon", "due", "done")  # also the order lists are shown in
KINDS = ("jurisdiction", "pairing")
DEFAULT_LEAD_DAYS = {"month": 7, "quarter": 14, "year": 14}


@dataclass(frozen=True)
class Rule:
    """At least `count` qualifying contacts per calendar `period` for each person of `kind`.

    `home_visit_only`: only home visits qualify. `hardship_only`: the rule applies to
    special-hardship persons only. A `pairing` rule counts only the paired cadre's own contacts.
    """

    id: str
    label: str
    kind: str  # jurisdiction | pairing
    period: str  # month | quarter | year
    count: int = 1
    home_visit_only: bool = False
    hardship_only: bool = False
    lead_days: int = 14
    paced_by_quarter: bool = False

    @property
    def step(self) -> str:
        """The period whose end is a checkpoint: a quarter for a paced yearly quota."""
        return "quarter" if self.period == "year" and self.paced_by_quarter else self.period


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last date of the calendar `period` (month, quarter, year) that holds `day`."""
    if period == "month":
        first = day.replace(day=1)
    elif period == "quarter":
        first = dt.date(day.year, 3 * (quarter_of(day) - 1) + 1, 1)
    elif period == "year":
        first = dt.date(day.year, 1, 1)
    else:
        raise ValueError(f"unknown period {period!r}")
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = first.year * 12 + first.month - 1 + months
    return first, dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def paced_share(count: int, quarter: int) -> int:
    """How many of a yearly quota must be done by the end of `quarter` (ceil(K·q/4))."""
    return math.ceil(count * quarter / 4)


class Judgement(NamedTuple):
    """One person under one rule on one day."""

    status: str  # overdue | due_soon | due | done
    done: int  # qualifying contacts in the current checkpoint's window
    required: int  # how many that window asks for
    last: dt.date | None  # the newest qualifying contact on or before the day
    days_overdue: int  # since the end of the first checkpoint missed (0 unless overdue)


@dataclass(frozen=True)
class Checkpoints:
    """What a rule asks on one day: the same for every person, so computed once per day."""

    rule: Rule
    today: dt.date
    cur_from: dt.date  # the current window: cur_from..today, against cur_required
    cur_end: dt.date
    cur_required: int
    prev_from: dt.date  # the last checkpoint passed: prev_from..prev_to, against prev_required
    prev_to: dt.date
    prev_required: int
    # What a person neither done nor overdue is: due soon within the lead time, else due.
    open_status: str = "due"

    def judge(self, start: dt.date, dates: Iterable[dt.date]) -> Judgement:
        """`dates`: the person's qualifying contact dates for this rule, newest first, any day."""
        today, cur_from, prev_from, prev_to = self.today, self.cur_from, self.prev_from, self.prev_to
        done = in_prev = 0
        last = None
        since_prev = False
        for day in dates:
            if day > today:
                continue
            if last is None:
                last = day
            if day >= cur_from:
                done += 1
            if day > prev_to:
                since_prev = True
            elif day >= prev_from:
                in_prev += 1
            else:
                break  # older than both windows (cur_from is never before prev_from)
        if start <= prev_to and in_prev < self.prev_required and not since_prev:
            return Judgement("overdue", done, self.cur_required, last,
                             (today - _overdue_since(self.rule.step, start, last, prev_to)).days)
        status = "done" if done >= self.cur_required else self.open_status
        return Judgement(status, done, self.cur_required, last, 0)


@lru_cache(maxsize=65536)
def _overdue_since(step: str, start: dt.date, last: dt.date | None, prev_to: dt.date) -> dt.date:
    """End of the first checkpoint missed since the last qualifying contact (or the start)."""
    first = start
    if last is not None:
        first = max(first, period_bounds(step, last)[1] + dt.timedelta(days=1))
    return min(period_bounds(step, first)[1], prev_to)


@lru_cache(maxsize=1024)
def checkpoints(rule: Rule, today: dt.date) -> Checkpoints:
    step_from, step_end = period_bounds(rule.step, today)
    prev_to = step_from - dt.timedelta(days=1)
    soon = "due_soon" if (step_end - today).days <= rule.lead_days else "due"
    if rule.step != rule.period:  # a yearly quota paced by quarter: the year so far
        return Checkpoints(
            rule, today,
            cur_from=dt.date(today.year, 1, 1), cur_end=step_end,
            cur_required=paced_share(rule.count, quarter_of(today)),
            prev_from=dt.date(prev_to.year, 1, 1), prev_to=prev_to,
            prev_required=paced_share(rule.count, quarter_of(prev_to)), open_status=soon,
        )
    return Checkpoints(rule, today, step_from, step_end, rule.count,
                       period_bounds(rule.period, prev_to)[0], prev_to, rule.count, soon)


def status(rule: Rule, assignment_start: dt.date, contact_dates: Iterable[dt.date],
           today: dt.date) -> Judgement:
    """Judge one person: `contact_dates` are their qualifying contacts for `rule`, any order."""
    return checkpoints(rule, today).judge(assignment_start, sorted(contact_dates, reverse=True))


def applies(rule: Rule, kind: str, special_hardship: bool) -> bool:
    """Whether `rule` judges a person held by an assignment of `kind`."""
    return rule.kind == kind and (special_hardship or not rule.hardship_only)
