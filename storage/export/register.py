"""The 登记表 ledger: one row per active person, the form's fields in the form's order.

It is the county's official record, so numbers are in full unless `mask` is set. The columns
after the form's own are the roster's, which makes the export importable again unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.export import texts
from storage.export.regions import RegionNames
from storage.export.writers import Column, labelled, yes_no
from storage.masking import mask_id, mask_phone
from storage.models import (
    HARDSHIP_FLAGS,
    JURISDICTION,
    PAIRING,
    Assignment,
    Guardian,
    Official,
    Person,
    PersonGuardian,
)

BATCH = 1000
_FLAG_KEYS = set(HARDSHIP_FLAGS)
_RENDER = {"disability_level": labelled(texts.LEVELS)} | {f: yes_no for f in HARDSHIP_FLAGS}
REGISTER_COLUMNS = [
    Column(key, header, _RENDER.get(key, lambda v: v))
    for key, header in texts.REGISTER_HEADERS.items()
]
_PERSON_FIELDS = ("name", "gender", "birth_date", "disability_category", "disability_level",
                  "certificate_no", "address", "phone", "family_members", "policy_benefits",
                  "hardship_description", "planned_measures", "annual_progress", "village_id",
                  *HARDSHIP_FLAGS)


def iter_register_rows(
    session: Session, village_ids: list[int] | None = None, mask: bool = False
) -> Iterator[dict]:
    regions = RegionNames(session)
    stmt = (
        select(Person.id, *(getattr(Person, f) for f in _PERSON_FIELDS))
        .where(Person.active.is_(True))
        .order_by(Person.id)
    )
    if village_ids is not None:
        stmt = stmt.where(Person.village_id.in_(village_ids))
    result = session.execute(stmt.execution_options(yield_per=BATCH))
    for batch in result.partitions():
        ids = [r.id for r in batch]
        pairing = _current(session, ids, PAIRING)
        member = _current(session, ids, JURISDICTION)
        guardian = _guardians(session, ids)
        for r in batch:
            row = {f: getattr(r, f) for f in _PERSON_FIELDS if f != "village_id"}
            row["id"] = r.id
            row.update(regions.path(r.village_id))
            cadre = pairing.get(r.id)
            row["pairing_name"] = cadre.name if cadre else ""
            row["pairing_gender"] = (cadre.gender or "") if cadre else ""
            row["pairing_phone"] = cadre.phone if cadre else ""
            row["pairing_unit"] = (cadre.unit or "") if cadre else ""
            row["pairing_position"] = (cadre.position or "") if cadre else ""
            row["pairing_rank"] = (cadre.rank or "") if cadre else ""
            row["pairing_start"] = cadre.start_date if cadre else None
            row["member_phone"] = member[r.id].phone if r.id in member else ""
            row["guardian"], row["guardian_phone"] = guardian.get(r.id, ("", ""))
            if mask:
                row["certificate_no"] = mask_id(row["certificate_no"])
                for key in ("phone", "pairing_phone", "member_phone", "guardian_phone"):
                    row[key] = mask_phone(row[key])
            yield row


def _current(session: Session, person_ids: list[int], kind: str) -> dict:
    """Each person's open assignment of `kind` (the latest started, if several)."""
    rows = session.execute(
        select(Assignment.person_id, Assignment.start_date, Assignment.id, Official.name, Official.gender,
               Official.phone, Official.unit, Official.position, Official.rank)
        .join(Official, Official.id == Assignment.official_id)
        .where(Assignment.person_id.in_(person_ids), Assignment.kind == kind,
               Assignment.end_date.is_(None))
        .order_by(Assignment.start_date, Assignment.id)
    )
    return {r.person_id: r for r in rows}


def _guardians(session: Session, person_ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(PersonGuardian.person_id, Guardian.name, Guardian.phone)
        .join(Guardian, Guardian.id == PersonGuardian.guardian_id)
        .where(PersonGuardian.person_id.in_(person_ids))
        .order_by(Guardian.id)
    )
    return {r.person_id: (r.name, r.phone or "") for r in rows}
