"""One explicit table from (sender kind, intent) to handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers import (
    bind,
    household,
    log_contact,
    query,
    resolve_need,
    texts,
    unbound,
    undo,
    unknown,
)
from handlers.context import Reply, Turn

Handler = Callable[[Turn, Any], Reply]


def _text(message: str | None) -> Handler:
    return lambda _turn, _parsed: Reply(message)


OFFICIAL: dict[str, Handler] = {
    "contact": log_contact.handle,
    "plan": log_contact.plan,  # a contact still to come: nothing recorded
    "need": log_contact.handle,  # an official describing a person's difficulty is logging a contact
    "query": query.handle,
    "undo": undo.handle,
    "resolve": resolve_need.handle,
    "help": unknown.official_help,
    "bind": bind.handle,
    "unknown": unknown.official,
}

HOUSEHOLD: dict[str, Handler] = {
    "need": household.handle_need,
    "query": lambda turn, _parsed: household.progress(turn),
    "help": _text(texts.HELP_HOUSEHOLD),
    "bind": bind.handle,
    "contact": household.handle_need,  # a guardian reporting on a visit is telling us something
    "undo": household.withdraw,
    "plan": _text(texts.HOUSEHOLD_UNKNOWN),
    "resolve": _text(texts.HOUSEHOLD_UNKNOWN),
    "unknown": household.handle_other,
}

UNBOUND: dict[str, Handler] = {"bind": bind.handle, "need": unbound.keep}  # a need waits for the binding
