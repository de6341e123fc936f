"""Counts behind the overview page, per village, in a handful of grouped queries (Flask-free)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields

from sqlalchemy import and_, case, func, literal, or_, select
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
    """Three grouped queries (persons, contacts, needs) driven from the villages' persons."""
    counts = {v: Counts() for v in village_ids}
    in_villages = Person.village_id.in_(village_ids)
    live = and_(in_villages, Person.active.is_(True))
    # Festival greetings are owed to persons someone is assigned to: an index-only probe per
    # person (ix_assignments_open_person), in the same pass that counts them.
    assigned = (
        select(Assignment.id)
        .where(Assignment.person_id == Person.id, Assignment.end_date.is_(None))
        .exists()
    )
    targets = func.sum(case((assigned, 1), else_=0)) if festival is not None else literal(0)
    for v, persons, special, festival_targets in session.execute(
        select(
            Person.village_id,
            func.count(),
            func.sum(case((Person.special_hardship.is_(True), 1), else_=0)),
            targets,
        ).where(live).group_by(Person.village_id)
    ):
        c = counts[v]
        c.persons, c.special, c.festival_targets = persons, special or 0, int(festival_targets or 0)

    # One row per person first (cheap hash aggregate), then sums per village: far cheaper than
    # three COUNT(DISTINCT …) sorts over every contact row.
    in_period = ContactRecord.contact_date.between(start, end)
    dates = in_period
    in_window = literal(False)
    if festival is not None:
        in_window = ContactRecord.contact_date.between(*festival)
        # The OR alone cannot bound the index range scan per person; the hull of both can.
        hull = ContactRecord.contact_date.between(min(start, festival[0]), max(end, festival[1]))
        dates = and_(hull, or_(in_period, in_window))
    flag = lambda cond: func.max(case((cond, 1), else_=0))  # noqa: E731
    per_person = (
        select(
            Person.id.label("person_id"),
            Person.village_id.label("village_id"),
            flag(and_(in_period, ContactRecord.channel == "home_visit")).label("visited"),
            flag(in_period).label("contacted"),
            flag(in_window).label("in_window"),
        )
        .join(ContactRecord, ContactRecord.person_id == Person.id)
        .where(live, successful(), dates)
        .group_by(Person.id, Person.village_id)
        .subquery()
    )
    greeted = (
        select(Assignment.id)
        .where(Assignment.person_id == per_person.c.person_id, Assignment.end_date.is_(None))
        .exists()
    )
    for v, visited, contacted, done in session.execute(
        select(
            per_person.c.village_id,
            func.sum(per_person.c.visited),
            func.sum(per_person.c.contacted),
            func.sum(case((and_(per_person.c.in_window == 1, greeted), 1), else_=0)),
        ).group_by(per_person.c.village_id)
    ):
        c = counts[v]
        c.visited, c.contacted, c.festival_done = int(visited or 0), int(contacted or 0), int(done or 0)

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

    if due is not None:
        for v, (ruled, done, overdue) in due.by_village.items():
            if v in counts:
                counts[v].ruled, counts[v].rules_done, counts[v].overdue = ruled, done, overdue
    return counts


def total(rows: Iterable[Counts]) -> Counts:
    out = Counts()
    for row in rows:
        out.add(row)
    return out


def monthly_trend(
    session: Session, village_ids: list[int], months: list[dt.date]
) -> list[tuple[dt.date, int, int]]:
    """(first of month, successful contacts logged, of which home visits) for each month given."""
    # Grouped by day (at most 366 groups, no date functions that differ between databases),
    # then folded into months here.
    rows = session.execute(
        select(
            ContactRecord.contact_date,
            func.count(),
            func.sum(case((ContactRecord.channel == "home_visit", 1), else_=0)),
        )
        .join(Person, Person.id == ContactRecord.person_id)
        .where(
            Person.village_id.in_(village_ids),
            successful(),
            ContactRecord.contact_date >= months[0],
        )
        .group_by(ContactRecord.contact_date)
    ).all()
    totals: dict[tuple[int, int], list[int]] = {}
    for day, count, home in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        bucket = totals.setdefault((day.year, day.month), [0, 0])
        bucket[0] += count
        bucket[1] += int(home or 0)
    return [(m, *totals.get((m.year, m.month), (0, 0))) for m in months]
