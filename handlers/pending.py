"""Answers to a pending question: "2" picks a candidate, "是/否" settles a possible duplicate."""

from __future__ import annotations

import re

from handlers import resolve_need, texts, unbound
from handlers.context import Reply, Turn
from handlers.household import answer_choice
from handlers.log_contact import log_for_person
from storage import conversation
from storage.conversation import Pending
from storage.models import Person

_CANCEL = {"0", "取消", "算了", "不用了"}
_YES = {"是", "是的", "对", "重复", "重复了", "y", "Y", "yes"}
_NO = {"否", "不是", "不", "没有", "另记", "另记一条", "n", "N", "no"}
_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def answer(turn: Turn, state: Pending, text: str) -> Reply | None:
    """Handle the reply to `state`, or None when the message is not an answer to it."""
    reply = text.strip().strip("。.!！ ").translate(_DIGITS)
    if state.kind == "choose_person":
        return _choose(turn, state, reply)
    if state.kind == "confirm_duplicate":
        return _duplicate(turn, state, reply)
    if state.kind == "household_choose":
        return answer_choice(turn, state, reply)
    if state.kind in ("resolve_person", "resolve_need"):
        return resolve_need.answer(turn, state, reply)
    if state.kind in ("unbound_words", "file_kept_words"):
        return unbound.answer(turn, state, text.strip())
    return None


def _choose(turn: Turn, state: Pending, reply: str) -> Reply | None:
    options = state.payload["options"]
    if reply in _CANCEL:
        conversation.clear(turn.session, turn.openid)
        return Reply(texts.PENDING_CANCELLED)
    if not re.fullmatch(r"\d{1,2}", reply):
        return None  # a new message: the question lapses
    index = int(reply)
    if not 1 <= index <= len(options):
        return Reply(texts.PENDING_BAD_CHOICE.format(n=len(options)))
    conversation.clear(turn.session, turn.openid)
    person = turn.session.get(Person, options[index - 1])
    if person is None:
        return Reply(texts.PENDING_CANCELLED)
    return log_for_person(turn, person, state.payload["record"], state.payload["msg_id"], check_duplicate=True)


def _duplicate(turn: Turn, state: Pending, reply: str) -> Reply | None:
    if reply in _YES or reply in _CANCEL:
        conversation.clear(turn.session, turn.openid)
        return Reply(texts.DUPLICATE_SKIPPED)
    if reply in _NO:
        conversation.clear(turn.session, turn.openid)
        person = turn.session.get(Person, state.payload["person_id"])
        if person is None:
            return Reply(texts.PENDING_CANCELLED)
        return log_for_person(turn, person, state.payload["record"], state.payload["msg_id"], check_duplicate=False)
    return None
