"""Resolve a parsed name to one of the sender's persons, or a numbered question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.ledger import village_label
from storage.models import Person

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
