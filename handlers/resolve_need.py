"""已解决 张三 轮椅: an official closes a need of one of their persons; the household is told.

When the name fits several persons, or the person has several open needs and the message
does not say which, the official gets a numbered list; the number they send closes that one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from handlers.need_alerts import notify_household_resolved
from handlers.person_choice import not_found, options_text, persons, resolve
from storage import conversation
from storage.audit import audit
from storage.conversation import Pending
from storage.models import OPEN_NEED_STATUSES, Need, Person
from storage.needs import open_needs
from storage.needs import resolve as close

ALL = {"全部", "都", "都解决了", "全部解决", "全部办结", "all"}


def handle(turn: Turn, parsed: Any) -> Reply:
    official = turn.identity.official
    assert official is not None
    choice = resolve(turn.roster(), parsed.person, parsed.candidates)
    person = turn.session.get(Person, choice.person_id) if choice.person_id else None
    if person is None:
        if parsed.name and not choice.options:  # "已解决 张三 轮椅", 张三 not on the roster
            return Reply(not_found(turn, parsed, turn.roster()))
        if len(choice.options) > 1:
            conversation.put(
                turn.session,
                turn.openid,
                "resolve_person",
                {"options": list(choice.options), "needs": list(parsed.needs), "text": parsed.text},
                turn.deps.pending_ttl,
            )
            options = options_text(turn.session, persons(turn.session, choice.options))
            return Reply(texts.RESOLVE_WHO.format(options=options))
        return Reply(texts.RESOLVE_NO_PERSON)
    return _for_person(turn, person, list(parsed.needs), parsed.text)


def _for_person(turn: Turn, person: Person, wanted_codes: Sequence[str], text: str) -> Reply:
    pending = open_needs(turn.session, [person.id])
    wanted = set(wanted_codes)
    matching = [n for n in pending if n.category in wanted] if wanted else pending
    if not matching:
        label = texts.needs_list(sorted(wanted)) if wanted else ""
        return Reply(texts.RESOLVE_NONE.format(name=person.name, needs=label))
    if not wanted and len(matching) > 1:
        conversation.put(
            turn.session,
            turn.openid,
            "resolve_need",
            {"options": [n.id for n in matching], "person_id": person.id, "text": text},
            turn.deps.pending_ttl,
        )
        rows = "\n".join(
            texts.RESOLVE_NEED_ROW.format(
                i=i, id=n.id, category=texts.NEED.get(n.category, n.category), text=n.text[:20]
            )
            for i, n in enumerate(matching, 1)
        )
        return Reply(texts.RESOLVE_WHICH.format(name=person.name, options=rows))
    return _close(turn, person, matching, text)


def _close(turn: Turn, person: Person, needs: Sequence[Need], text: str) -> Reply:
    for need in needs:
        close(turn.session, need, text)
        audit(turn.session, turn.actor, "need.resolve", "need", need.id, via="chat")
    told = notify_household_resolved(turn.session, person, needs)
    return Reply(
        texts.RESOLVE_OK.format(
            name=person.name,
            needs=texts.needs_list(sorted({n.category for n in needs})),
            notified=texts.RESOLVE_NOTIFIED if told else "",
        )
    )


def answer(turn: Turn, state: Pending, reply: str) -> Reply | None:
    """The number (or 全部) sent after a numbered list of persons or needs; None if it is not one."""
    options = state.payload["options"]
    if state.kind == "resolve_need" and reply in ALL:
        picked = list(options)
    elif reply.isdigit() and len(reply) <= 2:
        index = int(reply)
        if index == 0:
            conversation.clear(turn.session, turn.openid)
            return Reply(texts.RESOLVE_CANCELLED)
        if not 1 <= index <= len(options):
            return Reply(texts.PENDING_BAD_CHOICE.format(n=len(options)))
        picked = [options[index - 1]]
    else:
        return None
    conversation.clear(turn.session, turn.openid)
    roster = {person_id for person_id, _name in turn.roster()}
    if state.kind == "resolve_person":
        person = turn.session.get(Person, picked[0])
        if person is None or person.id not in roster:
            return Reply(texts.PENDING_CANCELLED)
        return _for_person(turn, person, state.payload["needs"], state.payload["text"])
    person = turn.session.get(Person, state.payload["person_id"])
    needs = [n for n in (turn.session.get(Need, i) for i in picked) if n is not None]
    needs = [n for n in needs if n.status in OPEN_NEED_STATUSES]
    if person is None or person.id not in roster:
        return Reply(texts.PENDING_CANCELLED)
    if not needs:
        return Reply(texts.RESOLVE_NONE.format(name=person.name, needs=""))
    return _close(turn, person, needs, state.payload["text"])
