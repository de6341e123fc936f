"""Append a row to the audit log inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditLog


def audit(
    session: Session,
    actor: str,
    action: str,
    entity: str | None = None,
    entity_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditLog(actor=actor, action=action, entity=entity, entity_id=entity_id, detail=detail or None)
    )
