"""About six months of contact records and need tickets for the demo county."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage import contact_dates
from storage.clock import LocalClock
from storage.demo import names
from storage.models import JURISDICTION, PAIRING, Assignment, ContactRecord, Need, Person
from storage.models.base import utcnow

_DAY = LocalClock()  # the demo county keeps China's hours
_CHANNELS = ["home_visit", "phone", "wechat", "video", "sms", None]
_CHANNEL_WEIGHTS = [50, 32, 10, 3, 2, 3]
_CHANNEL_WORDS = {"home_visit": "入户看望", "phone": "电话联系了", "wechat": "微信联系了",
                  "video": "视频看了", "sms": "短信问候了", None: "联系了"}


def fill_history(session: Session, rng: random.Random, start: dt.date, today: dt.date,
                 seed: int) -> tuple[int, int, int, int]:
    """Contacts from `start` to `today`; returns (contacts, failed, needs, open needs)."""
    people = session.execute(select(Person.id, Person.name, Person.special_hardship)).all()
    responsible: dict[int, dict[str, int]] = {}
    for person_id, kind, official_id in session.execute(
        select(Assignment.person_id, Assignment.kind, Assignment.official_id)
        .where(Assignment.end_date.is_(None))
    ):
        responsible.setdefault(person_id, {})[kind] = official_id
    contacts: list[dict] = []
    days = (today - start).days
    for person_id, name, hardship in people:
        officials = responsible.get(person_id, {})
        member, cadre = officials.get(JURISDICTION), officials.get(PAIRING)
        # One in ten households was neglected lately: they show up as overdue.
        neglected = rng.random() < 0.1
        horizon = days - (rng.randrange(60, 120) if neglected else 0)
        every = 30 if hardship else 85
        day = rng.randrange(0, every // 2)
        while member and day <= horizon:
            contacts.append(_contact(rng, person_id, name, member, start + dt.timedelta(day)))
            day += rng.randrange(every - 10, every + 10)
        day = rng.randrange(0, 60)
        while cadre and day <= days:
            contacts.append(_contact(rng, person_id, name, cadre, start + dt.timedelta(day)))
            day += rng.randrange(50, 95)
    contacts.sort(key=lambda c: c["contact_date"])
    # Logged in the evening of the visit, and never "just now": the undo window of a fresh
    # demo must not reach records the user did not send.
    latest = utcnow() - dt.timedelta(hours=1)
    for n, contact in enumerate(contacts):
        contact["source_msg_id"] = f"demo-{seed}-{n}"
        logged = min(_DAY.day_start_utc(contact["contact_date"]) + dt.timedelta(hours=19), latest)
        contact["created_at"] = logged
    if not contacts:
        return 0, 0, 0, 0
    ids = session.execute(
        insert(ContactRecord).returning(ContactRecord.id, sort_by_parameter_order=True), contacts
    ).scalars().all()
    needs = [_need(rng, contact, contact_id, today)
             for contact, contact_id in zip(contacts, ids, strict=True) if contact["needs"]]
    if needs:
        session.execute(insert(Need), needs)
    contact_dates.refresh(session, {c["person_id"] for c in contacts})
    failed = sum(c["status"] == "unreachable" for c in contacts)
    open_needs = sum(n["status"] in ("open", "in_progress") for n in needs)
    return len(contacts), failed, len(needs), open_needs


def _contact(rng, person_id, name, official_id, day) -> dict:
    status = rng.choices(["normal", "concern", "urgent", "unreachable"], [78, 12, 1, 9])[0]
    channel = rng.choices(_CHANNELS, _CHANNEL_WEIGHTS)[0]
    if status == "unreachable" and channel is None:
        channel = "phone"
    note = rng.choice(names.CONTACT_NOTES[status])
    return {
        "person_id": person_id, "official_id": official_id, "channel": channel, "status": status,
        "contact_date": day, "needs": sorted(names.CONCERN_NEEDS.get(note, [])),
        "raw_text": f"{_CHANNEL_WORDS[channel]}{name}，{note}", "note": note,
    }


def _need(rng, contact, contact_id, today) -> dict:
    created = _DAY.day_start_utc(contact["contact_date"]) + dt.timedelta(hours=rng.randrange(1, 10))
    age = (today - contact["contact_date"]).days
    status = "resolved" if age > 30 and rng.random() < 0.7 else rng.choice(["open", "in_progress"])
    resolved = status == "resolved"
    return {
        "person_id": contact["person_id"], "category": contact["needs"][0], "text": contact["note"],
        "urgency": "urgent" if contact["status"] == "urgent" else "normal", "status": status,
        "owner_official_id": contact["official_id"], "source": "official",
        "contact_id": contact_id, "created_at": created, "updated_at": created,
        "resolved_at": created + dt.timedelta(days=rng.randrange(3, 25)) if resolved else None,
        "resolution": rng.choice(names.RESOLUTIONS) if resolved else None,
    }
