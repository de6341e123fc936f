"""Signed, expiring links to an official's due list (`/m/due/<token>`); Flask-free.

The scheduler puts them in reminder template messages and the chat in long lists, so an
official opens the full list on the phone without a password. A token names the official and
the official's `due_link_version`, and lives `MAX_AGE_SECONDS`; revoking (the dashboard's
button, `lianxin official revoke-links`) bumps the version, and every earlier link stops working.
The dashboard never shows a link: it would list the official's persons to anyone who can see it.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.audit import audit
from storage.models import Official

SALT = "due-list"
MAX_AGE_SECONDS = 72 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_due_token(secret_key: str, official_id: int, version: int = 0) -> str:
    return _serializer(secret_key).dumps({"official_id": official_id, "v": version})


def read_due_token(secret_key: str, token: str,
                   max_age: int = MAX_AGE_SECONDS) -> tuple[int, int] | None:
    """(official id, link version) of a valid, unexpired token; None if bad, tampered, expired."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a subclass
        return None
    if not isinstance(data, dict):
        return None
    official_id, version = data.get("official_id"), data.get("v", 0)
    if not isinstance(official_id, int) or not isinstance(version, int):
        return None
    return official_id, version


def due_url(base_url: str, secret_key: str, official_id: int, version: int) -> str:
    return f"{base_url.rstrip('/')}/m/due/{make_due_token(secret_key, official_id, version)}"


def due_url_maker(sessions: sessionmaker[Session], base_url: str, secret_key: str):  # type: ignore[no-untyped-def]
    """official id -> a link carrying the official's current version (read when it is made,
    with `sessions` that never wait for a writer: the outbox sends outside its transactions)."""

    def make(official_id: int) -> str:
        with sessions() as session:
            version = session.scalar(
                select(Official.due_link_version).where(Official.id == official_id)) or 0
        return due_url(base_url, secret_key, official_id, version)

    return make


def revoke_due_links(session: Session, official: Official, actor: str) -> None:
    """Every due-list link of the official issued so far stops working."""
    official.due_link_version = (official.due_link_version or 0) + 1
    audit(session, actor, "due_links.revoke", "official", official.id)
