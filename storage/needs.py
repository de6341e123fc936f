"""Need tickets: create, list, move through open → in_progress → resolved/referred."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import cast

from sqlalchemy import CursorResult, Insert, Table, delete, insert, select
from sqlalchemy.orm import Session

from storage.models import OPEN_NEED_STATUSES, Need, utcnow


def add_need(
    session: Session,
    *,
    person_id: int,
    category: str,
    text: str,
    urgent: bool,
    owner_official_id: int | None,
    source: str,
    contact_id: int | None = None,
    reporter_openid: str | None = None,
    source_msg_id: str | None = None,
) -> Need:
    now = utcnow()
    values = {
        "person_id": person_id,
        "category": category,
        "text": text,
        "urgency": "urgent" if urgent else "normal",
        "status": "open",
        "owner_official_id": owner_official_id,
        "source": source,
        "contact_id": contact_id,
        "reporter_openid": reporter_openid,
        "source_msg_id": source_msg_id,
        "created_at": now,
        "updated_at": now,
    }
    need_id = session.execute(_insert(), values).scalar_one()
    # A plain copy of the row (not in the session): callers read its id, category and urgency.
    return Need(id=need_id, **values)


@cache
def _insert() -> Insert:
    table = cast(Table, Need.__table__)
    return insert(table).returning(table.c.id)


def open_needs(session: Session, person_ids: Sequence[int]) -> list[Need]:
    if not person_ids:
        return []
    return list(
        session.scalars(
            select(Need)
            .where(Need.person_id.in_(person_ids), Need.status.in_(OPEN_NEED_STATUSES))
            .order_by(Need.created_at, Need.id)
        )
    )


def recent_needs(session: Session, person_ids: Sequence[int], limit: int = 10) -> list[Need]:
    if not person_ids:
        return []
    return list(
        session.scalars(
            select(Need)
            .where(Need.person_id.in_(person_ids))
            .order_by(Need.created_at.desc(), Need.id.desc())
            .limit(limit)
        )
    )


def last_household_message_needs(session: Session, openid: str) -> list[Need]:
    """The needs filed by the household's last message that filed any not withdrawn since
    (several categories of one message are several needs), oldest first."""
    last = session.scalar(
        select(Need)
        .where(Need.reporter_openid == openid, Need.source == "household", Need.status != "withdrawn")
        .order_by(Need.created_at.desc(), Need.id.desc())
        .limit(1)
    )
    if last is None:
        return []
    if last.source_msg_id is None:
        return [last]
    return list(
        session.scalars(
            select(Need)
            .where(
                Need.reporter_openid == openid,
                Need.source_msg_id == last.source_msg_id,
                Need.status != "withdrawn",
            )
            .order_by(Need.id)
        )
    )


def withdraw(session: Session, need: Need) -> None:
    """The household took the need back (sent by mistake): kept in the ledger as 已撤回."""
    need.status, need.resolution, need.resolved_at = "withdrawn", WITHDRAWN_NOTE, utcnow()


WITHDRAWN_NOTE = "家属撤回（误发）"


def resolve(session: Session, need: Need, resolution: str) -> None:
    need.status, need.resolution, need.resolved_at = "resolved", resolution, utcnow()


def drop_untouched_for_contact(session: Session, contact_id: int) -> int:
    """Undoing a contact removes the tickets it opened that nobody has worked on yet."""
    result = session.execute(
        delete(Need).where(Need.contact_id == contact_id, Need.status == "open")
    )
    return cast(CursorResult, result).rowcount
