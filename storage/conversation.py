"""Short-lived pending questions per openid, kept in the database so any worker can continue."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import Session

from storage.models import ConversationState, utcnow


@cache
def _get() -> Select:
    return select(ConversationState).where(ConversationState.openid == bindparam("openid"))


def get(session: Session, openid: str, now: dt.datetime | None = None) -> ConversationState | None:
    state = session.scalar(_get(), {"openid": openid})
    if state is not None and state.expires_at <= (now or utcnow()):
        session.delete(state)
        return None
    return state


def put(session: Session, openid: str, kind: str, payload: dict[str, Any], ttl: dt.timedelta) -> None:
    clear(session, openid)
    session.add(ConversationState(openid=openid, kind=kind, payload=payload, expires_at=utcnow() + ttl))


def clear(session: Session, openid: str) -> None:
    session.execute(delete(ConversationState).where(ConversationState.openid == openid))
    session.flush()
