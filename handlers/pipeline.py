"""The Flask-free pipeline: one inbound message → one transaction → one reply."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers import dispatch, events, pending, texts
from handlers.context import Deps, Incoming, Reply, Turn
from storage import conversation, inbound
from storage.bindings import lookup, note_inbound

log = logging.getLogger(__name__)

Parser = Callable[..., Any]

_MEDIA = {
    "image": texts.IMAGE,
    "location": texts.LOCATION,
    "link": texts.LINK,
    "video": texts.VIDEO,
    "shortvideo": texts.VIDEO,
}


def process(sessions: sessionmaker[Session], deps: Deps, incoming: Incoming,
            parse: Parser) -> Reply:
    """Handle `incoming` exactly once; a retry gets the reply stored the first time.

    One transaction: claim the message (a unique row), identify the sender, parse, dispatch to
    the intent's handler, store the reply. A concurrent duplicate waits on the claim and then
    finds the stored reply; if this transaction rolls back, the retry does the work itself.
    """
    today = deps.today(incoming.received_at)
    with sessions.begin() as session:
        if not inbound.claim(session, incoming.dedupe_key, incoming.openid, incoming.kind):
            return Reply(inbound.stored_reply(session, incoming.dedupe_key))
        identity = lookup(session, incoming.openid)
        note_inbound(identity, incoming.received_at)
        turn = Turn(session, deps, incoming, identity, today)
        reply = _dispatch(turn, parse)
        inbound.store_reply(session, incoming.dedupe_key, reply.text)
    return reply


def _text(incoming: Incoming) -> str:
    """The text to understand ("" for events, media and empty messages)."""
    if incoming.kind not in ("text", "voice"):
        return ""
    return (incoming.text or "").strip()


def _parse(turn: Turn, text: str, parse: Parser) -> Any:
    if turn.identity.official is not None:
        names = sorted({name for _id, name in turn.roster()})
        return parse(text, names, role="official", today=turn.today)
    names = sorted({p.name for p in turn.identity.persons})
    return parse(text, names, role="household", today=turn.today)


def _dispatch(turn: Turn, parse: Parser) -> Reply:
    incoming, identity = turn.incoming, turn.identity
    if incoming.kind == "event":
        return events.handle(turn)
    if incoming.kind in _MEDIA:
        return Reply(_MEDIA[incoming.kind])
    if incoming.kind not in ("text", "voice"):
        return Reply(texts.UNSUPPORTED)
    text = _text(incoming)
    if not text:
        return Reply(texts.VOICE_EMPTY if incoming.kind == "voice" else texts.UNSUPPORTED)

    state = conversation.get(turn.session, incoming.openid, incoming.received_at)
    if state is not None:
        answered = pending.answer(turn, state, text)
        if answered is not None:
            return answered
        conversation.clear(turn.session, incoming.openid)  # a new message: the old question lapses

    parsed = _parse(turn, text, parse)
    if identity.official is not None:
        return dispatch.OFFICIAL.get(parsed.intent, dispatch.OFFICIAL["unknown"])(turn, parsed)
    if identity.persons:
        return dispatch.HOUSEHOLD.get(parsed.intent, dispatch.HOUSEHOLD["unknown"])(turn, parsed)
    handler = dispatch.UNBOUND.get(parsed.intent)
    return handler(turn, parsed) if handler else Reply(texts.UNBOUND)
