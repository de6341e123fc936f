"""Append a row to the audit log inside the caller's transaction."""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, insert
from sqlalchemy.orm import Session

from storage.models import AuditLog, utcnow


@cache
def _insert() -> Insert:
    # Core on the table, built once: an audit row needs no ORM bookkeeping.
    return insert(cast(Table, AuditLog.__table__))


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    session.execute(
        _insert(),
        {
            "at": utcnow(),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "detail": detail or None,
        },
    )
