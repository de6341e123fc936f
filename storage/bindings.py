"""Who is behind an openid, and binding codes."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from sqlalchemy import ColumnElement, Join, Select, and_, bindparam, func, join, select, update
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.cipher import lookup_hashes
from storage.ledger import roster_from_json, roster_json
from storage.models import (
    BindingCode,
    HouseholdBinding,
    Official,
    OfficialBinding,
    Person,
    RosterVersion,
    utcnow,
)

OFFICIAL_CODE_TTL = dt.timedelta(hours=24)
INBOUND_TOUCH = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Identity:
    openid: str
    official: Official | None
    persons: tuple[Person, ...]  # persons a household/guardian openid is bound to
    bindings: tuple[OfficialBinding | HouseholdBinding, ...] = field(default=(), compare=False, repr=False)

    @property
    def is_official(self) -> bool:
        return self.official is not None

    @property
    def is_household(self) -> bool:
        return not self.official and bool(self.persons)


def identify(session: Session, openid: str, now: dt.datetime | None = None) -> Identity:
    """Look the sender up and note the time of their message (for the 48-hour window)."""
    identity = lookup(session, openid)
    note_inbound(identity, now or utcnow())
    return identity


def active_official_of_openid() -> tuple[Join, ColumnElement[bool]]:
    """official_bindings joined to officials, and the condition picking `:openid`'s active official."""
    joined = join(OfficialBinding, Official, OfficialBinding.official_id == Official.id)
    return joined, and_(
        OfficialBinding.openid == bindparam("openid"),
        OfficialBinding.active.is_(True),
        Official.active.is_(True),
    )


def identity_of(openid: str, binding: OfficialBinding, official: Official) -> Identity:
    return Identity(openid=openid, official=official, persons=(), bindings=(binding,))


def household_identity(session: Session, openid: str) -> Identity:
    """`lookup` for an openid that is not an active official's."""
    links = session.execute(_persons_of(), {"openid": openid}).all()
    return Identity(
        openid=openid, official=None, persons=tuple(p for _l, p in links), bindings=tuple(b for b, _p in links)
    )


@cache
def _official_of() -> Select:
    joined, found = active_official_of_openid()
    return select(OfficialBinding, Official).select_from(joined).where(found)


@cache
def _persons_of() -> Select:
    return (
        select(HouseholdBinding, Person)
        .join(Person, HouseholdBinding.person_id == Person.id)
        .where(HouseholdBinding.openid == bindparam("openid"), HouseholdBinding.active.is_(True))
        .order_by(Person.id)
    )


def roster_version(official_id: ColumnElement[int]) -> ColumnElement[int]:
    """The official's number in `roster_versions` (0 before the first change), as a column."""
    found = select(RosterVersion.version).where(RosterVersion.official_id == official_id)
    return func.coalesce(found.scalar_subquery(), 0)


@cache
def _official_with_roster(dialect: str) -> Select:
    return _official_of().add_columns(roster_json(dialect), roster_version(Official.id))


class Sender(NamedTuple):
    """Who sent a message; for an official, their roster and its `roster_version` read with it."""

    identity: Identity
    roster: list[tuple[int, str]] | None
    version: int | None


def lookup(session: Session, openid: str) -> Identity:
    """Look the sender up without writing anything (see `note_inbound`)."""
    row = session.execute(_official_of(), {"openid": openid}).first()
    if row is not None:
        return identity_of(openid, *row)
    return household_identity(session, openid)


def lookup_with_roster(session: Session, openid: str, today: dt.date) -> Sender:
    """`lookup`, and for an official their roster on `today` (`assigned_roster`) and its version,
    in one statement."""
    dialect = session.get_bind().dialect.name
    row = session.execute(_official_with_roster(dialect), {"openid": openid, "today": today}).first()
    if row is not None:
        binding, official, roster, version = row
        return Sender(identity_of(openid, binding, official), roster_from_json(roster, dialect), version)
    return Sender(household_identity(session, openid), None, None)


def note_inbound(identity: Identity, now: dt.datetime) -> None:
    """Record the time of the sender's message on their bindings (flushed with the session)."""
    for binding in identity.bindings:
        # The 48-hour window needs minutes, not milliseconds: skip the write most of the time.
        if binding.last_inbound_at is None or now - binding.last_inbound_at > INBOUND_TOUCH:
            binding.last_inbound_at = now


def _unused_code(session: Session, digits: int = 6) -> str:
    while True:
        code = f"{secrets.randbelow(10**digits):0{digits}d}"
        if find_code(session, code) is None:
            return code


def new_official_code(session: Session, official: Official, now: dt.datetime | None = None) -> BindingCode:
    """A one-time 6-digit code valid for 24 hours; earlier unused codes of the official lapse."""
    now = now or utcnow()
    session.execute(
        update(BindingCode)
        .where(BindingCode.official_id == official.id, BindingCode.used_at.is_(None))
        .values(expires_at=now)
    )
    code = BindingCode(
        code=_unused_code(session),
        purpose="official",
        official_id=official.id,
        expires_at=now + OFFICIAL_CODE_TTL,
    )
    session.add(code)
    session.flush()
    return code


def household_code(session: Session, person: Person, actor: str = "system") -> BindingCode:
    """The permanent code printed on a person's contact card (created, and audited, on first use)."""
    code = session.scalar(
        select(BindingCode)
        .where(BindingCode.person_id == person.id, BindingCode.purpose == "household")
        .order_by(BindingCode.id)
        .limit(1)
    )
    if code is None:
        code = BindingCode(code=_unused_code(session), purpose="household", person_id=person.id)
        session.add(code)
        session.flush()
        audit(session, actor, "binding_code.create", "person", person.id, purpose="household")
    return code


def find_code(session: Session, code: str) -> BindingCode | None:
    # By the code's lookup hash: the code itself is stored encrypted (storage.cipher).
    return session.scalar(select(BindingCode).where(BindingCode.code_hash.in_(lookup_hashes(code))))


def bind_official(session: Session, openid: str, official_id: int) -> None:
    binding = session.scalar(select(OfficialBinding).where(OfficialBinding.openid == openid))
    # One active openid per official: an earlier phone of the same official is retired.
    session.execute(
        update(OfficialBinding)
        .where(OfficialBinding.official_id == official_id, OfficialBinding.openid != openid)
        .values(active=False)
    )
    if binding is None:
        session.add(OfficialBinding(openid=openid, official_id=official_id, active=True, last_inbound_at=utcnow()))
    else:
        binding.official_id, binding.active = official_id, True


def bind_household(session: Session, openid: str, person_id: int) -> bool:
    """Link openid to person; False when it was already linked and active."""
    binding = session.scalar(
        select(HouseholdBinding).where(HouseholdBinding.openid == openid, HouseholdBinding.person_id == person_id)
    )
    if binding is not None and binding.active:
        return False
    if binding is None:
        session.add(HouseholdBinding(openid=openid, person_id=person_id, active=True, last_inbound_at=utcnow()))
    else:
        binding.active = True
    return True


def deactivate(session: Session, openid: str) -> int:
    """`unsubscribe`: every binding of the openid becomes inactive."""
    n = session.execute(
        update(OfficialBinding).where(OfficialBinding.openid == openid).values(active=False)
    ).rowcount
    n += session.execute(
        update(HouseholdBinding).where(HouseholdBinding.openid == openid).values(active=False)
    ).rowcount
    return n


def household_openids(session: Session, person_id: int) -> list[str]:
    return list(
        session.scalars(
            select(HouseholdBinding.openid).where(
                HouseholdBinding.person_id == person_id, HouseholdBinding.active.is_(True)
            )
        )
    )
