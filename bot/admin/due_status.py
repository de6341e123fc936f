"""The dashboard's one door to the reminders engine (`storage.due`): who is done, due, overdue.

The rules themselves live in the engine; this module only asks it (county-wide counts and list
pages grouped and cut in SQL by `storage.due_views`). While the engine is not installed every function returns None and the pages say so.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DueSummary:
    # village id -> (persons with a rule, persons with every rule done, persons overdue on any)
    by_village: dict[int, tuple[int, int, int]]


@dataclass(frozen=True)
class DuePage:
    rows: list[Any]  # the engine's RuleStatus rows of this page, in the engine's order
    number: int  # 1-based page number actually shown (a page past the end shows the last)
    total: int


def _engine() -> Any | None:
    try:
        return importlib.import_module("storage.due")
    except ModuleNotFoundError:
        return None


def _views() -> Any | None:
    return importlib.import_module("storage.due_views") if _engine() is not None else None


def available() -> bool:
    return _engine() is not None


def due_rows(
    session: Session,
    settings: Any,
    today: dt.date,
    *,
    region_id: int | None = None,
    official_id: int | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[Any] | None:
    """The engine's person×rule rows (person_id, official_id, rule_id, status, …) or None.

    Rows come overdue first (most overdue first), as the engine orders them. For a whole county
    use `summary`, `timeliness` or `page`, which group and cut in SQL.
    """
    engine = _engine()
    if engine is None:
        return None
    rows = list(engine.person_rule_status(
        session, rules_by_county(session, settings), today,
        official_id=official_id, region_id=region_id, statuses=statuses,
    ))
    if session.get_bind().dialect.name == "postgresql":
        # The engine raises work_mem for its one big query; with it PostgreSQL would hash whole
        # province-wide tables for the dashboard's small, index-driven queries that follow.
        session.execute(text("SET LOCAL work_mem TO DEFAULT"))
    return rows


def county_policies(session: Session, settings: Any) -> dict[int | None, Any]:
    """County id -> its policy preset (the None key: the default), from the policy file."""
    policies = importlib.import_module("scheduler.policies")
    return policies.county_policies(session, _loaded_policies(settings))


def rules_by_county(session: Session, settings: Any) -> dict[int | None, Any]:
    policies = importlib.import_module("scheduler.policies")
    return policies.rules_by_county(county_policies(session, settings))


def festival_days(session: Session, settings: Any, county_id: int | None, year: int):
    """(name, date) of the festivals the county's policy greets, in a solar year."""
    festivals = importlib.import_module("scheduler.festivals")
    loaded = _loaded_policies(settings)
    policy = county_policies(session, settings).get(county_id) or loaded.preset(None)
    return [
        (name, day)
        for name in policy.festivals
        for day in festivals.dates_in_year(loaded.festivals[name], year)
    ]


@lru_cache(maxsize=4)
def _policies_for(policy_file: str | None, default_policy: str | None) -> Any:
    policies = importlib.import_module("scheduler.policies")
    return policies.load_policies(policy_file, default_policy)


def _loaded_policies(settings: Any) -> Any:
    return _policies_for(settings.policy_file, settings.default_policy)


def summary(
    session: Session, settings: Any, today: dt.date, region_id: int, village_ids: list[int]
) -> DueSummary | None:
    """Per village of `village_ids`: persons judged, all rules done, overdue (counted in SQL)."""
    views = _views()
    if views is None:
        return None
    counts = views.due_counts(session, rules_by_county(session, settings), today, "village",
                              region_id=region_id)
    wanted = set(village_ids)
    return DueSummary({v: (c.persons, c.done, c.overdue) for v, c in counts.items() if v in wanted})


def timeliness(
    session: Session, settings: Any, today: dt.date, region_id: int
) -> dict[int, tuple[int, int]] | None:
    """official id -> (persons they answer for, of which not overdue on that official's rules)."""
    views = _views()
    if views is None:
        return None
    counts = views.due_counts(session, rules_by_county(session, settings), today, "official",
                              region_id=region_id)
    return {o: (c.persons, c.persons - c.overdue) for o, c in counts.items() if o is not None}


def page(
    session: Session,
    settings: Any,
    today: dt.date,
    *,
    number: int,
    size: int,
    region_id: int | None = None,
    official_id: int | None = None,
    statuses: tuple[str, ...] | None = None,
) -> DuePage | None:
    """Page `number` of the engine's rows, sorted and cut in SQL (overdue first, longest first)."""
    views = _views()
    if views is None:
        return None
    found = views.status_page(
        session, rules_by_county(session, settings), today, offset=(number - 1) * size,
        limit=size, region_id=region_id, official_id=official_id, statuses=statuses,
    )
    return DuePage(found.rows, found.offset // size + 1, found.total)
