"""Guardians (监护人) of a batch of persons: found by phone (its lookup hash), created once, linked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from storage.cipher import lookup_hash, lookup_hashes
from storage.models import Guardian, PersonGuardian

# Core inserts of the tables: no per-row ORM bookkeeping, NULLs sent as given.
_GUARDIANS = cast(Table, Guardian.__table__)


@dataclass(frozen=True, slots=True)
class WantedGuardian:
    person_id: int
    name: str
    phone: str | None


def apply_guardians(session: Session, wanted: list[WantedGuardian]) -> set[int]:
    """Make each person's guardian the one the roster names; returns persons that changed."""
    if not wanted:
        return set()
    person_ids = {w.person_id for w in wanted}
    linked: dict[int, list[tuple[int, str, str | None]]] = {}
    for person_id, guardian_id, name, phone in session.execute(
        select(PersonGuardian.person_id, Guardian.id, Guardian.name, Guardian.phone_hash)
        .join(Guardian, Guardian.id == PersonGuardian.guardian_id)
        .where(PersonGuardian.person_id.in_(person_ids))
    ):
        linked.setdefault(person_id, []).append((guardian_id, name, phone))

    pending = [w for w in wanted if not _already_linked(w, linked.get(w.person_id, []))]
    if not pending:
        return set()
    hashed = {w.phone: lookup_hashes(w.phone) for w in pending if w.phone}
    phone_of = {h: phone for phone, hs in hashed.items() for h in hs}
    by_phone: dict[str, tuple[int, str]] = {}
    if hashed:
        for gid, phone_hash, name in session.execute(
            select(Guardian.id, Guardian.phone_hash, Guardian.name)
            .where(Guardian.phone_hash.in_(list(phone_of)))
        ):
            if phone_hash in phone_of:
                by_phone.setdefault(phone_of[phone_hash], (gid, name))

    renames = {}
    new_by_phone: dict[str, str] = {}
    for w in pending:
        if w.phone and w.phone in by_phone:
            gid, name = by_phone[w.phone]
            if name != w.name:
                renames[gid] = w.name
        elif w.phone:
            new_by_phone.setdefault(w.phone, w.name)
    if renames:
        session.execute(update(Guardian), [{"id": g, "name": n} for g, n in renames.items()])
    if new_by_phone:
        # Matched back by phone: asking SQLite for RETURNING order would insert row by row.
        new_hashes = {lookup_hash(p): p for p in new_by_phone}
        created = session.execute(
            insert(_GUARDIANS).returning(Guardian.id, Guardian.phone_hash),
            [{"name": n, "phone": p, "phone_hash": h} for h, p in new_hashes.items()
             for n in (new_by_phone[p],)],
        )
        for gid, phone_hash in created:
            phone = new_hashes[phone_hash]
            by_phone[phone] = (gid, new_by_phone[phone])
    no_phone = [w for w in pending if not w.phone]
    if no_phone:
        # Guardians without a phone are identical rows per name, so any id of the name will do.
        free: dict[str, list[int]] = {}
        for gid, name in session.execute(
            insert(_GUARDIANS).returning(Guardian.id, Guardian.name),
            [{"name": w.name, "phone": None, "phone_hash": None} for w in no_phone],
        ):
            free.setdefault(name, []).append(gid)
        guardian_of = {w.person_id: free[w.name].pop() for w in no_phone}
    else:
        guardian_of = {}
    for w in pending:
        if w.phone:
            guardian_of[w.person_id] = by_phone[w.phone][0]

    # The roster names one guardian; links to earlier ones are replaced, not accumulated.
    session.execute(
        delete(PersonGuardian).where(PersonGuardian.person_id.in_(list(guardian_of)))
    )
    session.execute(
        insert(cast(Table, PersonGuardian.__table__)),
        [{"person_id": p, "guardian_id": g} for p, g in guardian_of.items()],
    )
    return set(guardian_of)


def _already_linked(w: WantedGuardian, current: list[tuple[int, str, str | None]]) -> bool:
    if len(current) != 1 or current[0][1] != w.name:
        return False
    stored = current[0][2]
    return stored is None if not w.phone else stored in lookup_hashes(w.phone)
