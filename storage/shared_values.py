"""Small named values with an expiry, shared by every process through the database.

Used for the WeChat access token (one token for all web workers and the scheduler). `lock_value`
lets exactly one process refresh a value at a time: the others wait on the lock and then find the
fresh value when they re-check.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import insert_for
from storage.models import SharedValue

# An expiry that is always past: the placeholder a lock creates for a value not yet set.
LONG_AGO = dt.datetime(1970, 1, 1)


def _insert(session: Session):
    return insert_for(session, SharedValue.__table__)


def get_value(session: Session, name: str, now: dt.datetime) -> str | None:
    """The value of `name` if it is set and expires after `now`."""
    row = session.execute(
        select(SharedValue.value, SharedValue.expires_at).where(SharedValue.name == name)
    ).one_or_none()
    if row is None or row.expires_at <= now:
        return None
    return row.value


def set_value(session: Session, name: str, value: str, expires_at: dt.datetime) -> None:
    stmt = _insert(session).values(name=name, value=value, expires_at=expires_at)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SharedValue.name],
        set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
    )
    session.execute(stmt)


def lock_value(session: Session, name: str) -> SharedValue:
    """Lock the row of `name` until the transaction ends and return it (a placeholder if new).

    PostgreSQL: `SELECT … FOR UPDATE` on the row. SQLite: the write transaction already holds the
    database's write lock (BEGIN IMMEDIATE, see storage.db), so call this in a write session.
    """
    session.execute(
        _insert(session)
        .values(name=name, value="", expires_at=LONG_AGO)
        .on_conflict_do_nothing(index_elements=[SharedValue.name])
    )
    return session.scalars(
        select(SharedValue)
        .where(SharedValue.name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
