"""Exactly-once handling of WeChat messages: a unique row per message or event.

The row is inserted in the same transaction that does the message's work, so a retry (or a
concurrent duplicate on another worker) either waits for that transaction and finds the stored
reply, or — if the first attempt rolled back — does the work itself.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.bindings import (
    Identity,
    active_official_of_openid,
    household_identity,
    identity_of,
    lookup_with_roster,
    roster_version,
)
from storage.conversation import Pending, pending_of
from storage.ledger import roster_from_json, roster_json
from storage.models import ConversationState, InboundMessage, Official, OfficialBinding, utcnow

_T = cast(Table, InboundMessage.__table__)
_STATES = cast(Table, ConversationState.__table__)


@cache
def _claim(dialect: str) -> Any:
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(_T)
        .values(
            dedupe_key=bindparam("dedupe_key"),
            openid=bindparam("openid"),
            msg_type=bindparam("msg_type"),
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_T.c.id)
    )


@cache
def _claim_reading_pending(dialect: str, version: bool) -> Any:
    # The sender's pending question comes back with the claim: one statement, not two; and, for
    # a sender already known as an official, the version of what is known of them.
    state = _STATES.c

    def pending(column: Any) -> Any:
        return select(column).where(state.openid == bindparam("openid")).scalar_subquery()

    claim = _claim(dialect).returning(
        pending(state.kind).label("kind"),
        pending(state.payload).label("payload"),
        pending(state.expires_at).label("expires_at"),
    )
    if version:
        claim = claim.returning(roster_version(bindparam("official_id")).label("version"))
    return claim


@cache
def _stored_reply() -> Any:
    return select(_T.c.reply).where(_T.c.dedupe_key == bindparam("dedupe_key"))


@cache
def _store_reply() -> Any:
    return update(_T).where(_T.c.dedupe_key == bindparam("key")).values(reply=bindparam("reply"))


def claim(session: Session, dedupe_key: str, openid: str, msg_type: str) -> bool:
    """Record the message; False when it was already handled (a retry)."""
    values = {"dedupe_key": dedupe_key, "openid": openid, "msg_type": msg_type, "created_at": utcnow()}
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT that returns rows.
    return session.execute(_claim(session.get_bind().dialect.name), values).scalar() is not None


class Claimed(NamedTuple):
    """A message claimed by this transaction, with its sender's pending question (if any)."""

    pending: Pending | None
    identity: Identity | None = None  # claim_reading_sender: the sender, and an official's roster
    roster: list[tuple[int, str]] | None = None
    version: int | None = None  # the official's roster_version (`official_id=`, or found)


def claim_reading_pending(
    session: Session, dedupe_key: str, openid: str, msg_type: str, official_id: int | None = None
) -> Claimed | None:
    """Like `claim`, also reading the sender's pending question in the same statement, and the
    `roster_version` of `official_id` when given.

    None when the message was already handled. An expired question is cleared, as
    `conversation.get` does.
    """
    values = {"dedupe_key": dedupe_key, "openid": openid, "msg_type": msg_type, "created_at": utcnow()}
    versioned = official_id is not None
    if versioned:
        values["official_id"] = official_id
    statement = _claim_reading_pending(session.get_bind().dialect.name, versioned)
    row = session.execute(statement, values).first()
    if row is None:
        return None
    pending = pending_of(session, openid, row.kind, row.payload, row.expires_at)
    return Claimed(pending, version=row.version if versioned else None)


@cache
def _claim_reading_sender() -> Any:
    # PostgreSQL: the claim as a data-modifying CTE; its one row (none for a retry) is joined to
    # the pending question and the sender's official with their roster.
    claimed = _claim("postgresql").cte("claimed")
    officials, found = active_official_of_openid()
    return (
        select(claimed.c.id, _STATES.c.kind, _STATES.c.payload, _STATES.c.expires_at,
               OfficialBinding, Official, roster_json("postgresql"), roster_version(Official.id))
        .select_from(claimed)
        .outerjoin(_STATES, _STATES.c.openid == bindparam("openid"))
        .outerjoin(officials, found)
    )  # fmt: skip


def claim_reading_sender(
    session: Session, dedupe_key: str, openid: str, msg_type: str, today: dt.date
) -> Claimed | None:
    """`claim_reading_pending` that also looks the sender up (`bindings.lookup_with_roster`).

    One round trip on PostgreSQL (only a household's persons are read after it); elsewhere the
    claim and the lookup are two statements.
    """
    if session.get_bind().dialect.name != "postgresql":
        claimed = claim_reading_pending(session, dedupe_key, openid, msg_type)
        if claimed is None:
            return None
        return Claimed(claimed.pending, *lookup_with_roster(session, openid, today))
    values = {
        "dedupe_key": dedupe_key, "openid": openid, "msg_type": msg_type, "created_at": utcnow(),
        "today": today,
    }  # fmt: skip
    row = session.execute(_claim_reading_sender(), values).first()
    if row is None:
        return None
    _id, kind, payload, expires_at, binding, official, roster, version = row
    pending = pending_of(session, openid, kind, payload, expires_at)
    if official is None:
        return Claimed(pending, household_identity(session, openid), None)
    sender = identity_of(openid, binding, official)
    return Claimed(pending, sender, roster_from_json(roster, "postgresql"), version)


def stored_reply(session: Session, dedupe_key: str) -> str | None:
    return session.execute(_stored_reply(), {"dedupe_key": dedupe_key}).scalar()


def store_reply(session: Session, dedupe_key: str, reply: str | None) -> None:
    session.execute(_store_reply(), {"key": dedupe_key, "reply": reply})
