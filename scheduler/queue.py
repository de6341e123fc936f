"""Putting reminder messages into the outbox, each at most once (ON CONFLICT DO NOTHING)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.policies import Schedule
from storage.clock import naive_utc
from storage.models import OutboxMessage
from storage.outbox import enqueue_many, outbox_row, utcnow


def queued_keys(session: Session, keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))))
    return found


def not_yet_queued(session: Session, messages: Sequence[dict]) -> list[dict]:
    """The messages a real run would queue now (their keys are not in the outbox yet)."""
    done = queued_keys(session, (m["dedupe_key"] for m in messages))
    seen: set[str] = set()
    fresh = []
    for m in messages:
        if m["dedupe_key"] not in done and m["dedupe_key"] not in seen:
            seen.add(m["dedupe_key"])
            fresh.append(m)
    return fresh


def first_attempt(now: dt.datetime, urgent: bool, schedule: Schedule) -> dt.datetime:
    """Now, or the end of quiet hours for a non-urgent message queued during them (naive UTC).

    Never later than the real present: a run for a day still to come (`remind --today` ahead)
    queues messages a sender can take at once (the sender keeps quiet hours itself).
    """
    at = now
    clock = schedule.clock
    if not urgent and clock.in_quiet_hours(now, schedule.quiet_start, schedule.quiet_end):
        at = clock.quiet_hours_end(now, schedule.quiet_end)
    return min(naive_utc(at), utcnow())


def queue(session: Session, messages: Sequence[dict], now: dt.datetime,
          schedule: Schedule) -> int:
    """Insert the messages; ones whose key exists already are skipped. Returns how many were new."""
    created = naive_utc(now)
    rows = [
        outbox_row(
            m["dedupe_key"], m["kind"], m, official_id=m["recipient"]["id"],
            urgent=bool(m.get("urgent")),
            not_before=first_attempt(now, bool(m.get("urgent")), schedule), created_at=created,
        )
        for m in messages
    ]
    return enqueue_many(session, rows)
