"""The needs ledger (诉求台账): one row per need ticket, streamed, free text masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import LocalClock
from storage.export import texts
from storage.export.regions import RegionNames
from storage.export.writers import Column, labelled
from storage.masking import mask_text
from storage.models import Need, Official, Person

BATCH = 2000

NEED_COLUMNS = [
    Column("created_date", texts.NEED_HEADERS["created_date"]),
    Column("person", texts.NEED_HEADERS["person"]),
    Column("village", texts.NEED_HEADERS["village"]),
    Column("category", texts.NEED_HEADERS["category"], labelled(texts.NEEDS)),
    Column("text", texts.NEED_HEADERS["text"]),
    Column("urgency", texts.NEED_HEADERS["urgency"], labelled(texts.URGENCY)),
    Column("status", texts.NEED_HEADERS["status"], labelled(texts.NEED_STATUSES)),
    Column("owner", texts.NEED_HEADERS["owner"]),
    Column("resolved_date", texts.NEED_HEADERS["resolved_date"]),
    Column("resolution", texts.NEED_HEADERS["resolution"]),
]


def iter_need_rows(
    session: Session,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    village_ids: list[int] | None = None,
    *,
    clock: LocalClock,
) -> Iterator[dict]:
    """Need rows (registered between the local dates of `clock`), oldest id first."""
    regions = RegionNames(session)
    stmt = (
        select(
            Need.id, Need.created_at, Need.person_id, Person.name, Person.village_id,
            Need.category, Need.text, Need.urgency, Need.status, Need.owner_official_id,
            Official.name.label("owner"), Need.resolved_at, Need.resolution,
        )
        .join(Person, Person.id == Need.person_id)
        .outerjoin(Official, Official.id == Need.owner_official_id)
        .order_by(Need.id)
    )
    if date_from is not None:
        stmt = stmt.where(Need.created_at >= clock.day_start_utc(date_from))
    if date_to is not None:
        stmt = stmt.where(Need.created_at < clock.day_start_utc(date_to + dt.timedelta(days=1)))
    if village_ids is not None:
        stmt = stmt.where(Person.village_id.in_(village_ids))
    for r in session.execute(stmt.execution_options(yield_per=BATCH)):
        path = regions.path(r.village_id)
        yield {
            "id": r.id,
            "created_date": clock.today(r.created_at),
            "person": r.name,
            "person_id": r.person_id,
            "county": path["county"],
            "township": path["township"],
            "village": path["village"],
            "category": r.category,
            "text": mask_text(r.text or ""),
            "urgency": r.urgency,
            "status": r.status,
            "owner": r.owner or "",
            "owner_id": r.owner_official_id,
            "resolved_date": clock.today(r.resolved_at) if r.resolved_at else None,
            "resolution": mask_text(r.resolution) if r.resolution else "",
        }
