"""The tables kept by database triggers, for bulk loaders: suspend, load, rebuild.

`contact_summary` follows the contacts; `assignment_summary` follows it, the assignments and the
persons; the overview's tallies follow all of those and the needs. A load that goes around the
triggers rebuilds them at the end, in that order, in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage import assignment_summary, contact_summary, overview_tallies


def _by_table() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {"contact_records": list(contact_summary.TRIGGERS)}
    for table, names in assignment_summary.TRIGGERS.items():
        found.setdefault(table, []).extend(names)
    for table, name in overview_tallies.TRIGGERS:
        found.setdefault(table, []).append(name)
    return {table: tuple(names) for table, names in found.items()}


TRIGGERS: dict[str, tuple[str, ...]] = _by_table()


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


def _rebuild_all(conn: Connection | Session) -> None:
    contact_summary.rebuild_summary(conn)
    assignment_summary.rebuild(conn)
    overview_tallies.rebuild_tallies(conn)


def rebuild(conn: Connection | Session) -> None:
    """Every trigger-kept table recomputed from the contacts, assignments, persons and needs."""
    # The contact summary's rebuild would otherwise be followed row by row downstream.
    with suspended(conn, ("contact_summary",)):
        _rebuild_all(conn)


@contextmanager
def triggers_suspended(conn: Connection) -> Iterator[None]:
    """For a bulk load into contacts, assignments, persons or needs: triggers off, then a
    rebuild of everything they keep."""
    with suspended(conn):
        yield
        _rebuild_all(conn)
