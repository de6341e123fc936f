"""What the QR code on a person's contact card (联系卡) says.

The household scans it (or types the code) to bind their WeChat to the person: the permanent
scene QR URL once one was created for the person's code, otherwise the code itself as text.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.models import BindingCode, Person

HOUSEHOLD = "household"


def household_code(session: Session, person: Person, actor: str = "system") -> str:
    """The person's printed household code (6 digits, no expiry), created on first use."""
    existing = session.scalar(
        select(BindingCode.code)
        .where(BindingCode.person_id == person.id, BindingCode.purpose == HOUSEHOLD)
        .order_by(BindingCode.id)
        .limit(1)
    )
    if existing:
        return existing
    taken = True
    while taken:
        code = f"{secrets.randbelow(900000) + 100000}"
        taken = session.scalar(select(BindingCode.id).where(BindingCode.code == code)) is not None
    session.add(BindingCode(code=code, purpose=HOUSEHOLD, person_id=person.id, expires_at=None))
    session.flush()
    audit(session, actor, "binding_code.create", "person", person.id, purpose=HOUSEHOLD)
    return code


def card_qr_content(session: Session, person: Person, actor: str = "system") -> str:
    """The permanent scene QR URL when one was created for the code, else "绑定 <code>"."""
    code = household_code(session, person, actor)
    qr_url = session.scalar(select(BindingCode.qr_url).where(BindingCode.code == code))
    return qr_url or f"绑定 {code}"
