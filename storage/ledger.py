"""The contact ledger as the conversation needs it: assigned persons, records, undo."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Insert,
    Select,
    Table,
    Text,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.models import (
    COUNTY,
    TOWNSHIP,
    Assignment,
    AuditLog,
    ContactRecord,
    Official,
    Person,
    Region,
    utcnow,
)


def open_assignment(today: dt.date):  # type: ignore[no-untyped-def]
    return or_(Assignment.end_date.is_(None), Assignment.end_date >= today)


def assigned_persons(session: Session, official_id: int, today: dt.date) -> list[Person]:
    """Active persons with an open assignment (jurisdiction or pairing) to the official."""
    return list(
        session.scalars(
            select(Person)
            .where(
                Person.active.is_(True),
                Person.id.in_(
                    select(Assignment.person_id).where(
                        Assignment.official_id == official_id, open_assignment(today)
                    )
                ),
            )
            .order_by(Person.name, Person.id)
        )
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
def roster_json(dialect: str) -> ColumnElement[str]:
    """`assigned_roster` of `officials.id` as one JSON text column, for a statement on officials.

    Read with `roster_from_json`. For every message of an official: one value to decode is much
    cheaper than a hundred result rows, and the sender's lookup and roster are one statement.
    """
    a, p, o = Assignment.__table__.c, Person.__table__.c, Official.__table__.c
    pair: ColumnElement = (
        func.json_build_array(p.id, p.name) if dialect == "postgresql" else func.json_array(p.id, p.name)
    )
    if dialect == "postgresql":
        # Ordered here, in the database's collation, exactly as _roster_query orders.
        agg: ColumnElement = func.json_agg(aggregate_order_by(pair, p.name, p.id))
    else:
        agg = func.json_group_array(pair)  # order and duplicates: roster_from_json
    today = bindparam("today", type_=Date)
    query = (
        select(sql_cast(func.coalesce(agg, literal_column("'[]'")), Text))
        .join_from(Person.__table__, Assignment.__table__, a.person_id == p.id)
        .where(
            a.official_id == o.id,
            or_(a.end_date.is_(None), a.end_date >= today),
            p.active.is_(True),
        )
        .correlate(Official.__table__)
    )
    return query.scalar_subquery()


def roster_from_json(value: str, dialect: str) -> list[tuple[int, str]]:
    """The (person id, name) pairs of `roster_json`, ordered and distinct as `assigned_roster`."""
    pairs = list(map(tuple, json.loads(value)))  # ids are JSON numbers, names JSON strings
    if dialect != "postgresql":
        # SQLite compares names as bytes (BINARY): UTF-8 byte order is code point order, Python's.
        return sorted(set(pairs), key=_BY_NAME)
    # Sorted by (name, id) in SQL: a person assigned twice comes twice, next to each other.
    return [pair for i, pair in enumerate(pairs) if not i or pairs[i - 1] != pair]


_BY_NAME = itemgetter(1, 0)


def is_assigned(session: Session, official_id: int, person_id: int, today: dt.date) -> bool:
    return (
        session.scalar(
            select(Assignment.id).where(
                Assignment.official_id == official_id,
                Assignment.person_id == person_id,
                open_assignment(today),
            ).limit(1)
        )
        is not None
    )


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


def township_staff(session: Session, person: Person) -> list[Official]:
    """Officials of role `township` whose region is the person's township."""
    township_id = session.execute(_region_column("parent_id"), {"region_id": person.village_id}).scalar()
    if township_id is None:
        return []
    return list(
        session.scalars(
            select(Official).where(
                Official.role == TOWNSHIP, Official.region_id == township_id, Official.active.is_(True)
            )
        )
    )


def county_staff(session: Session, person: Person) -> list[Official]:
    """Officials of role `county` whose region is the county above the person's township."""
    township_id = session.execute(_region_column("parent_id"), {"region_id": person.village_id}).scalar()
    county_id = (
        session.execute(_region_column("parent_id"), {"region_id": township_id}).scalar() if township_id else None
    )
    if county_id is None:
        return []
    return list(
        session.scalars(
            select(Official).where(
                Official.role == COUNTY, Official.region_id == county_id, Official.active.is_(True)
            )
        )
    )


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
    """Insert a contact record and return its id.

    With `unless_same_day`, nothing is inserted (and None returned) when the person already has
    a record of that channel on that day: check and insert are one statement. With `audit_as`,
    the record's `contact.log` audit row is written too (on PostgreSQL in the same statement).
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
    if audit_as is None:
        return session.execute(_insert_contact(unless_same_day, channel is None), values).scalar()
    if session.get_bind().dialect.name != "postgresql":
        record_id = session.execute(_insert_contact(unless_same_day, channel is None), values).scalar()
        if record_id is not None:
            audit(session, audit_as, "contact.log", "contact", record_id, person_id=person_id)
        return record_id
    values.update(
        audit_at=utcnow(), audit_actor=audit_as, audit_action="contact.log", audit_entity="contact",
        audit_detail={"person_id": person_id},
    )  # fmt: skip
    return session.execute(_insert_contact_audited(unless_same_day, channel is None), values).scalar()


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


@cache
def _insert_contact_audited(unless_same_day: bool, no_channel: bool) -> Insert:
    # PostgreSQL: the audit row is inserted from the record's RETURNING (a data-modifying CTE),
    # one round trip for both; nothing is inserted in either table for a same-day repeat.
    a = cast(Table, AuditLog.__table__)
    logged = _insert_contact(unless_same_day, no_channel).cte("logged")
    row = select(
        bindparam("audit_at", type_=a.c.at.type),
        bindparam("audit_actor", type_=a.c.actor.type),
        bindparam("audit_action", type_=a.c.action.type),
        bindparam("audit_entity", type_=a.c.entity.type),
        logged.c.id,
        bindparam("audit_detail", type_=a.c.detail.type),
    ).select_from(logged)
    columns = ["at", "actor", "action", "entity", "entity_id", "detail"]
    return insert(a).from_select(columns, row).returning(a.c.entity_id).add_cte(logged)


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
    record.voided, record.voided_at = True, utcnow()


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
