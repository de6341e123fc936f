"""Counts behind the overview page, per village, from the tallies of migration 0007 (Flask-free).

Persons, festival targets, needs and the 12-month trend are sums of `storage.models.tally`
rows. Contacted and visited in the period come from the latest-contact tallies whenever no
person of the villages has a contact dated after the period's end (the period contains today
and nothing is dated in the future); otherwise, and for the festival greetings, from the
contacts themselves (`bot.admin.overview_direct`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.admin import overview_direct as direct
from bot.admin.counts import Counts, total
from bot.admin.due_status import DueSummary
from bot.admin.periods import add_months
from storage.models import ContactMonthTally, LatestContactTally, VillageTally

__all__ = ["Counts", "monthly_trend", "total", "village_counts", "with_due"]


def village_counts(
    session: Session,
    village_ids: list[int],
    start: dt.date,
    end: dt.date,
    festival: tuple[dt.date, dt.date] | None,
    due: DueSummary | None,
) -> dict[int, Counts]:
    """The same numbers as `overview_direct.village_counts`, plus the due engine's."""
    counts = {v: Counts() for v in village_ids}
    everyone_assigned = set()
    for row in session.execute(
        select(VillageTally).where(VillageTally.village_id.in_(village_ids))
    ).scalars():
        c = counts[row.village_id]
        c.persons, c.special = row.persons, row.special
        c.open_needs, c.urgent_needs = row.open_needs, row.urgent_needs
        c.festival_targets = row.assigned if festival is not None else 0
        if row.assigned == row.persons:
            everyone_assigned.add(row.village_id)

    if _latest_answers(session, village_ids, start, end):
        for v, contacted, visited in session.execute(
            select(LatestContactTally.village_id, func.sum(LatestContactTally.contacted),
                   func.sum(LatestContactTally.visited))
            .where(LatestContactTally.village_id.in_(village_ids),
                   LatestContactTally.month_start.between(start, end))
            .group_by(LatestContactTally.village_id)
        ):
            counts[v].contacted, counts[v].visited = int(contacted or 0), int(visited or 0)
        if festival is not None:
            direct.festival_done(session, counts, village_ids, festival,
                                 frozenset(everyone_assigned))
    else:
        direct.contact_flags(session, counts, village_ids, start, end, festival)

    return with_due(counts, due)


def with_due(counts: dict[int, Counts], due: DueSummary | None) -> dict[int, Counts]:
    """The due engine's per-village numbers added to `counts`."""
    if due is not None:
        for v, (ruled, done, overdue) in due.by_village.items():
            if v in counts:
                counts[v].ruled, counts[v].rules_done, counts[v].overdue = ruled, done, overdue
    return counts


def _latest_answers(session: Session, village_ids: list[int], start: dt.date,
                    end: dt.date) -> bool:
    """Whether "newest contact in [start, end]" means "some contact in [start, end]".

    It does when the period is whole months and no active person of the villages has a newest
    contact after `end` (so every contact after `start` is inside the period).
    """
    if start.day != 1 or add_months(dt.date(end.year, end.month, 1), 1) - end != dt.timedelta(1):
        return False
    later = session.execute(
        select(LatestContactTally.village_id)
        .where(LatestContactTally.village_id.in_(village_ids),
               LatestContactTally.month_start > end,
               or_(LatestContactTally.contacted != 0, LatestContactTally.visited != 0))
        .limit(1)
    ).first()
    return later is None


def monthly_trend(
    session: Session, village_ids: list[int], months: list[dt.date]
) -> list[tuple[dt.date, int, int]]:
    """(first of month, successful contacts logged, of which home visits) for each month given."""
    rows = session.execute(
        select(ContactMonthTally.month_start, func.sum(ContactMonthTally.contacts),
               func.sum(ContactMonthTally.home_visits))
        .where(ContactMonthTally.village_id.in_(village_ids),
               ContactMonthTally.month_start.between(months[0], months[-1]))
        .group_by(ContactMonthTally.month_start)
    ).all()
    totals = {(m.year, m.month): (int(n or 0), int(h or 0)) for m, n, h in rows}
    return [(m, *totals.get((m.year, m.month), (0, 0))) for m in months]
