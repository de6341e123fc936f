"""Resolve a parsed name to one of the sender's persons, or a numbered question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import texts
from handlers.context import Turn
from handlers.parsing.names import suggest
from storage.ledger import village_label
from storage.models import Person
from storage.name_lookup import villages_with_name

Entry = tuple[int, str]  # (person id, name) of the sender's roster


class PersonRef(NamedTuple):
    """A roster entry where only the id and name of a person are needed."""

    id: int
    name: str


@dataclass(frozen=True)
class Choice:
    person_id: int | None
    options: tuple[int, ...] = ()  # >1: ask which; none with person_id None: not found


def resolve(roster: Sequence[Entry], name: str | None, candidates: Sequence[str]) -> Choice:
    by_name: dict[str, list[int]] = {}
    for person_id, person_name in roster:
        by_name.setdefault(person_name, []).append(person_id)
    if name:
        same = by_name.get(name, [])
        if len(same) == 1:
            return Choice(same[0])
        if same:
            return Choice(None, tuple(same))
    options = tuple(i for c in candidates for i in by_name.get(c, []))
    if len(options) == 1:
        return Choice(options[0])
    return Choice(None, options)


def persons(session: Session, ids: Sequence[int]) -> list[Person]:
    """The persons of `ids`, in that order."""
    found = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def label(session: Session, person: Person) -> str:
    parts = [person.name, village_label(session, person)]
    if person.birth_date:
        parts.append(f"{person.birth_date.year}年生")
    return " ".join(p for p in parts if p)


def options_text(session: Session, options: Sequence[Person]) -> str:
    return "\n".join(f"{i}. {label(session, p)}" for i, p in enumerate(options, 1))


def suggest_names(rec: Any, roster: Sequence[Entry]) -> str:
    """ "您是不是要找：…？" with the candidates parsed, or the roster names closest to the name written."""
    names = list(rec.candidates) or suggest(rec.name, [n for _, n in roster])
    return texts.SUGGEST.format(names="、".join(names)) if names else ""


def where_else(turn: Turn, name: str) -> str:
    """ "此人在…村的名单上。" when the name is on another list within the official's scope."""
    official = turn.identity.official
    assert official is not None
    villages = villages_with_name(turn.session, official.id, name)
    return texts.NAME_ELSEWHERE.format(village="、".join(villages)) if villages else ""


def not_found(turn: Turn, rec: Any, roster: Sequence[Entry]) -> str:
    """The reply for a record whose person is not found: about the name written, when one was."""
    if getattr(rec, "name", None) and not rec.candidates:
        where = where_else(turn, rec.name)
        return texts.NAME_NOT_ON_LIST.format(
            name=rec.name, where=where, suggest=suggest_names(rec, roster)
        ) + (texts.NAME_CHECK)
    if rec.person is None and not rec.candidates:
        return texts.NO_PERSON
    return texts.NOT_IN_ROSTER.format(suggest=suggest_names(rec, roster) if rec.candidates else "")
