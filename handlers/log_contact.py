"""An official logs one or several contacts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from handlers import texts
from handlers.contact_note import note_of
from handlers.context import Reply, Turn
from handlers.due_view import progress_line
from handlers.need_alerts import notify_new_needs
from handlers.person_choice import (
    Choice,
    Entry,
    PersonRef,
    not_found,
    options_text,
    persons,
    resolve,
    suggest_names,
    where_else,
)
from storage import conversation
from storage.audit import audit
from storage.ledger import add_contact
from storage.models import Person
from storage.needs import add_need


def handle(turn: Turn, parsed: Any) -> Reply:
    official = turn.identity.official
    assert official is not None
    roster = turn.roster()
    if not roster:
        return Reply(texts.EMPTY_ROSTER)
    records = list(parsed.records) or [parsed]
    if all(r.intent == "plan" for r in records):
        return plan(turn, parsed)
    if len(records) == 1:
        return _single(turn, roster, records[0])
    return _several(turn, roster, records)


def _single(turn: Turn, roster: Sequence[Entry], rec: Any) -> Reply:
    choice = resolve(roster, rec.person, rec.candidates)
    if choice.person_id is not None and getattr(rec, "name", None):
        # "郑翠萍" read as 段翠萍: another surname is never a silent correction, it is asked.
        choice = Choice(None, (choice.person_id,))
    if choice.person_id is None:
        if choice.options:
            conversation.put(
                turn.session,
                turn.openid,
                "choose_person",
                {
                    "record": record_payload(rec),
                    "msg_id": _msg_id(turn),
                    "options": list(choice.options),
                },
                turn.deps.pending_ttl,
            )
            options = persons(turn.session, choice.options)
            listed = options_text(turn.session, options)
            if getattr(rec, "name", None):  # 郑翠萍 written, 段翠萍 on the roster: ask, show both
                return Reply(texts.ASK_NAME_FIX.format(written=rec.name, options=listed))
            return Reply(texts.ASK_WHICH.format(options=listed))
        return Reply(not_found(turn, rec, roster))
    # Id and name come from the roster just read: no need to load the whole person to log.
    person = PersonRef(choice.person_id, dict(roster)[choice.person_id])
    return log_for_person(turn, person, record_payload(rec), _msg_id(turn), check_duplicate=True)


def _several(turn: Turn, roster: Sequence[Entry], records: Sequence[Any]) -> Reply:
    lines: list[str] = []
    logged = 0
    for i, rec in enumerate(records):
        if rec.intent == "plan":
            lines.append(texts.MULTI_PLAN.format(text=rec.text))
            continue
        choice = resolve(roster, rec.person, rec.candidates)
        person = (
            turn.session.get(Person, choice.person_id)
            if choice.person_id and rec.name is None
            else None
        )
        if person is None and getattr(rec, "name", None):
            lines.append(
                texts.MULTI_UNKNOWN.format(
                    name=rec.name,
                    where=where_else(turn, rec.name),
                    suggest=suggest_names(rec, roster),
                )
            )
            continue
        if person is not None and rec.date is not None and rec.date > turn.today:
            lines.append(
                texts.MULTI_FUTURE.format(name=person.name, day=texts.day(rec.date, turn.today))
            )
            continue
        if person is None:
            why = "对应多人，" if choice.options else "没在名单中找到此人，"
            lines.append(texts.MULTI_SKIPPED.format(text=rec.text, why=why))
            continue
        payload = record_payload(rec)
        msg_id = f"{_msg_id(turn)}#{i}" if _msg_id(turn) else None
        line = _log(turn, person, payload, msg_id)
        assert line is not None  # no same-day check here
        lines.append(line)
        logged += 1
    head = [texts.MULTI_LOGGED.format(n=logged)] if logged else []
    tail = [texts.UNDO_HINT] if logged else []
    return Reply("\n".join(head + lines + tail))


def _msg_id(turn: Turn) -> str | None:
    return turn.incoming.msg_id or turn.incoming.dedupe_key


def plan(turn: Turn, parsed: Any) -> Reply:
    """ "明天去看张三": a contact still to come is not recorded; say so."""
    name = parsed.person or parsed.name or "张三"
    channel = (
        texts.CHANNEL.get(parsed.channel or "home_visit", "入户").removesuffix("联系") or "入户"
    )
    return Reply(texts.PLAN_NOT_LOGGED.format(example=f"{name} {channel} 正常"))


def record_payload(rec: Any) -> dict[str, Any]:
    """The parts of a parsed record kept across a pending question."""
    return {
        "channel": rec.channel,
        "status": rec.status,
        "needs": list(rec.needs),
        "date": rec.date.isoformat() if rec.date else None,
        "text": rec.text,
    }


def log_for_person(
    turn: Turn,
    person: Person | PersonRef,
    payload: dict[str, Any],
    msg_id: str | None,
    *,
    check_duplicate: bool,
) -> Reply:
    day = dt.date.fromisoformat(payload["date"]) if payload.get("date") else turn.today
    if day > turn.today:
        return Reply(texts.FUTURE_DATE.format(day=texts.day(day, turn.today)))
    line = _log(turn, person, payload, msg_id, unless_same_day=check_duplicate)
    if line is None:  # the person already has a record of this channel on that day
        conversation.put(
            turn.session,
            turn.openid,
            "confirm_duplicate",
            {"record": payload, "msg_id": msg_id, "person_id": person.id},
            turn.deps.pending_ttl,
        )
        return Reply(
            texts.ASK_DUPLICATE.format(
                day=texts.day(day, turn.today),
                name=person.name,
                channel=texts.CHANNEL[payload["channel"]],
            )
        )
    progress = progress_line(turn)
    return Reply("\n".join(x for x in (line, progress, texts.UNDO_HINT) if x))


def _log(
    turn: Turn,
    person: Person | PersonRef,
    payload: dict[str, Any],
    msg_id: str | None,
    *,
    unless_same_day: bool = False,
) -> str | None:
    """Record the contact and describe it; None (nothing recorded) for a same-day repeat if asked."""
    official = turn.identity.official
    assert official is not None
    day = dt.date.fromisoformat(payload["date"]) if payload.get("date") else turn.today
    status = payload["status"] or "normal"
    record_id = add_contact(
        turn.session,
        person_id=person.id,
        official_id=official.id,
        channel=payload["channel"],
        status=status,
        day=day,
        needs=payload["needs"],
        raw_text=payload["text"],
        note=note_of(payload["text"], [person.name, *(n for _i, n in turn.roster() if n in payload["text"])]),
        source_msg_id=msg_id,
        unless_same_day=unless_same_day,
        audit_as=turn.actor,
    )
    if record_id is None:
        return None
    if status == "unreachable":
        return texts.LOGGED_UNREACHABLE.format(
            day=texts.day(day, turn.today),
            name=person.name,
            channel=texts.CHANNEL[payload["channel"]].removesuffix("联系"),
        )
    line = texts.LOGGED.format(
        day=texts.day(day, turn.today),
        name=person.name,
        channel=texts.CHANNEL[payload["channel"]],
        status=texts.STATUS[status],
    )
    if not payload["needs"]:
        return line
    needs = [
        add_need(
            turn.session,
            person_id=person.id,
            category=code,
            text=payload["text"],
            urgent=status == "urgent",
            owner_official_id=official.id,
            source="official",
            contact_id=record_id,
        )
        for code in payload["needs"]
    ]
    for need in needs:
        audit(turn.session, turn.actor, "need.open", "need", need.id, category=need.category)
    full = person if isinstance(person, Person) else turn.session.get(Person, person.id)
    assert full is not None
    _, escalated = notify_new_needs(
        turn.session, full, needs, payload["text"], turn.today, skip_official_id=official.id
    )
    extra = texts.LOGGED_NEEDS.format(
        needs=texts.needs_list(payload["needs"]), ids="、".join(f"#{n.id}" for n in needs)
    )
    return "\n".join([line, extra] + ([texts.LOGGED_URGENT] if escalated else []))
