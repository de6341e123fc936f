"""Where the one shared access token lives, so web workers and the scheduler never hold their own.

A fetch from WeChat can invalidate the token other processes are using, so a token is read from
the shared store on every call and only one process refreshes it at a time; a process that waited
for the refresh lock re-checks and takes the token the other one fetched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from storage.models import utcnow
from storage.shared_values import get_value, lock_value, set_value

# Refresh this long before WeChat's expiry, so a token is never used in its last minutes.
REFRESH_MARGIN = dt.timedelta(minutes=5)

# Fetches a new token from WeChat: returns (access_token, expires_in seconds).
FetchToken = Callable[[], tuple[str, int]]


class TokenStore(Protocol):
    def current(self) -> str | None:
        """The shared token if it stays valid beyond the refresh margin, else None."""

    def refresh(self, fetch: FetchToken, rejected: str | None = None) -> str:
        """Under a lock: the shared token if still good (and not `rejected`), else `fetch()`'s."""


class DatabaseTokenStore:
    """The token in a `shared_values` row."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        name: str,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._name = name
        self._clock = clock

    def current(self) -> str | None:
        with self._sessions() as session:
            # A plain read: on SQLite do not take the write lock (see storage.db).
            session.connection(execution_options={"sqlite_deferred": True})
            return get_value(session, self._name, self._clock() + REFRESH_MARGIN)

    def refresh(self, fetch: FetchToken, rejected: str | None = None) -> str:
        # The lock is held across the HTTP fetch on purpose: that is what stops a second process
        # from fetching (and so invalidating) a token at the same time. The fetch has a timeout.
        with self._sessions.begin() as session:
            row = lock_value(session, self._name)
            now = self._clock()
            if row.value and row.value != rejected and row.expires_at - REFRESH_MARGIN > now:
                return row.value
            token, expires_in = fetch()
            set_value(session, self._name, token, now + dt.timedelta(seconds=expires_in))
            return token
