"""Gather the 联系卡 contents for one village (Flask-free)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin import person_data, texts
from bot.admin.cards import Card
from storage.card_codes import card_qr_content
from storage.models import (
    JURISDICTION,
    OPEN_NEED_STATUSES,
    PAIRING,
    Assignment,
    Need,
    Official,
    Person,
)


def village_cards(session: Session, village_id: int, private: bool, actor: str) -> list[Card]:
    persons = session.scalars(
        select(Person)
        .where(Person.village_id == village_id, Person.active.is_(True))
        .order_by(Person.name, Person.id)
    ).all()
    return person_cards(session, list(persons), private, actor)


def person_cards(session: Session, persons: list[Person], private: bool, actor: str) -> list[Card]:
    officials = _card_officials(session, [p.id for p in persons])
    needs = _open_need_categories(session, [p.id for p in persons])
    cards = []
    for p in persons:
        o = officials.get(p.id)
        difficulty = p.hardship_description or "、".join(
            texts.NEED_CATEGORIES.get(c, c) for c in needs.get(p.id, [])
        ) or "、".join(f for f in person_data.flags(p))
        cards.append(Card(
            person_name=p.name,
            category=f"{p.disability_category or ''}{'' if not p.disability_level else f' {p.disability_level}级'}",
            person_phone=person_data.shown_phone(p.phone, private),
            difficulty=person_data.shown_text(difficulty, private),
            official_name=o.name if o else texts.CARD_NO_OFFICIAL,
            unit=(o.unit or "") if o else "",
            department=(o.position or "") if o else "",
            office_phone=(o.office_phone or "") if o else "",
            # The card exists to hand the household the official's own numbers.
            mobile=o.phone if o else "",
            qr_text=card_qr_content(session, p, actor),
        ))
    return cards


def _card_officials(session: Session, person_ids: list[int]) -> dict[int, Official]:
    """The paired cadre if there is one, else the official with jurisdiction."""
    chosen: dict[int, tuple[int, Official]] = {}
    rank = {PAIRING: 0, JURISDICTION: 1}
    for a, o in session.execute(
        select(Assignment, Official)
        .join(Official, Official.id == Assignment.official_id)
        .where(Assignment.person_id.in_(person_ids), Assignment.end_date.is_(None))
        .order_by(Assignment.start_date.desc(), Assignment.id.desc())
    ):
        r = rank.get(a.kind, 2)
        if a.person_id not in chosen or r < chosen[a.person_id][0]:
            chosen[a.person_id] = (r, o)
    return {pid: o for pid, (_, o) in chosen.items()}


def _open_need_categories(session: Session, person_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for pid, category in session.execute(
        select(Need.person_id, Need.category)
        .where(Need.person_id.in_(person_ids), Need.status.in_(OPEN_NEED_STATUSES))
        .order_by(Need.id)
    ):
        if category not in found.setdefault(pid, []):
            found[pid].append(category)
    return found
