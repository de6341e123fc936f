"""The shared access token in Redis (used when `LIANXIN_REDIS_URL` is set).

Same contract as the database store: one refresher at a time (a Redis lock), a re-check after
waiting for it, refresh 5 minutes before expiry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import cast

import redis
from redis.exceptions import LockError, RedisError

from bot.wechat.errors import WeChatTransportError
from bot.wechat.token_store import REFRESH_MARGIN, FetchToken

# Longer than a token fetch can take (the HTTP timeout), so the lock outlives the refresh.
LOCK_SECONDS = 30.0
WAIT_SECONDS = 15.0


class RedisTokenStore:
    def __init__(
        self,
        client: redis.Redis,
        name: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = client
        self._name = name
        self._clock = clock

    @classmethod
    def from_url(cls, url: str, name: str) -> RedisTokenStore:
        return cls(redis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0), name)

    def _read(self) -> tuple[str, float] | None:
        try:
            raw = cast("bytes | None", self._redis.get(self._name))  # sync client
        except RedisError as exc:
            raise WeChatTransportError(f"token store unavailable: {exc}") from exc
        if not raw:
            return None
        stored = json.loads(raw)
        return stored["token"], float(stored["expires_at"])

    def current(self) -> str | None:
        stored = self._read()
        if stored and stored[1] - REFRESH_MARGIN.total_seconds() > self._clock():
            return stored[0]
        return None

    def refresh(self, fetch: FetchToken, rejected: str | None = None) -> str:
        lock = self._redis.lock(
            self._name + ":refresh", timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS
        )
        try:
            with lock:
                token = self.current()
                if token and token != rejected:
                    return token
                token, expires_in = fetch()
                expires_at = self._clock() + expires_in
                value = json.dumps({"token": token, "expires_at": expires_at})
                self._redis.set(self._name, value, ex=max(1, int(expires_in)))
                return token
        except (LockError, RedisError) as exc:
            raise WeChatTransportError(f"token store unavailable: {exc}") from exc
