"""The dashboard's one door to the reminders engine (`storage.due`): who is done, due, overdue.

The rules themselves live in the engine; this module only asks it and groups its rows. While the
engine is not installed every function returns None and the pages say so.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from storage.models import Person


@dataclass(frozen=True)
class DueSummary:
    # village id -> (persons with a rule, persons with every rule done, persons overdue on any)
    by_village: dict[int, tuple[int, int, int]]


def _engine() -> Any | None:
    try:
        return importlib.import_module("storage.due")
    except ModuleNotFoundError:
        return None


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

    Rows come overdue first (most overdue first), as the engine orders them.
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


def summarize(session: Session, rows: list[Any], village_ids: list[int]) -> DueSummary:
    person_village = dict(
        session.execute(
            select(Person.id, Person.village_id).where(Person.village_id.in_(village_ids))
        ).all()
    )
    # One pass: person -> [every rule done, some rule overdue].
    state: dict[int, list[bool]] = {}
    for r in rows:
        if r.person_id not in person_village:
            continue
        seen = state.get(r.person_id)
        if seen is None:
            state[r.person_id] = [r.status == "done", r.status == "overdue"]
        else:
            seen[0] = seen[0] and r.status == "done"
            seen[1] = seen[1] or r.status == "overdue"
    by_village: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for person_id, (done, overdue) in state.items():
        counts = by_village[person_village[person_id]]
        counts[0] += 1
        counts[1] += done
        counts[2] += overdue
    return DueSummary({v: (c[0], c[1], c[2]) for v, c in by_village.items()})


def sort_key(row: Any) -> tuple:
    """Overdue first (longest first), then due soon, then the rest."""
    order = {"overdue": 0, "due_soon": 1, "due": 2, "done": 3}
    return (order.get(row.status, 9), -(row.days_overdue or 0), row.person_name)
