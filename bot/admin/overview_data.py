"""The overview's counts per village, read from persons, contacts, assignments and needs.

Computed on read: each function fills its fields of the given `Counts` per village; the due
rules' numbers (`bot.admin.due_status.summary`) are added by `with_due`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.admin.counts import Counts, total
from bot.admin.due_status import DueSummary
from storage.models import OPEN_NEED_STATUSES, Assignment, ContactRecord, Need, Person

__all__ = ["Counts", "monthly_trend", "total", "village_counts", "with_due"]


def successful():
    return and_(ContactRecord.status != "unreachable", ContactRecord.voided.is_(False))


def _live(village_ids: list[int]):
    return and_(Person.village_id.in_(village_ids), Person.active.is_(True))


def _open_assignment(person_id):
    return (select(Assignment.id)
            .where(Assignment.person_id == person_id, Assignment.end_date.is_(None)).exists())


def person_counts(session: Session, counts: dict[int, Counts], village_ids: list[int],
                  festival: bool) -> None:
    """persons, special, and festival_targets (persons with an open assignment) if festival."""
    # An index-only probe per person (ix_assignments_open_person), in the same pass.
    targets = (func.sum(case((_open_assignment(Person.id), 1), else_=0)) if festival
               else literal(0))
    for v, persons, special, festival_targets in session.execute(
        select(
            Person.village_id,
            func.count(),
            func.sum(case((Person.special_hardship.is_(True), 1), else_=0)),
            targets,
        ).where(_live(village_ids)).group_by(Person.village_id)
    ):
        c = counts[v]
        c.persons, c.special, c.festival_targets = persons, special or 0, int(festival_targets or 0)


def contact_flags(session: Session, counts: dict[int, Counts], village_ids: list[int],
                  start: dt.date, end: dt.date, festival: tuple[dt.date, dt.date] | None) -> None:
    """visited, contacted (in the period) and festival_done (assigned, contacted in the window)."""
    # One row per person first (cheap hash aggregate), then sums per village: far cheaper than
    # three COUNT(DISTINCT …) sorts over every contact row.
    in_period = ContactRecord.contact_date.between(start, end)
    dates: ColumnElement[bool] = in_period
    in_window: ColumnElement[bool] = literal(False)
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
        .where(_live(village_ids), successful(), dates)
        .group_by(Person.id, Person.village_id)
        .subquery()
    )
    greeted = _open_assignment(per_person.c.person_id)
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


def need_counts(session: Session, counts: dict[int, Counts], village_ids: list[int]) -> None:
    for v, open_needs, urgent in session.execute(
        select(
            Person.village_id,
            func.count(),
            func.sum(case((Need.urgency == "urgent", 1), else_=0)),
        )
        .join(Person, Person.id == Need.person_id)
        .where(Person.village_id.in_(village_ids), Need.status.in_(OPEN_NEED_STATUSES))
        .group_by(Person.village_id)
    ):
        counts[v].open_needs, counts[v].urgent_needs = open_needs, urgent or 0


def village_counts(session: Session, village_ids: list[int], start: dt.date, end: dt.date,
                   festival: tuple[dt.date, dt.date] | None,
                   due: DueSummary | None = None) -> dict[int, Counts]:
    """Every count of the overview for each village, the due rules' included when given."""
    counts = {v: Counts() for v in village_ids}
    person_counts(session, counts, village_ids, festival is not None)
    contact_flags(session, counts, village_ids, start, end, festival)
    need_counts(session, counts, village_ids)
    return with_due(counts, due)


def with_due(counts: dict[int, Counts], due: DueSummary | None) -> dict[int, Counts]:
    """The due rules' per-village numbers added to `counts`."""
    if due is not None:
        for v, (ruled, done, overdue) in due.by_village.items():
            if v in counts:
                counts[v].ruled, counts[v].rules_done, counts[v].overdue = ruled, done, overdue
    return counts


def monthly_trend(session: Session, village_ids: list[int],
                  months: list[dt.date]) -> list[tuple[dt.date, int, int]]:
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
