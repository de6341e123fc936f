"""Words from someone not yet bound are kept, and once they bind they are asked to file them.

A stranger who writes "轮椅坏了" is told how to bind; their words wait (a week) in their
conversation state, and when they bind as a household (code or contact-card QR) the bot asks
whether to register them as a need. "是" files them exactly as a household's message would be.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers import texts
from handlers.bind import bind_with_code
from handlers.context import Reply, Turn
from handlers.household import file_need
from handlers.parsing import intents, parse
from storage import conversation
from storage.bindings import lookup
from storage.conversation import Pending

KEEP = dt.timedelta(days=7)
ASK_TTL = dt.timedelta(days=1)
MAX_WORDS = 5
_YES = {"是", "是的", "对", "好", "好的", "要", "需要", "登记", "可以", "行", "嗯", "y", "yes"}
_NO = {"否", "不", "不是", "不要", "不用", "不用了", "不需要", "算了", "0", "n", "no"}


def _words(parsed: Any, turn: Turn) -> dict[str, Any]:
    return {
        "needs": list(parsed.needs) or ["other"],
        "urgent": parsed.status == "urgent",
        "text": parsed.text,
        "msg_id": turn.incoming.msg_id,
    }


def keep(turn: Turn, parsed: Any, earlier: list[dict[str, Any]] | None = None) -> Reply:
    """A stranger's need: keep the words, tell them how to bind."""
    words = [*(earlier or []), _words(parsed, turn)][-MAX_WORDS:]
    conversation.put(turn.session, turn.openid, "unbound_words", {"words": words}, KEEP)
    urgent = texts.UNBOUND_URGENT if any(w["urgent"] for w in words) else ""
    return Reply("\n".join(x for x in (texts.UNBOUND_KEPT, urgent, texts.UNBOUND) if x))


def answer(turn: Turn, state: Pending, text: str) -> Reply | None:
    """The next message of a stranger with kept words, or the answer to "file them?"."""
    if state.kind == "unbound_words":
        return _while_unbound(turn, state, text)
    if state.kind == "file_kept_words":
        return _file_or_not(turn, state, text)
    return None


def _while_unbound(turn: Turn, state: Pending, text: str) -> Reply | None:
    if turn.identity.official is not None or turn.identity.persons:
        return None  # bound some other way meanwhile: the words lapse like any question
    is_bind, code = intents.bind(text)
    if is_bind:
        if not code:
            return Reply(texts.BIND_NO_CODE)
        reply = bind_with_code(turn, code)
        return after_bind(turn, state, reply)
    parsed = parse(text, (), role="household", today=turn.today)
    if parsed.intent == "need":
        return keep(turn, parsed, state.payload["words"])
    return Reply(texts.UNBOUND_STILL_KEPT + "\n" + texts.UNBOUND)


def after_bind(turn: Turn, state: Pending | None, reply: Reply) -> Reply:
    """After a bind: if the sender is now a household with kept words, ask whether to file them."""
    if state is None or state.kind != "unbound_words":
        return reply
    identity = lookup(turn.session, turn.openid)
    if identity.official is not None:
        conversation.clear(turn.session, turn.openid)
        return reply
    if not identity.persons:
        return reply  # the code was wrong: the words keep waiting
    words = state.payload["words"]
    conversation.put(
        turn.session, turn.openid, "file_kept_words",
        {"words": words, "person_id": identity.persons[0].id}, ASK_TTL,
    )  # fmt: skip
    said = "；".join(f"“{w['text']}”" for w in words)
    ask = texts.ASK_FILE_KEPT.format(words=said, name=identity.persons[0].name)
    return Reply("\n".join(x for x in (reply.text, ask) if x))


def _file_or_not(turn: Turn, state: Pending, text: str) -> Reply | None:
    reply = text.strip("。.!！ ").lower()
    if reply in _NO:
        conversation.clear(turn.session, turn.openid)
        return Reply(texts.KEPT_NOT_FILED)
    if reply not in _YES:
        return None  # something else: the question lapses, the message is handled as usual
    conversation.clear(turn.session, turn.openid)
    person = next((p for p in turn.identity.persons if p.id == state.payload["person_id"]), None)
    if person is None:
        return Reply(texts.PENDING_CANCELLED)
    replies = [file_need(turn, person, w).text or "" for w in state.payload["words"]]
    return Reply("\n".join(replies))
