"""The dashboard's door to the due rules: who is done, due, overdue (`storage.due`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from scheduler import festivals
from scheduler.policies import Policies, Policy, load_policies
from scheduler.policies import county_policies as policies_by_county
from scheduler.policies import rules_by_county as rules_of
from storage.due import RulesByCounty, RuleStatus, person_rule_status
from storage.due_views import due_counts, status_page


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


def due_rows(session: Session, settings, today: dt.date, **scope) -> list[RuleStatus]:
    """The (person, rule) rows of an official or a person (`official_id=`, `person_id=`)."""
    return person_rule_status(session, rules_by_county(session, settings), today, **scope)


@lru_cache(maxsize=4)
def _policies_for(policy_file: str | None, default_policy: str | None) -> Policies:
    return load_policies(policy_file, default_policy)


def _loaded(settings) -> Policies:
    return _policies_for(settings.policy_file, settings.default_policy)


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


def summary(session: Session, settings, today: dt.date, region_id: int,
            village_ids: list[int]) -> DueSummary:
    """Per village of `village_ids`: persons judged, all rules done, overdue."""
    counts = due_counts(session, rules_by_county(session, settings), today, "village",
                        region_id=region_id)
    wanted = set(village_ids)
    return DueSummary({v: (c.persons, c.done, c.overdue) for v, c in counts.items() if v in wanted})


def timeliness(session: Session, settings, today: dt.date,
               region_id: int) -> dict[int, tuple[int, int]]:
    """official id -> (persons they answer for, of which not overdue on that official's rules)."""
    counts = due_counts(session, rules_by_county(session, settings), today, "official",
                        region_id=region_id)
    return {o: (c.persons, c.persons - c.overdue) for o, c in counts.items()}


def page(session: Session, settings, today: dt.date, *, number: int, size: int,
         region_id: int | None = None, official_id: int | None = None,
         statuses: tuple[str, ...] | None = None) -> DuePage:
    """Page `number` of the sorted rows (overdue first, longest first)."""
    found = status_page(session, rules_by_county(session, settings), today,
                        offset=(number - 1) * size, limit=size, region_id=region_id,
                        official_id=official_id, statuses=statuses)
    return DuePage(found.rows, found.offset // size + 1, found.total, found.persons)
