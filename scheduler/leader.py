"""A leader lock in the database, so only one scheduler runs jobs and a standby can take over.

PostgreSQL: a session advisory lock held on a dedicated connection — it vanishes with the
connection when the leader dies. SQLite: a SharedValue row naming the holder with an expiry the
leader keeps pushing forward; when the leader stops renewing, the row expires and a standby
takes it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.models import SharedValue, utcnow

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler.leader"
# pg_try_advisory_lock takes a bigint; a fixed number that is ours (crc of the name).
ADVISORY_KEY = 0x6C69616E78696E  # "lianxin"


def instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class AdvisoryLeaderLock:
    def __init__(self, engine: Engine, key: int = ADVISORY_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: Connection | None = None

    def hold(self) -> bool:
        """Acquire (or confirm we still hold) the lock; False while another process holds it."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except Exception:
                log.exception("leader connection lost")
                self._drop()
                return False
        conn = self.engine.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        conn.commit()  # keep the session-level lock, end the transaction
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            finally:
                self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never hand a lock-holding connection back to the pool
            finally:
                self._conn.close()
                self._conn = None


class RowLeaderLock:
    def __init__(self, sessions: sessionmaker[Session], me: str,
                 ttl: dt.timedelta = dt.timedelta(seconds=30), clock=utcnow) -> None:
        self.sessions, self.me, self.ttl, self.clock = sessions, me, ttl, clock

    def hold(self) -> bool:
        now = self.clock()
        with self.sessions.begin() as s:  # BEGIN IMMEDIATE: one contender at a time
            row = s.get(SharedValue, LOCK_NAME)
            if row is None:
                s.add(SharedValue(name=LOCK_NAME, value=self.me, expires_at=now + self.ttl))
                return True
            if row.value == self.me or row.expires_at <= now:
                if row.value != self.me:
                    log.info("leader %s expired; %s takes over", row.value, self.me)
                row.value, row.expires_at = self.me, now + self.ttl
                return True
            return False

    def release(self) -> None:
        with self.sessions.begin() as s:
            row = s.get(SharedValue, LOCK_NAME)
            if row is not None and row.value == self.me:
                s.delete(row)


def make_leader_lock(engine: Engine, sessions: sessionmaker[Session], me: str,
                     ttl: dt.timedelta = dt.timedelta(seconds=30)):
    if engine.dialect.name == "postgresql":
        return AdvisoryLeaderLock(engine)
    return RowLeaderLock(sessions, me, ttl)
