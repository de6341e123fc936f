"""Exactly-once handling of WeChat messages: a unique row per message or event.

The row is inserted in the same transaction that does the message's work, so a retry (or a
concurrent duplicate on another worker) either waits for that transaction and finds the stored
reply, or — if the first attempt rolled back — does the work itself.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import InboundMessage, utcnow


def claim(session: Session, dedupe_key: str, openid: str, msg_type: str) -> bool:
    """Record the message; False when it was already handled (a retry)."""
    values = {
        "dedupe_key": dedupe_key,
        "openid": openid,
        "msg_type": msg_type,
        "created_at": utcnow(),
    }
    insert: Any = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    stmt = (
        insert(InboundMessage)
        .values(values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(InboundMessage.id)
    )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that returns rows.
    return session.execute(stmt).scalar() is not None


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    return session.scalar(select(InboundMessage.reply).where(InboundMessage.dedupe_key == dedupe_key))


def store_reply(session: Session, dedupe_key: str, reply: str | None) -> None:
    session.execute(
        update(InboundMessage).where(InboundMessage.dedupe_key == dedupe_key).values(reply=reply)
    )
