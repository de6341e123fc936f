"""What the QR code on a person's contact card (联系卡) says.

The household scans it (or types the code) to bind their WeChat to the person: the permanent
scene QR URL once one was created for the person's code, otherwise the code itself as text.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.bindings import grouped
from storage.bindings import household_code as household_binding_code
from storage.models import Person


def household_code(session: Session, person: Person, actor: str = "system") -> str:
    """The person's printed household code (12 symbols, no expiry), created on first use."""
    return household_binding_code(session, person, actor).code


def card_qr_content(session: Session, person: Person, actor: str = "system") -> str:
    """The permanent scene QR URL when one was created for the code, else "绑定 <code>"."""
    code = household_binding_code(session, person, actor)
    return code.qr_url or f"绑定 {grouped(code.code)}"
