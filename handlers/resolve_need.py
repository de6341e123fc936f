"""已解决 张三 轮椅: an official closes a need of one of their persons; the household is told."""

from __future__ import annotations

from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from handlers.need_alerts import notify_household_resolved
from handlers.person_choice import not_found, resolve
from storage.audit import audit
from storage.models import Person
from storage.needs import open_needs
from storage.needs import resolve as close


def handle(turn: Turn, parsed: Any) -> Reply:
    official = turn.identity.official
    assert official is not None
    choice = resolve(turn.roster(), parsed.person, parsed.candidates)
    person = turn.session.get(Person, choice.person_id) if choice.person_id else None
    if person is None:
        if parsed.name and not choice.options:  # "已解决 张三 轮椅", 张三 not on the roster
            return Reply(not_found(turn, parsed, turn.roster()))
        return Reply(texts.RESOLVE_NO_PERSON)
    pending = open_needs(turn.session, [person.id])
    wanted = set(parsed.needs)
    matching = [n for n in pending if n.category in wanted] if wanted else pending
    if not matching:
        label = texts.needs_list(sorted(wanted)) if wanted else ""
        return Reply(texts.RESOLVE_NONE.format(name=person.name, needs=label))
    if not wanted and len({n.category for n in matching}) > 1:
        cats = sorted({n.category for n in matching})
        return Reply(
            texts.RESOLVE_WHICH.format(
                name=person.name, needs=texts.needs_list(cats), example=texts.NEED[cats[0]]
            )
        )
    for need in matching:
        close(turn.session, need, parsed.text)
        audit(turn.session, turn.actor, "need.resolve", "need", need.id, via="chat")
    told = notify_household_resolved(turn.session, person, matching)
    return Reply(
        texts.RESOLVE_OK.format(
            name=person.name,
            needs=texts.needs_list(sorted({n.category for n in matching})),
            notified=texts.RESOLVE_NOTIFIED if told else "",
        )
    )
