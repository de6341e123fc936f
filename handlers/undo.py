"""撤销: an official voids their own last message's records within the undo window."""

from __future__ import annotations

from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from storage.audit import audit
from storage.ledger import last_own_record, records_of_message, void
from storage.models import ContactRecord, Person, utcnow
from storage.needs import drop_untouched_for_contact


def handle(turn: Turn, parsed: Any) -> Reply:
    """Void every record of the official's last message (a message may have logged several persons)."""
    official = turn.identity.official
    assert official is not None
    last = last_own_record(turn.session, official.id)
    if last is None:
        return Reply(texts.UNDO_NONE)
    if utcnow() - last.created_at > turn.deps.undo_window:
        return Reply(texts.UNDO_TOO_LATE.format(day=texts.day(last.contact_date), name=_name(turn, last)))
    records = records_of_message(turn.session, official.id, last)
    dropped = 0
    lines = []
    for record in records:
        void(turn.session, record)
        n = drop_untouched_for_contact(turn.session, record.id)
        dropped += n
        audit(turn.session, turn.actor, "contact.void", "contact", record.id, needs_dropped=n)
        lines.append(
            texts.UNDO_ROW.format(
                day=texts.day(record.contact_date), name=_name(turn, record), channel=texts.CHANNEL[record.channel]
            )
        )
    head = texts.UNDO_OK.format(row=lines[0]) if len(lines) == 1 else texts.UNDO_OK_SEVERAL.format(n=len(lines))
    body = [] if len(lines) == 1 else [f"{i}. {line}" for i, line in enumerate(lines, 1)]
    tail = [texts.UNDO_NEEDS.format(n=dropped)] if dropped else []
    return Reply("\n".join([head, *body, *tail]))


def _name(turn: Turn, record: ContactRecord) -> str:
    person = turn.session.get(Person, record.person_id)
    return person.name if person else ""
