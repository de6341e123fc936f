"""`contact_dates`: each person's successful contact dates, newest first, kept with the ledger.

The rules (`storage.rules`) need, per person, the qualifying dates of the last two calendar
years at most (a yearly quota judged in January looks back to the January before). Reading them
from the contacts of a whole province every morning would be millions of rows; this table holds
them as one row per person (and one per official who made contacts, for pairing rules), so the
daily run reads one row per assignment.

Every writer of `contact_records` calls `refresh` for the persons it touched, in its own
transaction (`storage.ledger` does for the chat and the dashboard); a bulk load calls `rebuild`
(`lianxin db rebuild`). A row keeps the dates from the first of January two years before its
newest date, and the newest one before that, so "the last contact" is always exact.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session

from storage.models import ContactDates, ContactRecord

ANYONE = 0  # the official_id of the row holding everyone's contacts
_C = ContactRecord.__table__.c
_T = cast(Table, ContactDates.__table__)
_SUCCESSFUL = (_C.voided.is_(False), _C.status != "unreachable")


def _kept(dates: list[str]) -> str:
    """`dates` (ISO, newest first) cut to what any evaluation can need, as stored text."""
    if not dates:
        return ""
    floor = f"{int(dates[0][:4]) - 2}-01-01"
    kept = [d for d in dates if d >= floor]
    if len(kept) < len(dates):
        kept.append(dates[len(kept)])  # the newest one before the floor
    return ",".join(kept)


def _rows(history: Iterable[tuple[int, str, str | None, int | None]]) -> Iterator[dict]:
    """Rows of the table from one person's (person, ISO date, channel, official) newest first."""
    contacts: dict[tuple[int, int], list[str]] = defaultdict(list)
    visits: dict[tuple[int, int], list[str]] = defaultdict(list)
    for person_id, day, channel, official_id in history:
        keys = [(person_id, ANYONE)] + ([(person_id, official_id)] if official_id else [])
        for key in keys:
            contacts[key].append(day)
            if channel == "home_visit":
                visits[key].append(day)
    for (person_id, official_id), dates in contacts.items():
        yield {"person_id": person_id, "official_id": official_id,
               "contacts": _kept(dates), "visits": _kept(visits.get((person_id, official_id), []))}


@cache
def _history_query(how: str) -> Any:
    """Successful contacts newest first: of one person, of a list of persons, or of everyone."""
    query = (select(_C.person_id, _C.contact_date, _C.channel, _C.official_id)
             .where(*_SUCCESSFUL)
             .order_by(_C.person_id, _C.contact_date.desc(), _C.id.desc()))
    if how == "one":
        return query.where(_C.person_id == bindparam("id"))
    if how == "some":
        return query.where(_C.person_id.in_(bindparam("ids", expanding=True)))
    return query


def _history(session: Session, person_ids: list[int] | None) -> Iterator[tuple[int, str, Any, Any]]:
    if person_ids is None:
        result = session.execute(_history_query("all"), execution_options={"yield_per": 10_000})
    elif len(person_ids) == 1:
        result = session.execute(_history_query("one"), {"id": person_ids[0]})
    else:
        result = session.execute(_history_query("some"), {"ids": person_ids})
    for person_id, day, channel, official_id in result:
        yield person_id, day.isoformat(), channel, official_id


@cache
def _delete_query(one: bool) -> Any:
    t = _T
    if one:
        return delete(t).where(t.c.person_id == bindparam("id"))
    return delete(t).where(t.c.person_id.in_(bindparam("ids", expanding=True)))


def refresh(session: Session, person_ids: Iterable[int]) -> None:
    """Recompute the rows of `person_ids` from their contacts (call after writing contacts)."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    rows = list(_rows(_history(session, ids)))
    one = len(ids) == 1
    session.execute(_delete_query(one), {"id": ids[0]} if one else {"ids": ids})
    if rows:
        session.execute(insert(_T), rows)


def rebuild(session: Session) -> int:
    """Recompute the whole table from the contacts (after a bulk load); returns its row count."""
    session.execute(delete(ContactDates))
    count, batch = 0, list[dict]()
    person: int | None = None
    history: list[tuple[int, str, Any, Any]] = []
    for row in _history(session, None):
        if row[0] != person and history:
            batch.extend(_rows(history))
            history = []
        person = row[0]
        history.append(row)
        if len(batch) >= 5_000:
            session.execute(insert(ContactDates), batch)
            count, batch = count + len(batch), []
    batch.extend(_rows(history))
    if batch:
        session.execute(insert(ContactDates), batch)
    return count + len(batch)


class Dates(dict[str, dt.date]):
    """ISO text -> date, each parsed once (a whole run shares one: most dates repeat)."""

    def __missing__(self, iso: str) -> dt.date:
        day = self[iso] = dt.date.fromisoformat(iso)
        return day


def parse(text: str | None, cache: Dates) -> list[dt.date]:
    """A stored list as dates, newest first."""
    return [cache[iso] for iso in text.split(",")] if text else []
