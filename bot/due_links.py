"""Signed, expiring links to an official's due list (`/m/due/<token>`); Flask-free.

The scheduler puts `due_url(...)` in reminder template messages, so an official opens the full
list on the phone without typing a password. The token only names the official and expires.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "due-list"
MAX_AGE_SECONDS = 7 * 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_due_token(secret_key: str, official_id: int) -> str:
    return _serializer(secret_key).dumps({"official_id": official_id})


def read_due_token(secret_key: str, token: str, max_age: int = MAX_AGE_SECONDS) -> int | None:
    """The official id in a valid, unexpired token; None otherwise (bad, tampered or expired)."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired is a subclass
        return None
    official_id = data.get("official_id") if isinstance(data, dict) else None
    return official_id if isinstance(official_id, int) else None


def due_url(base_url: str, secret_key: str, official_id: int) -> str:
    return f"{base_url.rstrip('/')}/m/due/{make_due_token(secret_key, official_id)}"
