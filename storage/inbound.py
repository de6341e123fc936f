"""Exactly-once handling of WeChat messages: a unique row per message or event.

The row is inserted in the same transaction that does the message's work, so a retry (or a
concurrent duplicate on another worker) either waits for that transaction and finds the stored
reply, or — if the first attempt rolled back — does the work itself.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import InboundMessage, utcnow

_T = cast(Table, InboundMessage.__table__)


@cache
def _claim(insert: Any) -> Any:
    """The claim on `insert` (the database's INSERT … ON CONFLICT), built once per database."""
    return (insert.values(dedupe_key=bindparam("key"), openid=bindparam("openid"),
                          msg_type=bindparam("msg_type"), created_at=bindparam("at"))
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(_T.c.id))


_STORED = select(_T.c.reply).where(_T.c.dedupe_key == bindparam("key"))
_STORE = update(_T).where(_T.c.dedupe_key == bindparam("key")).values(reply=bindparam("reply"))


def claim(session: Session, dedupe_key: str, openid: str, msg_type: str) -> bool:
    """Record the message; False when it was already handled (a retry)."""
    values = {"key": dedupe_key, "openid": openid, "msg_type": msg_type, "at": utcnow()}
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that returns rows.
    return session.execute(_claim(insert_for(session, _T)), values).scalar() is not None


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    return session.execute(_STORED, {"key": dedupe_key}).scalar()


def store_reply(session: Session, dedupe_key: str, reply: str | None) -> None:
    session.execute(_STORE, {"key": dedupe_key, "reply": reply})
