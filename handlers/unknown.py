"""A message that is no request: small talk gets a short friendly answer, the rest a hint."""

from __future__ import annotations

from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from handlers.parsing import intents


def official(turn: Turn, parsed: Any) -> Reply:
    kind = intents.small_talk(parsed.text)
    if kind is None:
        return Reply(texts.UNKNOWN_OFFICIAL)
    official = turn.identity.official
    assert official is not None
    return Reply(texts.SMALL_TALK[kind].format(name=official.name))
