"""Exactly-once handling of WeChat messages: a unique row per message or event.

The row is inserted in the same transaction that does the message's work, so a retry (or a
concurrent duplicate on another worker) either waits for that transaction and finds the stored
reply, or — if the first attempt rolled back — does the work itself.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import InboundMessage, utcnow

_T = cast(Table, InboundMessage.__table__)


def claim(session: Session, dedupe_key: str, openid: str, msg_type: str) -> bool:
    """Record the message; False when it was already handled (a retry)."""
    statement = (insert_for(session, _T)
                 .values(dedupe_key=dedupe_key, openid=openid, msg_type=msg_type,
                         created_at=utcnow())
                 .on_conflict_do_nothing(index_elements=["dedupe_key"])
                 .returning(_T.c.id))
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that returns rows.
    return session.execute(statement).scalar() is not None


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    return session.execute(select(_T.c.reply).where(_T.c.dedupe_key == dedupe_key)).scalar()


def store_reply(session: Session, dedupe_key: str, reply: str | None) -> None:
    session.execute(update(_T).where(_T.c.dedupe_key == dedupe_key).values(reply=reply))
