"""Key rotation: rewrite every encrypted value (and its lookup hashes) under the current key.

Run while the service runs, after every process was restarted with the new LIANXIN_DATA_KEY and
the old one in LIANXIN_DATA_KEYS: each batch is its own short transaction that locks its rows
(`FOR UPDATE` on PostgreSQL; SQLite's writer lock), so a value changed meanwhile is never
overwritten with an older one. Rows already under the current key are skipped, so a stopped
rotation simply runs again. When it reports nothing left, the old key can be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, Text, bindparam, or_, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from storage.cipher import Encrypted, keyring
from storage.models import Base
from storage.models.lookup import LOOKUPS

BATCH = 1000


@dataclass(frozen=True)
class EncryptedTable:
    table: Table
    key: Column
    columns: tuple[Column, ...]
    # (encrypted column name, hash column name, what of the value is hashed)
    hashes: tuple[tuple[str, str, Callable[[str], str]], ...]


def encrypted_tables() -> Iterator[EncryptedTable]:
    hashed_by_table = {model.__table__.name: spec for model, spec in LOOKUPS.items()}  # type: ignore[attr-defined]
    for table in Base.metadata.sorted_tables:
        columns = tuple(c for c in table.columns if isinstance(c.type, Encrypted))
        if not columns:
            continue
        (key,) = table.primary_key.columns
        yield EncryptedTable(table, key, columns, hashed_by_table.get(table.name, ()))


def _stale(spec: EncryptedTable, prefix: str) -> Any:
    """Rows with a value not under the current key."""
    return or_(*(type_coerce(c, Text).not_like(f"{prefix}%") for c in spec.columns))


def rotate_table(
    sessions: sessionmaker[Session], spec: EncryptedTable, batch: int = BATCH
) -> int:
    """Re-encrypt the rows of one table that are not under the current key; returns their count."""
    ring = keyring()
    raw = [type_coerce(c, Text).label(c.name) for c in spec.columns]
    values = {c.name: bindparam(f"_{c.name}", type_=Text) for c in spec.columns}
    values |= {h: bindparam(f"_{h}") for _attr, h, _part in spec.hashes}
    # Written as given (the envelopes are made here): the plain TEXT type, not Encrypted.
    write = (
        update(spec.table)
        .where(spec.key == bindparam("_key"))
        .values({spec.table.c[name]: type_coerce(value, Text) for name, value in values.items()})
    )
    done, last = 0, None
    while True:
        with sessions.begin() as s:
            query = select(spec.key, *raw).where(_stale(spec, ring.prefix)).order_by(spec.key)
            if last is not None:
                query = query.where(spec.key > last)
            rows = s.execute(query.limit(batch).with_for_update()).all()
            if not rows:
                return done
            changes = []
            for row in rows:
                change: dict[str, Any] = {"_key": row[0]}
                plain: dict[str, str | None] = {}
                for column, stored in zip(spec.columns, row[1:], strict=True):
                    name = spec.table.name + "." + column.name
                    plain[column.name] = None if stored is None else ring.decrypt(stored, name)
                    change[f"_{column.name}"] = (
                        None if stored is None
                        else stored if ring.is_current(stored)
                        else ring.encrypt(plain[column.name] or "", name)
                    )
                for attr, hashed, part in spec.hashes:
                    value = plain[attr]
                    change[f"_{hashed}"] = ring.lookup_hash(part(value)) if value else None
                changes.append(change)
            s.connection().execute(write, changes)
            done += len(rows)
            last = rows[-1][0]


def rotate(
    sessions: sessionmaker[Session],
    batch: int = BATCH,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rotate every encrypted table; {table: rows rewritten}."""
    counts = {}
    for spec in encrypted_tables():
        counts[spec.table.name] = rotate_table(sessions, spec, batch)
        if progress is not None:
            progress(spec.table.name, counts[spec.table.name])
    return counts


def stale_counts(session: Session) -> dict[str, int]:
    """Rows per table still holding a value under an older key."""
    from sqlalchemy import func

    prefix = keyring().prefix
    return {
        spec.table.name: session.scalar(
            select(func.count()).select_from(spec.table).where(_stale(spec, prefix))
        ) or 0
        for spec in encrypted_tables()
    }
