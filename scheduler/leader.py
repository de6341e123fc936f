"""A leader lock in the database, so only one scheduler runs jobs and a standby can take over.

A SharedValue row names the holder with an expiry the leader keeps pushing forward; when the
leader stops renewing (it died, or lost the database), the row expires and a standby takes it.
Taking and renewing are one statement (an upsert that only succeeds for the holder or over an
expired row), so two contenders can never both win, on either database.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import insert_for
from storage.models import SharedValue, utcnow

log = logging.getLogger(__name__)

LOCK_NAME = "scheduler.leader"


def instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaderLock:
    def __init__(self, sessions: sessionmaker[Session], me: str,
                 ttl: dt.timedelta = dt.timedelta(seconds=30), clock=utcnow) -> None:
        self.sessions, self.me, self.ttl, self.clock = sessions, me, ttl, clock

    def hold(self) -> bool:
        """Take or renew the lock; False while another process holds an unexpired one.

        The holder is stored encrypted (every shared value is), so it is compared here, not in
        SQL: an absent or expired lock is taken by one upsert that only succeeds over an expired
        row; the holder renews with an update that only succeeds if nobody changed the row since
        it was read. Two contenders can never both win, on either database.
        """
        now = self.clock()
        table = SharedValue.__table__
        with self.sessions.begin() as s:
            taken = s.execute(
                insert_for(s, table)
                .values(name=LOCK_NAME, value=self.me, expires_at=now + self.ttl)
                .on_conflict_do_update(index_elements=[table.c.name],
                                       set_={"value": self.me, "expires_at": now + self.ttl},
                                       where=table.c.expires_at <= now)
                .returning(table.c.name)).first()
            if taken is not None:
                return True
            row = s.execute(select(table.c.value, table.c.expires_at)
                            .where(table.c.name == LOCK_NAME)).first()
            if row is None or row.value != self.me:
                return False
            renewed = s.execute(
                update(SharedValue).where(table.c.name == LOCK_NAME, table.c.expires_at == row.expires_at)
                .values(expires_at=now + self.ttl).returning(table.c.name)).first()
            return renewed is not None

    def release(self) -> None:
        with self.sessions.begin() as s:
            row = s.get(SharedValue, LOCK_NAME)
            if row is not None and row.value == self.me:
                s.delete(row)


def make_leader_lock(sessions: sessionmaker[Session], me: str,
                     ttl: dt.timedelta = dt.timedelta(seconds=30)) -> LeaderLock:
    return LeaderLock(sessions, me, ttl)
