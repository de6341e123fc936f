"""The Flask-free pipeline: one inbound message → one transaction → one reply."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers import dispatch, events, pending, texts
from handlers.context import Deps, Incoming, Reply, Turn
from handlers.senders import Known, SenderCache
from storage import conversation, inbound
from storage.bindings import Identity, Sender, lookup, lookup_with_roster, note_inbound
from storage.conversation import Pending
from storage.db import is_sqlite

log = logging.getLogger(__name__)

Parser = Callable[..., Any]

_MEDIA = {
    "image": texts.IMAGE,
    "location": texts.LOCATION,
    "link": texts.LINK,
    "video": texts.VIDEO,
    "shortvideo": texts.VIDEO,
}


@dataclass(frozen=True)
class _Understood:
    """A text message's sender, their roster and the parse: everything read before any write."""

    identity: Identity
    roster: list[tuple[int, str]] | None
    parsed: Any
    names: list[str]


def process(
    sessions: sessionmaker[Session],
    deps: Deps,
    incoming: Incoming,
    parse: Parser,
    senders: SenderCache | None = None,
) -> Reply:
    """Handle `incoming` exactly once; a retry gets the reply stored the first time.

    An official `senders` already knows is understood before any transaction, and their
    message's claim reads the roster version to check that what was known still holds (else
    the sender is read again in the transaction). Otherwise, on SQLite a text is looked up and
    parsed in a read transaction of its own first, so the database's one write lock is held only
    for the short write transaction (a reader never blocks a writer there); on PostgreSQL (one
    transaction) the claim, the sender, their roster and pending question are one statement.
    What must be exact stays in the write transaction: the claim, the pending question, the
    duplicate check and the records.
    """
    today = deps.today(incoming.received_at)
    text = _text(incoming)
    known = senders.get(incoming.openid, today, incoming.received_at) if senders and text else None
    early = _understand(known.identity, known.roster, incoming, today, parse, known.names) if known else None
    fresh: Sender | None = None  # the sender as read by this message, to keep once committed
    with sessions() as session:
        if text and early is None and is_sqlite(session):
            with session.begin():
                session.connection(execution_options={"sqlite_deferred": True})
                fresh = lookup_with_roster(session, incoming.openid, today)
                early = _understand(fresh.identity, fresh.roster, incoming, today, parse)
        with session.begin():
            if text:
                # A text may answer a pending question: it is read with the claim (one statement),
                # and so is the sender when not read before (one round trip on PostgreSQL).
                key = (session, incoming.dedupe_key, incoming.openid, incoming.kind)
                if known:
                    claimed = inbound.claim_reading_pending(*key, official_id=known.official_id)
                elif early:
                    claimed = inbound.claim_reading_pending(*key)
                else:
                    claimed = inbound.claim_reading_sender(*key, today)
                if claimed is None:
                    return Reply(inbound.stored_reply(session, incoming.dedupe_key))
                if known and claimed.version != known.version:
                    assert senders is not None
                    senders.drop(incoming.openid)  # changed since: read again, in this transaction
                    fresh = lookup_with_roster(session, incoming.openid, today)
                    early = _understand(fresh.identity, fresh.roster, incoming, today, parse)
                elif early is None:
                    assert claimed.identity is not None
                    fresh = Sender(claimed.identity, claimed.roster, claimed.version)
                    early = _understand(fresh.identity, fresh.roster, incoming, today, parse)
                state = claimed.pending
            elif inbound.claim(session, incoming.dedupe_key, incoming.openid, incoming.kind):
                state = None
            else:
                return Reply(inbound.stored_reply(session, incoming.dedupe_key))
            reply = _dispatch(session, deps, incoming, today, early, state)
            inbound.store_reply(session, incoming.dedupe_key, reply.text)
    if senders is not None and fresh is not None and fresh.roster is not None:  # an official's
        assert early is not None and fresh.version is not None
        senders.put(Known(fresh.identity, fresh.roster, early.names, fresh.version, today))
    return reply


def _text(incoming: Incoming) -> str:
    """The text to understand ("" for events, media and empty messages)."""
    if incoming.kind not in ("text", "voice"):
        return ""
    return (incoming.text or "").strip()


def _understand(
    identity: Identity,
    roster: list[tuple[int, str]] | None,
    incoming: Incoming,
    today: dt.date,
    parse: Parser,
    names: list[str] | None = None,
) -> _Understood:
    text = _text(incoming)
    if identity.official is not None:
        assert roster is not None
        names = names if names is not None else sorted({name for _id, name in roster})
        return _Understood(identity, roster, parse(text, names, role="official", today=today), names)
    names = sorted({p.name for p in identity.persons})
    return _Understood(identity, None, parse(text, names, role="household", today=today), names)


def _dispatch(
    session: Session,
    deps: Deps,
    incoming: Incoming,
    today: dt.date,
    early: _Understood | None,
    state: Pending | None,
) -> Reply:
    identity, roster = (early.identity, early.roster) if early else (lookup(session, incoming.openid), None)
    note_inbound(identity, incoming.received_at)
    turn = Turn(session, deps, incoming, identity, today, roster)
    if incoming.kind == "event":
        return events.handle(turn)
    if incoming.kind in _MEDIA:
        return Reply(_MEDIA[incoming.kind])
    if incoming.kind not in ("text", "voice"):
        return Reply(texts.UNSUPPORTED)
    text = _text(incoming)
    if not text:
        return Reply(texts.VOICE_EMPTY if incoming.kind == "voice" else texts.UNSUPPORTED)

    if state is not None:
        answered = pending.answer(turn, state, text)
        if answered is not None:
            return answered
        conversation.clear(session, incoming.openid)  # a new message: the old question lapses

    assert early is not None  # a text is understood before dispatch
    parsed = early.parsed
    if identity.official is not None:
        return dispatch.OFFICIAL.get(parsed.intent, dispatch.OFFICIAL["unknown"])(turn, parsed)
    if identity.persons:
        return dispatch.HOUSEHOLD.get(parsed.intent, dispatch.HOUSEHOLD["unknown"])(turn, parsed)
    handler = dispatch.UNBOUND.get(parsed.intent)
    return handler(turn, parsed) if handler else Reply(texts.UNBOUND)
