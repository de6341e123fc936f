"""Signed, expiring links to the phone-friendly due list (no password typing on a phone)."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.settings import Settings

DUE_LIST_SALT = "due-list"
DUE_LIST_MAX_AGE = 7 * 24 * 3600


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=DUE_LIST_SALT)


def due_list_url(settings: Settings, official_id: int) -> str:
    token = _serializer(settings).dumps({"official_id": official_id})
    return f"{settings.base_url.rstrip('/')}/m/due/{token}"


def official_from_token(settings: Settings, token: str, max_age: int = DUE_LIST_MAX_AGE) -> int | None:
    try:
        data = _serializer(settings).loads(token, max_age=max_age)
    except BadSignature:
        return None
    value = data.get("official_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
