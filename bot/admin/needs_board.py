"""Changing a need from the dashboard: status, owner, notes; audited; the household told (Flask-free)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin import texts
from storage.audit import audit
from storage.models import HouseholdBinding, Need, NeedNote, Official, utcnow
from storage.outbox import enqueue

TRANSITIONS = {
    "open": {"in_progress", "resolved", "referred"},
    "in_progress": {"open", "resolved", "referred"},
    "resolved": {"open"},
    "referred": {"open"},
}
CLOSED = {"resolved", "referred"}


class NeedChangeError(ValueError):
    """A change staff asked for that is not allowed; the message says why (Chinese)."""


@dataclass(frozen=True)
class NeedChange:
    status: str | None = None  # new status, or None to keep
    owner_official_id: int | None = None  # new owner, or None to keep
    note: str = ""
    tell_household: bool = True  # also send the note to the household


def change_need(
    session: Session, need: Need, change: NeedChange, actor: str, now: dt.datetime | None = None
) -> list[str]:
    """Apply `change`; returns the list of what changed (status, owner, note)."""
    now = now or utcnow()
    changed: list[str] = []
    old_status = need.status
    if change.status and change.status != need.status:
        if change.status not in TRANSITIONS.get(need.status, set()):
            raise NeedChangeError(texts.NEED_BAD_TRANSITION.format(
                old=texts.NEED_STATUS.get(need.status, need.status),
                new=texts.NEED_STATUS.get(change.status, change.status),
            ))
        need.status = change.status
        need.resolved_at = now if change.status in CLOSED else None
        if change.status in CLOSED and change.note:
            need.resolution = change.note
        changed.append("status")
    owner = None
    if change.owner_official_id and change.owner_official_id != need.owner_official_id:
        owner = session.get(Official, change.owner_official_id)
        need.owner_official_id = change.owner_official_id
        changed.append("owner")
    note = change.note.strip()
    if note:
        session.add(NeedNote(need_id=need.id, author=actor, text=note))
        changed.append("note")
    if not changed:
        return changed
    need.updated_at = now
    audit(
        session, actor, "need.update", "need", need.id,
        old_status=old_status, status=need.status, owner_official_id=need.owner_official_id,
        note=bool(note),
    )
    if "status" in changed or "owner" in changed or (note and change.tell_household):
        _tell_household(session, need, owner, note if change.tell_household else "", now)
    return changed


def _tell_household(
    session: Session, need: Need, owner: Official | None, note: str, now: dt.datetime
) -> None:
    parts = [texts.HOUSEHOLD_NEED_STATUS.format(
        category=texts.NEED_CATEGORIES.get(need.category, need.category),
        status=texts.NEED_STATUS.get(need.status, need.status),
    )]
    if owner is not None:
        parts.append(texts.HOUSEHOLD_NEED_OWNER.format(owner=owner.name))
    if note:
        parts.append(texts.HOUSEHOLD_NEED_NOTE.format(note=note))
    message = "".join(parts)
    openids = session.scalars(
        select(HouseholdBinding.openid).where(
            HouseholdBinding.person_id == need.person_id, HouseholdBinding.active.is_(True)
        )
    ).all()
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    for openid in sorted(set(openids)):
        # One push per change and household account; the timestamp tells changes apart.
        enqueue(
            session,
            f"need_update:{need.id}:{openid}:{stamp}",
            "need_update",
            {"need_id": need.id, "person_id": need.person_id, "status": need.status,
             "text": message, "title": texts.HOUSEHOLD_NEED_TITLE},
            openid=openid,
            urgent=need.urgency == "urgent",
            not_before=now,
        )
