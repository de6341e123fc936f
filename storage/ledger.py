"""The contact ledger as the conversation needs it: assigned persons, records, undo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Date,
    Insert,
    Select,
    Table,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from storage import contact_dates
from storage.audit import audit
from storage.models import (
    COUNTY,
    TOWNSHIP,
    Assignment,
    ContactRecord,
    Official,
    Person,
    Region,
    utcnow,
)


@cache
def _roster_query() -> Select:
    # Built once on the tables (Core): it runs for every message an official sends.
    a, p = Assignment.__table__.c, Person.__table__.c
    today = bindparam("today", type_=Date)
    return (
        select(p.id, p.name)
        .join_from(Person.__table__, Assignment.__table__, a.person_id == p.id)
        .where(
            a.official_id == bindparam("official_id"),
            or_(a.end_date.is_(None), a.end_date >= today),
            p.active.is_(True),
        )
        .distinct()
        .order_by(p.name, p.id)
    )


def assigned_roster(session: Session, official_id: int, today: dt.date) -> list[tuple[int, str]]:
    """(person id, name) of the official's active persons: what a message is matched against."""
    rows = session.execute(_roster_query(), {"official_id": official_id, "today": today})
    return [(int(i), str(n)) for i, n in rows]




@cache
def _responsible() -> Select:
    today = bindparam("today", type_=Date)
    return (
        select(Official, Assignment.kind)
        .join(Assignment, Assignment.official_id == Official.id)
        .where(
            Assignment.person_id == bindparam("person_id"),
            or_(Assignment.end_date.is_(None), Assignment.end_date >= today),
            Official.active.is_(True),
        )
        .order_by(Assignment.kind, Official.id)
    )


def responsible_officials(session: Session, person_id: int, today: dt.date) -> list[tuple[Official, str]]:
    """(official, kind) for every open assignment of the person, jurisdiction first."""
    rows = session.execute(_responsible(), {"person_id": person_id, "today": today}).all()
    return [(o, k) for o, k in rows]


@cache
def _region_column(column: str) -> Select:
    regions = Region.__table__
    return select(regions.c[column]).where(regions.c.id == bindparam("region_id"))


def _staff(session: Session, role: str, region_id: int | None) -> list[Official]:
    if region_id is None:
        return []
    return list(session.scalars(select(Official).where(
        Official.role == role, Official.region_id == region_id, Official.active.is_(True))))


def _parent(session: Session, region_id: int | None) -> int | None:
    if region_id is None:
        return None
    return session.execute(_region_column("parent_id"), {"region_id": region_id}).scalar()


def township_staff(session: Session, person: Person) -> list[Official]:
    """Officials of role `township` whose region is the person's township."""
    return _staff(session, TOWNSHIP, _parent(session, person.village_id))


def county_staff(session: Session, person: Person) -> list[Official]:
    """Officials of role `county` whose region is the county above the person's township."""
    return _staff(session, COUNTY, _parent(session, _parent(session, person.village_id)))


def village_label(session: Session, person: Person) -> str:
    return session.execute(_region_column("name"), {"region_id": person.village_id}).scalar() or ""


def add_contact(
    session: Session,
    *,
    person_id: int,
    official_id: int,
    channel: str | None,
    status: str,
    day: dt.date,
    needs: Sequence[str],
    raw_text: str,
    source_msg_id: str | None,
    note: str | None = None,
    unless_same_day: bool = False,
    audit_as: str | None = None,
) -> int | None:
    """Insert a contact record (and keep the person's `contact_dates`); return its id.

    With `unless_same_day`, nothing is inserted (and None returned) when the person already has
    a record of that channel on that day: check and insert are one statement. With `audit_as`,
    the record's `contact.log` audit row is written too.
    """
    values: dict[str, Any] = {
        "person_id": person_id,
        "official_id": official_id,
        "channel": channel,
        "status": status,
        "contact_date": day,
        "needs": list(needs),
        "raw_text": raw_text,
        "note": note or None,
        "source_msg_id": source_msg_id,
        "voided": False,
        "voided_at": None,
        "created_at": utcnow(),
    }
    record_id = session.execute(_insert_contact(unless_same_day, channel is None), values).scalar()
    if record_id is None:
        return None
    if status != "unreachable":
        contact_dates.refresh(session, [person_id])
    if audit_as is not None:
        audit(session, audit_as, "contact.log", "contact", record_id, person_id=person_id)
    return record_id


_CONTACT_COLUMNS = (
    "person_id", "official_id", "channel", "status", "contact_date", "needs", "raw_text", "note",
    "source_msg_id", "voided", "voided_at", "created_at",
)  # fmt: skip


@cache
def _insert_contact(unless_same_day: bool, no_channel: bool) -> Insert:
    t = cast(Table, ContactRecord.__table__)
    row = select(*(bindparam(c, type_=t.c[c].type) for c in _CONTACT_COLUMNS))
    if unless_same_day:
        h = t.alias("h")
        row = row.where(
            ~exists().where(
                h.c.person_id == bindparam("person_id"),
                h.c.contact_date == bindparam("contact_date"),
                h.c.channel.is_(None) if no_channel else h.c.channel == bindparam("channel"),
                h.c.voided.is_(False),
            )
        )
    return insert(t).from_select(list(_CONTACT_COLUMNS), row, include_defaults=False).returning(t.c.id)


def last_own_record(session: Session, official_id: int) -> ContactRecord | None:
    """The official's latest record sent by chat (imported history is never undone by chat)."""
    return session.scalar(
        select(ContactRecord)
        .where(
            ContactRecord.official_id == official_id,
            ContactRecord.voided.is_(False),
            ContactRecord.source_msg_id.is_not(None),
        )
        .order_by(ContactRecord.created_at.desc(), ContactRecord.id.desc())
        .limit(1)
    )


def message_key(source_msg_id: str) -> str:
    """The message a record came from: a message that logged several persons numbers them `#i`."""
    head, sep, tail = source_msg_id.rpartition("#")
    return head if sep and tail.isdigit() else source_msg_id


def records_of_message(session: Session, official_id: int, record: ContactRecord) -> list[ContactRecord]:
    """Every live record the official logged with the same message as `record`, oldest first."""
    if record.source_msg_id is None:
        return [record]
    key = message_key(record.source_msg_id)
    found = session.scalars(
        select(ContactRecord)
        .where(
            ContactRecord.official_id == official_id,
            ContactRecord.voided.is_(False),
            or_(ContactRecord.source_msg_id == key, ContactRecord.source_msg_id.startswith(key + "#", autoescape=True)),
        )
        .order_by(ContactRecord.id)
    ).all()
    return [r for r in found if r.source_msg_id and message_key(r.source_msg_id) == key] or [record]


def void(session: Session, record: ContactRecord) -> None:
    """Void a record (undo); the person's `contact_dates` follow in the same transaction."""
    record.voided, record.voided_at = True, utcnow()
    contact_dates.refresh(session, [record.person_id])


def recent_contacts(session: Session, person_id: int, limit: int = 3) -> list[ContactRecord]:
    return list(
        session.scalars(
            select(ContactRecord)
            .where(ContactRecord.person_id == person_id, ContactRecord.voided.is_(False))
            .order_by(ContactRecord.contact_date.desc(), ContactRecord.id.desc())
            .limit(limit)
        )
    )


def period_counts(
    session: Session, official_id: int, start: dt.date, end: dt.date
) -> tuple[int, int, int, int]:
    """(records, successful, home visits, distinct persons) the official logged in [start, end]."""
    ok = ContactRecord.status != "unreachable"
    row = session.execute(
        select(
            func.count(),
            func.count().filter(ok),
            func.count().filter(ok, ContactRecord.channel == "home_visit"),
            func.count(func.distinct(ContactRecord.person_id)),
        ).where(
            ContactRecord.official_id == official_id,
            ContactRecord.voided.is_(False),
            ContactRecord.contact_date.between(start, end),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])
