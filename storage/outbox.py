"""Queue pushes: one outbox row per deterministic dedupe key, never two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import OutboxMessage, utcnow

BATCH = 500


def enqueue_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert outbox rows whose key is new (ON CONFLICT DO NOTHING); returns how many were."""
    inserted = 0
    for i in range(0, len(rows), BATCH):
        stmt = (
            insert_for(session, OutboxMessage.__table__)
            .values(list(rows[i : i + BATCH]))
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(OutboxMessage.id)
        )
        # RETURNING lists only the new rows (psycopg reports rowcount -1 here).
        inserted += len(session.execute(stmt).all())
    return inserted


def outbox_row(
    dedupe_key: str,
    kind: str,
    payload: dict[str, Any],
    *,
    official_id: int | None = None,
    openid: str | None = None,
    urgent: bool = False,
    not_before: dt.datetime | None = None,
    created_at: dt.datetime | None = None,
) -> dict[str, Any]:
    now = utcnow()
    return {
        "dedupe_key": dedupe_key,
        "kind": kind,
        "payload": {"kind": kind, **payload},
        "official_id": official_id,
        "openid": openid,
        "urgent": urgent,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": created_at or now,
    }


def enqueue(session: Session, dedupe_key: str, kind: str, payload: dict[str, Any], **kw: Any) -> bool:
    """Queue one push unless its key exists; True when this call queued it."""
    return enqueue_many(session, [outbox_row(dedupe_key, kind, payload, **kw)]) == 1


def recall(session: Session, key_prefixes: Sequence[str]) -> list[int]:
    """Drop the pushes with these key prefixes not yet picked up by the sender; returns the
    officials of those already sent (or being sent), who must be told otherwise."""
    from sqlalchemy import delete, or_, select

    match = or_(*(OutboxMessage.dedupe_key.startswith(p, autoescape=True) for p in key_prefixes))
    session.execute(
        delete(OutboxMessage).where(match, OutboxMessage.state == "pending", OutboxMessage.attempts == 0)
    )
    told = session.scalars(select(OutboxMessage.official_id).where(match, OutboxMessage.official_id.is_not(None)))
    return sorted({i for i in told if i is not None})
