"""Queue the pushes a new or changed need causes (sent later by the outbox sender)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from handlers import texts
from storage.bindings import household_openids
from storage.ledger import county_staff, responsible_officials, township_staff, village_label
from storage.models import Need, Official, Person
from storage.outbox import enqueue


def _payload(kind_text: str, person: Person, village: str, needs: Sequence[Need], text: str) -> dict:
    summary = texts.needs_list(sorted({n.category for n in needs}))
    return {
        "text": kind_text.format(village=village, name=person.name, needs=summary, text=text[:200]),
        "title": "紧急诉求" if any(n.urgency == "urgent" for n in needs) else "新诉求",
        "person": person.name,
        "person_id": person.id,
        "summary": summary,
        "need_ids": [n.id for n in needs],
    }


def notify_new_needs(
    session: Session,
    person: Person,
    needs: Sequence[Need],
    text: str,
    today,  # type: ignore[no-untyped-def]
    *,
    skip_official_id: int | None = None,
) -> tuple[list[Official], bool]:
    """Tell the person's officials (and township staff when urgent); returns (officials, escalated)."""
    if not needs:
        return [], False
    village = village_label(session, person)
    urgent = any(n.urgency == "urgent" for n in needs)
    first = needs[0].id
    officials = [o for o, _kind in responsible_officials(session, person.id, today)]
    recipients = [o for o in officials if o.id != skip_official_id]
    template = texts.PUSH_URGENT_NEED if urgent else texts.PUSH_NEW_NEED
    for official in recipients:
        enqueue(
            session,
            f"need_new:{first}:{official.id}",
            "need_new",
            _payload(template, person, village, needs, text),
            official_id=official.id,
            urgent=urgent,
        )
    escalated = False
    if urgent:
        for staff in township_staff(session, person):
            escalated = True
            enqueue(
                session,
                f"need_urgent:{first}:{staff.id}",
                "need_urgent",
                _payload(texts.PUSH_URGENT_NEED, person, village, needs, text),
                official_id=staff.id,
                urgent=True,
            )
    return officials, escalated


def notify_household_resolved(session: Session, person: Person, needs: Sequence[Need]) -> int:
    """Tell every bound household account that needs were closed; returns how many were queued."""
    summary = texts.needs_list(sorted({n.category for n in needs}))
    n = 0
    for openid in household_openids(session, person.id):
        n += enqueue(
            session,
            f"need_update:{needs[0].id}:resolved:{openid}",
            "need_update",
            {
                "text": texts.HOUSEHOLD_NEED_RESOLVED.format(name=person.name, needs=summary),
                "title": "诉求已办结",
                "person": person.name,
                "summary": summary,
                "need_ids": [x.id for x in needs],
            },
            openid=openid,
        )
    return n


def complaint_recipients(session: Session, person: Person, text: str, today) -> tuple[list[Official], list[str]]:  # type: ignore[no-untyped-def]
    """Who handles a complaint about a worker, and the workers it names.

    The township staff handle it, never one of the workers named in it; when they are all named
    (or there are none), the county staff do.
    """
    around = [o for o, _kind in responsible_officials(session, person.id, today)]
    township = township_staff(session, person)
    county = county_staff(session, person)
    named = [o for o in (*around, *township, *county) if _named(o.name, text)]
    named_ids = {o.id for o in named}
    handlers = [o for o in township if o.id not in named_ids] or [o for o in county if o.id not in named_ids]
    return handlers, sorted({o.name for o in named})


def _named(name: str, text: str) -> bool:
    return name in text or (len(name) >= 3 and name[1:] in text)


def notify_complaint(
    session: Session, person: Person, needs: Sequence[Need], text: str, handlers: Sequence[Official], about: Sequence[str]
) -> None:
    """Queue the complaint for its handlers only (never for the workers it is about)."""
    village = village_label(session, person)
    payload = _payload(texts.PUSH_COMPLAINT, person, village, needs, text)
    payload["title"] = texts.PUSH_COMPLAINT_TITLE
    payload["about"] = "、".join(about)
    for official in handlers:
        enqueue(session, f"complaint:{needs[0].id}:{official.id}", "need_new", payload, official_id=official.id)
