"""Bring a batch of persons' open jurisdiction/pairing assignments in line with the roster.

An assignment that changes is ended (end_date = the import day) and a new one started, so the
history of who was responsible when is kept. A blank cell never ends anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from storage.models import Assignment


@dataclass(frozen=True, slots=True)
class Wanted:
    person_id: int
    kind: str
    official_id: int
    start: dt.date
    only_if_none: bool = False  # the village's member fills a gap but never replaces anyone


def apply_assignments(session: Session, wanted: list[Wanted], today: dt.date) -> set[int]:
    """Open/end assignments as needed; returns the ids of persons whose assignments changed."""
    if not wanted:
        return set()
    person_ids = {w.person_id for w in wanted}
    open_rows: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for assignment_id, person_id, kind, official_id in session.execute(
        select(Assignment.id, Assignment.person_id, Assignment.kind, Assignment.official_id).where(
            Assignment.person_id.in_(person_ids), Assignment.end_date.is_(None)
        )
    ):
        open_rows.setdefault((person_id, kind), []).append((assignment_id, official_id))

    to_end: list[int] = []
    to_start: list[dict] = []
    changed: set[int] = set()
    for w in wanted:
        current = open_rows.get((w.person_id, w.kind), [])
        if w.only_if_none and current:
            continue
        keeps = any(official_id == w.official_id for _, official_id in current)
        stale = [a for a, official_id in current if official_id != w.official_id and a]
        if not keeps:
            to_start.append(
                {"person_id": w.person_id, "kind": w.kind, "official_id": w.official_id,
                 "start_date": w.start}
            )
        to_end.extend(stale)
        if stale or not keeps:
            changed.add(w.person_id)
        # Later rows for the same person and kind see this row's outcome.
        open_rows[(w.person_id, w.kind)] = [(0, w.official_id)]
    if to_end:
        session.execute(update(Assignment), [{"id": a, "end_date": today} for a in to_end])
    if to_start:
        session.execute(insert(cast(Table, Assignment.__table__)), to_start)
    return changed
