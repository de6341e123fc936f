"""Resolve a parsed name to one of the sender's persons, or a numbered question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.ledger import village_label
from storage.models import Person


@dataclass(frozen=True)
class Choice:
    person: Person | None
    options: tuple[Person, ...] = ()  # >1: ask which; 0 with person None: not found


def resolve(persons: Sequence[Person], name: str | None, candidates: Sequence[str]) -> Choice:
    by_name: dict[str, list[Person]] = {}
    for p in persons:
        by_name.setdefault(p.name, []).append(p)
    if name:
        same = by_name.get(name, [])
        if len(same) == 1:
            return Choice(same[0])
        if same:
            return Choice(None, tuple(same))
    options = tuple(p for c in candidates for p in by_name.get(c, []))
    if len(options) == 1:
        return Choice(options[0])
    return Choice(None, options)


def label(session: Session, person: Person) -> str:
    parts = [person.name, village_label(session, person)]
    if person.birth_date:
        parts.append(f"{person.birth_date.year}年生")
    return " ".join(p for p in parts if p)


def options_text(session: Session, options: Sequence[Person]) -> str:
    return "\n".join(f"{i}. {label(session, p)}" for i, p in enumerate(options, 1))
