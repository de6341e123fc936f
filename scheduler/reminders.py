"""Running the reminder jobs: collect their messages, and queue them (or only show them)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session, sessionmaker

from scheduler.jobs import JOBS, STREAMING_JOBS
from scheduler.policies import Policies
from scheduler.queue import not_yet_queued, queue

log = logging.getLogger(__name__)

DAILY = ("digest", "festival", "pairing_review")
NEEDS = ("need_followup", "need_escalation")


def iter_collect(session: Session, policies: Policies, now: dt.datetime,
                 kinds: Iterable[str] = tuple(JOBS), batch: int = 1000) -> Iterator[dict]:
    """The messages of the given jobs that are not in the outbox yet, in a stable order."""
    pending: list[dict] = []
    for kind in kinds:
        job = STREAMING_JOBS.get(kind, JOBS[kind])
        for message in job(session, policies, now):
            pending.append(message)
            if len(pending) >= batch:
                yield from not_yet_queued(session, pending)
                pending = []
    yield from not_yet_queued(session, pending)


def collect(session: Session, policies: Policies, now: dt.datetime,
            kinds: Iterable[str] = tuple(JOBS)) -> list[dict]:
    return list(iter_collect(session, policies, now, kinds))


def run(sessions: sessionmaker[Session], policies: Policies, now: dt.datetime,
        kinds: Iterable[str] = tuple(JOBS), *, read_sessions: sessionmaker[Session] | None = None,
        batch: int = 1000, on_message=None) -> int:
    """Compute the messages and queue them; returns the number of new outbox rows.

    The computation reads in its own (on SQLite: deferred, lock-free) session and each batch is
    queued in a short write transaction of its own, so a province-sized run never holds the
    write lock the webhook needs. The dedupe keys make a run that stops half way safe to repeat.
    """
    kinds = tuple(kinds)
    created, pending = 0, []
    with (read_sessions or sessions)() as reader:
        for message in iter_collect(reader, policies, now, kinds, batch):
            if on_message is not None:
                on_message(message)
            pending.append(message)
            if len(pending) >= batch:
                created += _queue_batch(sessions, pending, now, policies)
                pending = []
    created += _queue_batch(sessions, pending, now, policies)
    log.info("reminders %s: %s new", ",".join(kinds), created)
    return created


def _queue_batch(sessions: sessionmaker[Session], messages: list[dict], now: dt.datetime,
                 policies: Policies) -> int:
    if not messages:
        return 0
    with sessions.begin() as s:
        return queue(s, messages, now, policies.schedule)
