"""The 访视台账: one row per contact record, by date then village then person, streamed.

备注 is the official's own note (what the message said besides name, date and channel); 原话 is
the message as sent. Both are masked for phone and ID numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.export import texts
from storage.export.regions import RegionNames
from storage.export.writers import Column, labelled, labelled_list, plain
from storage.masking import mask_text
from storage.models import ContactRecord, Official, Person, Region

BATCH = 2000

CONTACT_COLUMNS = [
    Column("date", texts.CONTACT_HEADERS["date"]),
    Column("county", texts.CONTACT_HEADERS["county"]),
    Column("township", texts.CONTACT_HEADERS["township"]),
    Column("village", texts.CONTACT_HEADERS["village"]),
    Column("person", texts.CONTACT_HEADERS["person"]),
    Column("channel", texts.CONTACT_HEADERS["channel"], labelled(texts.CHANNELS, texts.NO_CHANNEL)),
    Column("status", texts.CONTACT_HEADERS["status"], labelled(texts.STATUSES)),
    Column("needs", texts.CONTACT_HEADERS["needs"], labelled_list(texts.NEEDS)),
    Column("official", texts.CONTACT_HEADERS["official"]),
    Column("note", texts.CONTACT_HEADERS["note"], plain),
    Column("raw_text", texts.CONTACT_HEADERS["raw_text"], plain),
]


def iter_contact_rows(
    session: Session,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    village_ids: list[int] | None = None,
    include_voided: bool = False,
) -> Iterator[dict]:
    """Contact rows with English keys and codes; phone and ID numbers in notes are masked.

    Joins are many-to-one only (contact → person, contact → official), so no row repeats.
    """
    regions = RegionNames(session)
    stmt = (
        select(
            ContactRecord.id, ContactRecord.contact_date, ContactRecord.person_id, Person.name,
            Person.village_id, ContactRecord.channel, ContactRecord.status, ContactRecord.needs,
            ContactRecord.official_id, Official.name.label("official"), ContactRecord.note,
            ContactRecord.raw_text, ContactRecord.voided,
        )
        .join(Person, Person.id == ContactRecord.person_id)
        .outerjoin(Official, Official.id == ContactRecord.official_id)
        .outerjoin(Region, Region.id == Person.village_id)
        .order_by(ContactRecord.contact_date, Region.name, Person.name, ContactRecord.id)
    )
    if not include_voided:
        stmt = stmt.where(ContactRecord.voided.is_(False))
    if date_from is not None:
        stmt = stmt.where(ContactRecord.contact_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(ContactRecord.contact_date <= date_to)
    if village_ids is not None:
        stmt = stmt.where(Person.village_id.in_(village_ids))
    for r in session.execute(stmt.execution_options(yield_per=BATCH)):
        row = {
            "id": r.id,
            "date": r.contact_date,
            **regions.path(r.village_id),
            "person": r.name,
            "person_id": r.person_id,
            "channel": r.channel,
            "status": r.status,
            "needs": sorted(r.needs or []),
            "official": r.official or "",
            "official_id": r.official_id,
            "note": mask_text(r.note) if r.note else "",
            "raw_text": mask_text(r.raw_text) if r.raw_text else "",
        }
        if include_voided:
            row["voided"] = r.voided
        yield row
