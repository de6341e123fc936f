"""The dashboard's door to the due rules: who is done, due, overdue (`storage.due`).

A region's verdicts are judged once and kept by this worker for at most `MAX_AGE`: judging a
county of 10^5 persons takes about a second (one streamed statement, a pass in Python), and
the overview, the overdue pages and the officials' list all read the same rows. Each page says
when they were judged ("数据截至 HH:MM"). A person's or an official's own page is judged afresh.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.scheduling import policies_for
from scheduler import festivals
from scheduler.policies import Policies, Policy
from scheduler.policies import county_policies as policies_by_county
from scheduler.policies import rules_by_county as rules_of
from storage.due import RulesByCounty, RuleStatus, iter_statuses, person_rule_status, sort_rows
from storage.due_views import due_counts, status_page

MAX_AGE_S = 60.0
T = TypeVar("T")
MAX_REGIONS = 8  # regions kept per worker (a county's rows are a few tens of MB)


@dataclass(frozen=True)
class DueSummary:
    # village id -> (persons with a rule, persons with every rule done, persons overdue on any)
    by_village: dict[int, tuple[int, int, int]]


@dataclass(frozen=True)
class DuePage:
    rows: list[RuleStatus]  # this page's rows, in the rules' order (overdue first)
    number: int  # 1-based page number actually shown (a page past the end shows the last)
    total: int  # rows in the whole list
    persons: int  # persons in the whole list
    judged_at: dt.datetime  # when the rows were judged (UTC)


class Verdicts:
    """A snapshot of a region: every (assignment, rule) judged at `judged_at` (UTC), sorted, and
    whatever a page derives from the region in the same minute (`memo`)."""

    def __init__(self, rows: list[RuleStatus], judged_at: dt.datetime) -> None:
        self.judged_at = judged_at
        self.rows = sort_rows(rows)
        self._memo: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`'s value, computed once per snapshot for `key`."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._lock:
            return self._memo.setdefault(key, value)

    def counts(self, by: str) -> dict:
        return self.memo(("due_counts", by), lambda: due_counts(self.rows, by))


class VerdictCache:
    """A region's verdicts on a day, judged at most `MAX_AGE_S` ago (one per app, per worker)."""

    def __init__(self, max_age_s: float = MAX_AGE_S, regions: int = MAX_REGIONS) -> None:
        self.max_age_s, self.regions = max_age_s, regions
        self._kept: OrderedDict[tuple, tuple[float, Verdicts]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session: Session, settings, today: dt.date, region_id: int) -> Verdicts:
        key = (today, region_id)
        now = time.monotonic()
        with self._lock:
            found = self._kept.get(key)
            if found is not None and now - found[0] < self.max_age_s:
                self._kept.move_to_end(key)
                return found[1]
        rows = list(iter_statuses(session, rules_by_county(session, settings), today,
                                  region_id=region_id))
        verdicts = Verdicts(rows, dt.datetime.now(dt.UTC).replace(tzinfo=None))
        with self._lock:
            self._kept[key] = (now, verdicts)
            self._kept.move_to_end(key)
            while len(self._kept) > self.regions:
                self._kept.popitem(last=False)
        return verdicts


def due_rows(session: Session, settings, today: dt.date, **scope) -> list[RuleStatus]:
    """The (person, rule) rows of an official or a person (`official_id=`, `person_id=`)."""
    return person_rule_status(session, rules_by_county(session, settings), today, **scope)


@lru_cache(maxsize=4)
def _loaded(settings) -> Policies:
    """The policies as the scheduler loads them (`bot.scheduling`), once per settings."""
    return policies_for(settings)


def county_policies(session: Session, settings) -> dict[int | None, Policy]:
    """County id -> its policy preset (the None key: the default), from the policy file."""
    return policies_by_county(session, _loaded(settings))


def rules_by_county(session: Session, settings) -> RulesByCounty:
    return rules_of(county_policies(session, settings))


def festival_days(session: Session, settings, county_id: int | None, year: int):
    """(name, date) of the festivals the county's policy greets, in a solar year."""
    loaded = _loaded(settings)
    policy = county_policies(session, settings).get(county_id) or loaded.preset(None)
    return [(name, day) for name in policy.festivals
            for day in festivals.dates_in_year(loaded.festivals[name], year)]


def summary(verdicts: Verdicts, village_ids: list[int]) -> DueSummary:
    """Per village of `village_ids`: persons judged, all rules done, overdue."""
    counts = verdicts.counts("village")
    wanted = set(village_ids)
    return DueSummary({v: (c.persons, c.done, c.overdue) for v, c in counts.items() if v in wanted})


def timeliness(verdicts: Verdicts) -> dict[int, tuple[int, int]]:
    """official id -> (persons they answer for, of which not overdue on that official's rules)."""
    counts = verdicts.counts("official")
    return {o: (c.persons, c.persons - c.overdue) for o, c in counts.items()}


def page(verdicts: Verdicts, *, number: int, size: int, official_id: int | None = None,
         statuses: tuple[str, ...] | None = None) -> DuePage:
    """Page `number` of the sorted rows (overdue first, longest first)."""
    chosen = verdicts.memo(("list", official_id, statuses), lambda: status_page(
        verdicts.rows, offset=0, limit=len(verdicts.rows) or 1, official_id=official_id,
        statuses=statuses).rows)  # the whole list, filtered once per snapshot
    found = status_page(chosen, offset=(number - 1) * size, limit=size)
    return DuePage(found.rows, found.offset // size + 1, found.total, found.persons,
                   verdicts.judged_at)
