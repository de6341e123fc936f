"""Engines and session factories. Nothing here runs at import time.

SQLite (the embedded default) is set up for several processes on one file: WAL, foreign keys,
a busy timeout, and write transactions that take the write lock up front (BEGIN IMMEDIATE) so two
writers queue instead of failing on a lock upgrade — first on a file lock next to the database
(`<db>-writer.lock`), which the kernel hands to the next writer at once. Long read-only work
(exports, dashboards) uses `read_sessions`, which begins deferred and never blocks writers.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15000
PING_AFTER_IDLE_S = 10.0
# A connection copies the WAL back into the database (a passive checkpoint) after this many of
# its commits, outside the writer lock; SQLite's own automatic checkpoint would run inside it.
CHECKPOINT_EVERY_COMMITS = 64


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for `url` with the project's dialect settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {}).setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, parsed.database)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # psycopg 3 is the installed driver; accept plain postgresql:// URLs.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection on checkout only when it sat idle for PING_AFTER_IDLE_S.

    `pool_pre_ping` would ping on every checkout: a round trip for every webhook message. A
    connection in steady use is known to be alive; one that waited (a quiet night, a server
    restart meanwhile) is pinged, and a dead one is replaced by the pool (SQLAlchemy's
    DisconnectionError recipe) before anyone uses it.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("pooled connection is gone") from exc


def _configure_sqlite(engine: Engine, database: str | None) -> None:
    # Writers queue on a file lock next to the database before BEGIN IMMEDIATE: the kernel wakes
    # the next one the moment the lock is free, where SQLite's busy handler polls with sleeps of
    # up to 100 ms (unfair, and idle time under load). SQLite's own lock still guards the data.
    lock_path = f"{database}-writer.lock" if database and database != ":memory:" else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):  # type: ignore[no-untyped-def]
        # Take transaction control away from pysqlite so BEGIN is ours (SQLAlchemy recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        if lock_path:
            cur.execute("PRAGMA wal_autocheckpoint=0")  # see _checkpoint
        cur.close()
        # Read-only is enough for flock, so another user (the CLI) can queue too. Without the
        # file, SQLite's busy handler alone makes writers wait, as it always can.
        if lock_path:
            with suppress(OSError):
                record.info[_LOCK_FD] = os.open(lock_path, os.O_RDONLY | os.O_CREAT, 0o644)

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        if _LOCK_FD in record.info:
            _release(record.info)
            os.close(record.info.pop(_LOCK_FD))

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get("sqlite_deferred"):
            conn.exec_driver_sql("BEGIN")
            return
        info = conn.connection.info
        fd = info.get(_LOCK_FD)
        me = threading.get_ident()
        # A second write transaction in a thread that already writes must not wait for itself:
        # it goes straight to SQLite, whose busy timeout ends it with an error as it always did.
        if fd is not None and _LOCK_HELD not in info and me not in _WRITING:
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks (without the GIL) until the writer before us is done
            info[_LOCK_HELD] = me
            _WRITING.add(me)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(info)
            raise

    @event.listens_for(engine, "commit")
    def _on_commit(conn):  # type: ignore[no-untyped-def]
        # The event comes before SQLAlchemy's commit: commit here, so the next writer is let in
        # only once the data is committed (SQLAlchemy's own commit then finds nothing to do).
        info = conn.connection.info
        if _LOCK_HELD in info:
            dbapi_conn = conn.connection.dbapi_connection
            try:
                dbapi_conn.commit()
            finally:
                _release(info)
            _checkpoint(dbapi_conn, info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn):  # type: ignore[no-untyped-def]
        info = conn.connection.info
        if _LOCK_HELD in info:
            try:
                conn.connection.dbapi_connection.rollback()
            finally:
                _release(info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        _release(record.info)  # in case a transaction ended without commit or rollback


_IDLE_SINCE = "lianxin_idle_since"
_LOCK_FD = "lianxin_writer_lock_fd"
_LOCK_HELD = "lianxin_writer_lock_held"
_COMMITS = "lianxin_commits"


_WRITING: set[int] = set()  # threads of this process holding the writer lock


def _checkpoint(dbapi_conn, info: dict) -> None:  # type: ignore[no-untyped-def]
    """Every CHECKPOINT_EVERY_COMMITS commits of a connection: a passive checkpoint.

    SQLite's automatic checkpoint runs in the commit that crosses its threshold, so the writer
    lock would be held through the copy and its fsyncs (milliseconds, while every other writer
    waits). A passive checkpoint takes no write lock: done after the lock is released, the next
    writer goes on meanwhile. It copies what no reader still needs; the rest waits for the next.
    """
    commits = info[_COMMITS] = info.get(_COMMITS, 0) + 1
    if commits % CHECKPOINT_EVERY_COMMITS == 0:
        dbapi_conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _release(info: dict) -> None:
    if _LOCK_HELD in info:
        _WRITING.discard(info.pop(_LOCK_HELD))
        fcntl.flock(info[_LOCK_FD], fcntl.LOCK_UN)


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


def insert_for(session: Session, table: Any) -> Any:
    """INSERT into `table` with `on_conflict_do_nothing/do_update` (the same API on both); the
    same object for every call on a database, so statements built on it can be cached."""
    return _insert(session.get_bind().dialect.name, table)


@cache
def _insert(dialect: str, table: Any) -> Any:
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table)


def plan_for_parameters(session: Session) -> None:
    """PostgreSQL, this transaction: no JIT, and every statement planned for its parameters
    (a generic plan that ignores a village list or dates made the dashboard 5-10x slower).
    SQLite plans every statement anew anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def skip_locked(session: Session) -> str:
    """SQL to append to a SELECT that claims rows: PostgreSQL skips rows other workers hold;
    SQLite has one writer at a time, so there is nothing to skip."""
    return " FOR UPDATE SKIP LOCKED" if session.get_bind().dialect.name == "postgresql" else ""


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for one unit of work each: `with factory.begin() as s: ...`."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for long reads; on SQLite they do not take the write lock."""
    return sessionmaker(bind=engine.execution_options(sqlite_deferred=True), expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    with factory.begin() as session:
        yield session
