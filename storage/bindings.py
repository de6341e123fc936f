"""Who is behind an openid, and binding codes."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from functools import cache
from typing import cast

from sqlalchemy import ColumnElement, Join, Select, and_, bindparam, join, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.cipher import lookup_hashes
from storage.models import (
    BindingCode,
    HouseholdBinding,
    Official,
    OfficialBinding,
    Person,
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


def lookup(session: Session, openid: str) -> Identity:
    """Look the sender up without writing anything (see `note_inbound`)."""
    row = session.execute(_official_of(), {"openid": openid}).first()
    if row is not None:
        return identity_of(openid, *row)
    return household_identity(session, openid)


def note_inbound(identity: Identity, now: dt.datetime) -> None:
    """Record the time of the sender's message on their bindings (flushed with the session)."""
    for binding in identity.bindings:
        # The 48-hour window needs minutes, not milliseconds: skip the write most of the time.
        if binding.last_inbound_at is None or now - binding.last_inbound_at > INBOUND_TOUCH:
            binding.last_inbound_at = now


# Household card codes: 12 symbols from 30 that cannot be mistaken for one another (no 0/O,
# 1/I/L, 8/B): 30^12 ≈ 5·10^17, so guessing one is hopeless even without the rate limit.
CARD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ2345679"
CARD_CODE_LENGTH = 12
_SEPARATORS = str.maketrans("", "", " -－_　.")


def normalize_code(text: str) -> str:
    """A code as typed or scanned: any case, with or without spaces or dashes between groups."""
    return text.translate(_SEPARATORS).upper()


def grouped(code: str) -> str:
    """How a long code is printed: groups of four (`ABCD EFGH JKMN`); short codes as they are."""
    if len(code) <= 6:
        return code
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def is_card_code(code: str) -> bool:
    return len(code) == CARD_CODE_LENGTH and all(c in CARD_ALPHABET for c in code)


def _unused_code(session: Session, purpose: str) -> str:
    while True:
        if purpose == "household":
            code = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_CODE_LENGTH))
        else:  # an official's: six digits, single use, 24 hours, typed from an SMS or a call
            code = f"{secrets.randbelow(10**6):06d}"
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
        code=_unused_code(session, "official"),
        purpose="official",
        official_id=official.id,
        expires_at=now + OFFICIAL_CODE_TTL,
    )
    session.add(code)
    session.flush()
    return code


def household_code(session: Session, person: Person, actor: str = "system") -> BindingCode:
    """The permanent code printed on a person's contact card (created, and audited, on first use).

    A short code of the first cards (6 digits) is replaced by a long one the next time the card
    is printed; until then the printed short code still binds, under the failure limit.
    """
    code = session.scalar(
        select(BindingCode)
        .where(BindingCode.person_id == person.id, BindingCode.purpose == "household")
        .order_by(BindingCode.id.desc())
        .limit(1)
    )
    if code is not None and not is_card_code(code.code):
        session.delete(code)
        session.flush()
        audit(session, actor, "binding_code.replace", "person", person.id, purpose="household")
        code = None
    if code is None:
        code = BindingCode(code=_unused_code(session, "household"), purpose="household",
                           person_id=person.id)
        session.add(code)
        session.flush()
        audit(session, actor, "binding_code.create", "person", person.id, purpose="household")
    return code


def find_code(session: Session, code: str) -> BindingCode | None:
    # By the code's lookup hash: the code itself is stored encrypted (storage.cipher).
    return session.scalar(select(BindingCode).where(
        BindingCode.code_hash.in_(lookup_hashes(normalize_code(code)))))


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
    n = 0
    for model in (OfficialBinding, HouseholdBinding):
        result = session.execute(update(model).where(model.openid == openid).values(active=False))
        n += cast(CursorResult, result).rowcount
    return n


def household_openids(session: Session, person_id: int) -> list[str]:
    return list(
        session.scalars(
            select(HouseholdBinding.openid).where(
                HouseholdBinding.person_id == person_id, HouseholdBinding.active.is_(True)
            )
        )
    )
