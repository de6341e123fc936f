"""Subscription events: follow (optionally through a contact card's QR code), scan, unfollow."""

from __future__ import annotations

from handlers import texts
from handlers.bind import bind_with_code, code_from_scene
from handlers.context import Reply, Turn
from handlers.unbound import after_bind
from handlers.unknown import official_help
from storage import conversation
from storage.audit import audit
from storage.bindings import deactivate


def handle(turn: Turn) -> Reply:
    event = (turn.incoming.event or "").lower()
    if event in ("subscribe", "scan"):
        code = code_from_scene(turn.incoming.event_key)
        if code:
            return after_bind(turn, conversation.get(turn.session, turn.openid), bind_with_code(turn, code))
        if event == "subscribe":
            if turn.identity.is_official or turn.identity.is_household:
                return official_help(turn) if turn.identity.is_official else Reply(texts.HELP_HOUSEHOLD)
            return Reply(texts.WELCOME)
        return Reply(None)
    if event == "unsubscribe":
        n = deactivate(turn.session, turn.openid)
        if n:
            audit(turn.session, turn.actor, "binding.deactivate", detail_count=n)
        return Reply(None)
    return Reply(None)  # menu clicks, template receipts …: nothing to say
