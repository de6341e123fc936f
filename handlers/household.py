"""Households and guardians: needs become tickets; 进度 shows their status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from handlers.need_alerts import complaint_recipients, notify_complaint, notify_new_needs
from handlers.parsing import intents
from handlers.person_choice import options_text
from storage import conversation
from storage.audit import audit
from storage.conversation import Pending
from storage.ledger import responsible_officials
from storage.models import Official, Person, utcnow
from storage.needs import add_need, last_household_message_needs, recent_needs
from storage.needs import withdraw as withdraw_need
from storage.outbox import enqueue, recall


def handle_need(turn: Turn, parsed: Any) -> Reply:
    if intents.complaint(parsed.text):
        return handle_complaint(turn, parsed)
    persons = turn.identity.persons
    payload = {"needs": list(parsed.needs) or ["other"], "urgent": parsed.status == "urgent", "text": parsed.text}
    named = [p for p in persons if parsed.person and p.name == parsed.person]
    if len(persons) == 1 or len(named) == 1:
        return file_need(turn, (named or list(persons))[0], payload)
    conversation.put(
        turn.session,
        turn.openid,
        "household_choose",
        {"need": payload, "msg_id": turn.incoming.msg_id, "options": [p.id for p in persons]},
        turn.deps.pending_ttl,
    )
    return Reply(texts.HOUSEHOLD_WHICH.format(options=options_text(turn.session, persons)))


def handle_other(turn: Turn, parsed: Any) -> Reply:
    """A message that asks for nothing: a complaint about a worker is a ticket; else a hint."""
    if intents.complaint(parsed.text):
        return handle_complaint(turn, parsed)
    return Reply(texts.HOUSEHOLD_UNKNOWN)


def handle_complaint(turn: Turn, parsed: Any) -> Reply:
    """A complaint about a worker: a ticket owned by the township staff (never by the worker
    complained about), with any need the message also names; only its handlers are told."""
    persons = turn.identity.persons
    named = [p for p in persons if parsed.person and p.name == parsed.person]
    person = (named or list(persons))[0]
    handlers, about = complaint_recipients(turn.session, person, parsed.text, turn.today)
    owner = handlers[0] if handlers else None
    needs = [
        add_need(
            turn.session,
            person_id=person.id,
            category=code,
            text=parsed.text,
            urgent=parsed.status == "urgent",
            owner_official_id=owner.id if owner else None,
            source="household",
            reporter_openid=turn.openid,
            source_msg_id=turn.incoming.msg_id,
        )
        for code in ["complaint", *(c for c in parsed.needs if c != "complaint")]
    ]
    for need in needs:
        audit(
            turn.session, turn.actor, "need.open", "need", need.id, category=need.category, source="household",
            about=about,
        )
    notify_complaint(turn.session, person, needs, parsed.text, handlers, about)
    handler = (f"{owner.unit}（{owner.name}）" if owner.unit else owner.name) if owner else texts.COMPLAINT_HANDLER_FALLBACK
    return Reply(texts.COMPLAINT_ACK.format(ids="、".join(f"#{n.id}" for n in needs), handler=handler))


def answer_choice(turn: Turn, state: Pending, reply: str) -> Reply | None:
    options = state.payload["options"]
    if not reply.isdigit():
        return None
    index = int(reply)
    if not 1 <= index <= len(options):
        return Reply(texts.PENDING_BAD_CHOICE.format(n=len(options)))
    conversation.clear(turn.session, turn.openid)
    person = turn.session.get(Person, options[index - 1])
    if person is None or person.id not in {p.id for p in turn.identity.persons}:
        return Reply(texts.PENDING_CANCELLED)
    return file_need(turn, person, state.payload["need"])


def file_need(turn: Turn, person: Person, payload: dict[str, Any]) -> Reply:
    officials = responsible_officials(turn.session, person.id, turn.today)
    owner = officials[0][0] if officials else None
    needs = [
        add_need(
            turn.session,
            person_id=person.id,
            category=code,
            text=payload["text"],
            urgent=payload["urgent"],
            owner_official_id=owner.id if owner else None,
            source="household",
            reporter_openid=turn.openid,
            source_msg_id=turn.incoming.msg_id,
        )
        for code in payload["needs"]
    ]
    for need in needs:
        audit(turn.session, turn.actor, "need.open", "need", need.id, category=need.category, source="household")
    notify_new_needs(turn.session, person, needs, payload["text"], turn.today)
    template = texts.NEED_ACK_URGENT if payload["urgent"] else texts.NEED_ACK
    owner_label = f"{owner.name}（{owner.unit or owner.position or ''}）" if owner else texts.NEED_OWNER_FALLBACK
    return Reply(
        template.format(
            name=person.name,
            needs=texts.needs_list(payload["needs"]),
            ids="、".join(f"#{n.id}" for n in needs),
            owner=owner_label,
        )
    )


def withdraw(turn: Turn, parsed: Any) -> Reply:
    """撤销 from a household: their own last need, still untouched, within the undo window."""
    needs = last_household_message_needs(turn.session, turn.openid)
    if not needs:
        return Reply(texts.WITHDRAW_NONE)
    person = turn.session.get(Person, needs[0].person_id)
    name = person.name if person else ""
    label = texts.needs_list(sorted({n.category for n in needs}))
    ids = "、".join(f"#{n.id}" for n in needs)
    owner = turn.session.get(Official, needs[0].owner_official_id) if needs[0].owner_official_id else None
    who = owner.name if owner else texts.NEED_OWNER_FALLBACK
    if utcnow() - needs[0].created_at > turn.deps.undo_window:
        return Reply(texts.WITHDRAW_TOO_LATE.format(name=name, needs=label, ids=ids, who=who))
    if any(n.status != "open" for n in needs):
        return Reply(texts.WITHDRAW_HANDLED.format(name=name, needs=label, ids=ids, who=who))
    for need in needs:
        withdraw_need(turn.session, need)
        audit(turn.session, turn.actor, "need.withdraw", "need", need.id, category=need.category)
    first = needs[0].id
    told = recall(turn.session, [f"need_new:{first}:", f"need_urgent:{first}:", f"complaint:{first}:"])
    for official_id in told:
        enqueue(
            turn.session,
            f"need_withdrawn:{first}:{official_id}",
            "need_update",
            {
                "text": texts.PUSH_NEED_WITHDRAWN.format(name=name, needs=label, ids=ids),
                "title": "诉求已撤回",
                "person": name,
                "summary": label,
                "need_ids": [n.id for n in needs],
            },
            official_id=official_id,
        )
    return Reply(texts.WITHDRAW_OK.format(name=name, needs=label, ids=ids))


def progress(turn: Turn) -> Reply:
    persons: Sequence[Person] = turn.identity.persons
    names = {p.id: p.name for p in persons}
    needs = recent_needs(turn.session, list(names))
    if not needs:
        return Reply(texts.HOUSEHOLD_NO_NEEDS)
    rows = [
        texts.HOUSEHOLD_PROGRESS_ROW.format(
            i=i,
            date=texts.short_day(n.created_at.date()),
            name=names[n.person_id],
            category=texts.NEED.get(n.category, n.category),
            status=texts.NEED_STATUS.get(n.status, n.status),
        )
        for i, n in enumerate(needs, 1)
    ]
    return Reply("\n".join([texts.HOUSEHOLD_PROGRESS_HEAD, *rows]))
