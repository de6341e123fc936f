"""The person page's data: 登记表 fields (masked as the viewer requires), pairings, timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.admin import texts
from storage.clock import LocalClock
from storage.masking import mask_id, mask_phone, mask_text
from storage.models import (
    HARDSHIP_FLAGS,
    Assignment,
    ContactRecord,
    Need,
    NeedNote,
    Official,
    Person,
    PersonGuardian,
)


def shown_id(number: str | None, private: bool) -> str:
    return (number or "") if private else mask_id(number)


def shown_phone(phone: str | None, private: bool) -> str:
    return (phone or "") if private else mask_phone(phone)


def shown_text(text: str | None, private: bool) -> str:
    return (text or "") if private else mask_text(text or "")


def flags(person: Person) -> list[str]:
    names = [label for attr, label in HARDSHIP_FLAGS.items() if getattr(person, attr)]
    if person.disability_level in (1, 2):
        names.append("重度")
    if not person.certified:
        names.append("尚未持证")
    return names


def guardians(session: Session, person: Person, private: bool) -> list[tuple[str, str, str]]:
    rows = session.scalars(select(PersonGuardian).where(PersonGuardian.person_id == person.id))
    return [
        (link.guardian.name, link.relation or "", shown_phone(link.guardian.phone, private))
        for link in rows
    ]


def assignments(session: Session, person_id: int) -> list[tuple[Assignment, Official]]:
    """Every assignment of the person, current ones first, then by start date (newest first)."""
    rows = session.execute(
        select(Assignment, Official)
        .join(Official, Official.id == Assignment.official_id)
        .where(Assignment.person_id == person_id)
    ).all()
    return sorted(
        ((a, o) for a, o in rows),
        key=lambda ao: (ao[0].end_date is not None, -ao[0].start_date.toordinal()),
    )


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str  # contact | need
    title: str
    detail: str
    css: str
    link_need_id: int | None = None


def timeline(session: Session, person_id: int, private: bool, clock: LocalClock,
             limit: int = 200) -> list[Event]:
    """Contacts (voided ones left out) and needs with their notes (dated by `clock`), newest
    first."""
    events: list[Event] = []
    contacts = session.execute(
        select(ContactRecord, Official.name)
        .outerjoin(Official, Official.id == ContactRecord.official_id)
        .where(ContactRecord.person_id == person_id, ContactRecord.voided.is_(False))
        .order_by(ContactRecord.contact_date.desc(), ContactRecord.id.desc())
        .limit(limit)
    ).all()
    for c, official in contacts:
        channel = texts.CHANNELS.get(c.channel, c.channel or "")
        status = texts.CONTACT_STATUS.get(c.status, c.status)
        needs = "、".join(texts.NEED_CATEGORIES.get(n, n) for n in c.needs or [])
        detail = shown_text(c.raw_text or c.note, private)
        events.append(Event(
            c.contact_date, "contact", f"{channel} · {status} · {official or '—'}"
            + (f" · 诉求：{needs}" if needs else ""), detail,
            "failed" if c.status == "unreachable" else "contact",
        ))
    for need in session.scalars(
        select(Need).where(Need.person_id == person_id).order_by(Need.created_at.desc()).limit(limit)
    ):
        notes = session.scalars(
            select(NeedNote).where(NeedNote.need_id == need.id).order_by(NeedNote.id)
        ).all()
        detail = shown_text(need.text, private)
        if notes:
            detail += "｜" + "；".join(shown_text(n.text, private) for n in notes)
        events.append(Event(
            clock.today(need.created_at), "need",
            f"诉求 #{need.id} {texts.NEED_CATEGORIES.get(need.category, need.category)} · "
            f"{texts.URGENCY.get(need.urgency, need.urgency)} · "
            f"{texts.NEED_STATUS.get(need.status, need.status)}",
            detail, "need", need.id,
        ))
    return sorted(events, key=lambda e: e.day, reverse=True)
