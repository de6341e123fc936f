"""Queue a push: one outbox row per deterministic dedupe key, never two."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, utcnow


def enqueue(
    session: Session,
    dedupe_key: str,
    kind: str,
    payload: dict[str, Any],
    *,
    official_id: int | None = None,
    openid: str | None = None,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
) -> bool:
    """Insert the row unless its key exists; True when this call queued it."""
    values = {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "payload": {"kind": kind, **payload},
        "official_id": official_id,
        "openid": openid,
        "urgent": urgent,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": not_before or utcnow(),
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    stmt: Any
    if dialect == "postgresql":
        stmt = postgresql.insert(OutboxMessage).values(values).on_conflict_do_nothing(
            index_elements=["dedupe_key"]
        )
    elif dialect == "sqlite":
        stmt = sqlite.insert(OutboxMessage).values(values).on_conflict_do_nothing(
            index_elements=["dedupe_key"]
        )
    else:  # pragma: no cover - only the two supported dialects
        stmt = insert(OutboxMessage).values(values)
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that returns rows.
    return session.execute(stmt.returning(OutboxMessage.id)).scalar() is not None
