"""Help and messages that are no request: small talk gets a short friendly answer, the rest a hint."""

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
    names = [name for _id, name in turn.roster()] or list(texts.HELP_NAMES)
    return Reply(texts.SMALL_TALK[kind].format(name=official.name, example=names[0]))


def official_help(turn: Turn, parsed: Any = None) -> Reply:
    """帮助 for an official, with examples on their own persons' names."""
    return Reply(texts.help_official(name for _id, name in turn.roster()))
