"""Short-lived pending questions per openid, kept in the database so any worker can continue.

Core statements on the table, built once: every message from a person asks for their question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Delete, Select, Table, bindparam, delete, select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import ConversationState, utcnow

_T = cast(Table, ConversationState.__table__)


@dataclass(frozen=True)
class Pending:
    """The question an openid was last asked: its kind and what is needed to finish it."""

    kind: str
    payload: dict[str, Any]


@cache
def _get() -> Select:
    return select(_T.c.kind, _T.c.payload, _T.c.expires_at).where(_T.c.openid == bindparam("openid"))


@cache
def _delete() -> Delete:
    return delete(_T).where(_T.c.openid == bindparam("openid"))


@cache
def _upsert(session: Session) -> Any:
    stmt = insert_for(session, _T)
    # The latest question wins, also when two messages of one openid are handled at once.
    return stmt.on_conflict_do_update(
        index_elements=[_T.c.openid],
        set_={c: stmt.excluded[c] for c in ("kind", "payload", "expires_at")},
    )


def get(session: Session, openid: str, now: dt.datetime | None = None) -> Pending | None:
    row = session.execute(_get(), {"openid": openid}).first()
    if row is None:
        return None
    return pending_of(session, openid, row.kind, row.payload, row.expires_at, now)


def pending_of(
    session: Session,
    openid: str,
    kind: str | None,
    payload: Any,
    expires_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> Pending | None:
    """The question read as (kind, payload, expires_at), or None (cleared when it has expired)."""
    if kind is None or expires_at is None:
        return None
    if expires_at <= (now or utcnow()):
        clear(session, openid)
        return None
    return Pending(kind, payload)


def put(session: Session, openid: str, kind: str, payload: dict[str, Any], ttl: dt.timedelta) -> None:
    session.execute(
        _upsert(session),
        {"openid": openid, "kind": kind, "payload": payload, "expires_at": utcnow() + ttl},
    )


def clear(session: Session, openid: str) -> None:
    session.execute(_delete(), {"openid": openid})
