"""撤销: an official voids their own last record within the undo window."""

from __future__ import annotations

from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from storage.audit import audit
from storage.ledger import last_own_record, void
from storage.models import Person, utcnow
from storage.needs import drop_untouched_for_contact


def handle(turn: Turn, parsed: Any) -> Reply:
    official = turn.identity.official
    assert official is not None
    record = last_own_record(turn.session, official.id)
    if record is None:
        return Reply(texts.UNDO_NONE)
    person = turn.session.get(Person, record.person_id)
    name = person.name if person else ""
    if utcnow() - record.created_at > turn.deps.undo_window:
        return Reply(texts.UNDO_TOO_LATE.format(day=texts.day(record.contact_date), name=name))
    void(turn.session, record)
    dropped = drop_untouched_for_contact(turn.session, record.id)
    audit(turn.session, turn.actor, "contact.void", "contact", record.id, needs_dropped=dropped)
    lines = [
        texts.UNDO_OK.format(
            day=texts.day(record.contact_date), name=name, channel=texts.CHANNEL[record.channel]
        )
    ]
    if dropped:
        lines.append(texts.UNDO_NEEDS.format(n=dropped))
    return Reply("\n".join(lines))
