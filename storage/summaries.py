"""The two summaries kept by database triggers, for bulk loaders: suspend, load, rebuild.

`contact_summary` follows the contacts; `assignment_summary` follows it, the assignments and the
persons. A load that goes around the triggers rebuilds both at the end, in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage import assignment_summary, contact_summary

TRIGGERS: dict[str, tuple[str, ...]] = {
    "contact_records": contact_summary.TRIGGERS,
    **assignment_summary.TRIGGERS,
}


@contextmanager
def suspended(conn: Connection | Session, tables: tuple[str, ...] = tuple(TRIGGERS)
              ) -> Iterator[None]:
    """The summaries' triggers on `tables` off for the block, in the caller's transaction.

    Other sessions never see them missing: PostgreSQL's ALTER TABLE and SQLite's write lock keep
    writers out until the transaction ends.
    """
    names = [(table, name) for table in tables for name in TRIGGERS[table]]
    dialect = conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect
    if dialect.name == "postgresql":
        for table, name in names:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {name}"))
        yield
        for table, name in names:
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {name}"))
        return
    listed = ", ".join(f"'{name}'" for _, name in names)
    ddl = conn.execute(text(f"SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                            f" AND name IN ({listed})")).scalars().all()
    for _, name in names:
        conn.execute(text(f"DROP TRIGGER {name}"))
    yield
    for sql in ddl:
        conn.execute(text(sql))


def rebuild(conn: Connection | Session) -> None:
    """Both summaries recomputed from the contacts, assignments and persons."""
    # The contact summary's rebuild would otherwise copy every row over one by one.
    with suspended(conn, ("contact_summary",)):
        contact_summary.rebuild_summary(conn)
    assignment_summary.rebuild(conn)


@contextmanager
def triggers_suspended(conn: Connection) -> Iterator[None]:
    """For a bulk load into contacts, assignments or persons: triggers off, then a rebuild."""
    with suspended(conn):
        yield
        contact_summary.rebuild_summary(conn)
        assignment_summary.rebuild(conn)
