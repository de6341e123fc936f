"""The Flask-free pipeline: one inbound message → one transaction → one reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers import dispatch, events, pending, texts
from handlers.context import Deps, Incoming, Reply, Turn
from storage import conversation, inbound
from storage.bindings import identify

log = logging.getLogger(__name__)

Parser = Callable[..., Any]

_MEDIA = {
    "image": texts.IMAGE,
    "location": texts.LOCATION,
    "link": texts.LINK,
    "video": texts.VIDEO,
    "shortvideo": texts.VIDEO,
}


def process(sessions: sessionmaker[Session], deps: Deps, incoming: Incoming, parse: Parser) -> Reply:
    """Handle `incoming` exactly once; a retry gets the reply stored the first time."""
    with sessions.begin() as session:
        if not inbound.claim(session, incoming.dedupe_key, incoming.openid, incoming.kind):
            return Reply(inbound.stored_reply(session, incoming.dedupe_key))
        reply = _dispatch(session, deps, incoming, parse)
        inbound.store_reply(session, incoming.dedupe_key, reply.text)
        return reply


def _dispatch(session: Session, deps: Deps, incoming: Incoming, parse: Parser) -> Reply:
    identity = identify(session, incoming.openid, incoming.received_at)
    turn = Turn(session, deps, incoming, identity, deps.today(incoming.received_at))
    if incoming.kind == "event":
        return events.handle(turn)
    if incoming.kind in _MEDIA:
        return Reply(_MEDIA[incoming.kind])
    if incoming.kind not in ("text", "voice"):
        return Reply(texts.UNSUPPORTED)
    text = (incoming.text or "").strip()
    if not text:
        return Reply(texts.VOICE_EMPTY if incoming.kind == "voice" else texts.UNSUPPORTED)

    state = conversation.get(session, incoming.openid)
    if state is not None:
        answered = pending.answer(turn, state, text)
        if answered is not None:
            return answered
        conversation.clear(session, incoming.openid)  # a new message: the old question lapses

    if identity.official is not None:
        roster = sorted({name for _id, name in turn.roster()})
        parsed = parse(text, roster, role="official", today=turn.today)
        return dispatch.OFFICIAL.get(parsed.intent, dispatch.OFFICIAL["unknown"])(turn, parsed)
    if identity.persons:
        roster = sorted({p.name for p in identity.persons})
        parsed = parse(text, roster, role="household", today=turn.today)
        return dispatch.HOUSEHOLD.get(parsed.intent, dispatch.HOUSEHOLD["unknown"])(turn, parsed)
    parsed = parse(text, [], role="household", today=turn.today)
    handler = dispatch.UNBOUND.get(parsed.intent)
    return handler(turn, parsed) if handler else Reply(texts.UNBOUND)
