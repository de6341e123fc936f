"""Counts behind the overview page, per village, in a handful of grouped queries (Flask-free)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields

from sqlalchemy import and_, case, distinct, extract, func, select
from sqlalchemy.orm import Session

from bot.admin.due_status import DueSummary
from storage.models import OPEN_NEED_STATUSES, Assignment, ContactRecord, Need, Person


@dataclass
class Counts:
    persons: int = 0
    special: int = 0
    visited: int = 0  # persons with a successful home visit in the period
    contacted: int = 0  # persons with any successful contact in the period
    ruled: int = 0  # persons some policy rule applies to
    rules_done: int = 0  # of those, persons whose every rule is done
    overdue: int = 0  # persons overdue on at least one rule
    open_needs: int = 0
    urgent_needs: int = 0
    festival_targets: int = 0  # persons with an official assigned
    festival_done: int = 0  # of those, contacted in the last festival's window

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def visit_rate(self) -> float | None:
        return self.rate(self.visited, self.persons)

    @property
    def contact_rate(self) -> float | None:
        return self.rate(self.contacted, self.persons)

    @property
    def done_rate(self) -> float | None:
        return self.rate(self.rules_done, self.ruled)

    @property
    def festival_rate(self) -> float | None:
        return self.rate(self.festival_done, self.festival_targets)


def successful():
    return and_(ContactRecord.status != "unreachable", ContactRecord.voided.is_(False))


def village_counts(
    session: Session,
    village_ids: list[int],
    start: dt.date,
    end: dt.date,
    festival: tuple[dt.date, dt.date] | None,
    due: DueSummary | None,
) -> dict[int, Counts]:
    counts = {v: Counts() for v in village_ids}
    in_villages = Person.village_id.in_(village_ids)
    live = and_(in_villages, Person.active.is_(True))

    for v, persons, special in session.execute(
        select(
            Person.village_id,
            func.count(),
            func.sum(case((Person.special_hardship.is_(True), 1), else_=0)),
        ).where(live).group_by(Person.village_id)
    ):
        counts[v].persons, counts[v].special = persons, special or 0

    home = case((ContactRecord.channel == "home_visit", ContactRecord.person_id))
    for v, visited, contacted in session.execute(
        select(
            Person.village_id,
            func.count(distinct(home)),
            func.count(distinct(ContactRecord.person_id)),
        )
        .join(Person, Person.id == ContactRecord.person_id)
        .where(live, successful(), ContactRecord.contact_date.between(start, end))
        .group_by(Person.village_id)
    ):
        counts[v].visited, counts[v].contacted = visited, contacted

    for v, open_needs, urgent in session.execute(
        select(
            Person.village_id,
            func.count(),
            func.sum(case((Need.urgency == "urgent", 1), else_=0)),
        )
        .join(Person, Person.id == Need.person_id)
        .where(in_villages, Need.status.in_(OPEN_NEED_STATUSES))
        .group_by(Person.village_id)
    ):
        counts[v].open_needs, counts[v].urgent_needs = open_needs, urgent or 0

    if festival is not None:
        _festival_counts(session, counts, live, festival)
    if due is not None:
        for v, (ruled, done, overdue) in due.by_village.items():
            if v in counts:
                counts[v].ruled, counts[v].rules_done, counts[v].overdue = ruled, done, overdue
    return counts


def _festival_counts(session, counts, live, window) -> None:
    assigned = select(Assignment.person_id).where(Assignment.end_date.is_(None))
    for v, targets in session.execute(
        select(Person.village_id, func.count())
        .where(live, Person.id.in_(assigned))
        .group_by(Person.village_id)
    ):
        counts[v].festival_targets = targets
    for v, done in session.execute(
        select(Person.village_id, func.count(distinct(ContactRecord.person_id)))
        .join(Person, Person.id == ContactRecord.person_id)
        .where(
            live,
            Person.id.in_(assigned),
            successful(),
            ContactRecord.contact_date.between(*window),
        )
        .group_by(Person.village_id)
    ):
        counts[v].festival_done = done


def total(rows: Iterable[Counts]) -> Counts:
    out = Counts()
    for row in rows:
        out.add(row)
    return out


def monthly_trend(
    session: Session, village_ids: list[int], months: list[dt.date]
) -> list[tuple[dt.date, int, int]]:
    """(first of month, persons contacted, persons visited at home) for each month given."""
    year = extract("year", ContactRecord.contact_date)
    month = extract("month", ContactRecord.contact_date)
    home = case((ContactRecord.channel == "home_visit", ContactRecord.person_id))
    rows = session.execute(
        select(year, month, func.count(distinct(ContactRecord.person_id)), func.count(distinct(home)))
        .join(Person, Person.id == ContactRecord.person_id)
        .where(
            Person.village_id.in_(village_ids),
            successful(),
            ContactRecord.contact_date >= months[0],
        )
        .group_by(year, month)
    ).all()
    found = {(int(y), int(m)): (c, h) for y, m, c, h in rows}
    return [(m, *found.get((m.year, m.month), (0, 0))) for m in months]
