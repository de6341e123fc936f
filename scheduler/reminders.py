"""Running the reminder jobs: collect their messages, and queue them (or only show them)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session, sessionmaker

from scheduler import render
from scheduler.jobs import JOBS, STREAMING_JOBS
from scheduler.outbox import SenderConfig
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


def queue_all(session: Session, policies: Policies, now: dt.datetime,
              kinds: Iterable[str] = tuple(JOBS), batch: int = 1000,
              on_message=None) -> int:
    """Compute and queue, batch by batch, in the caller's transaction; returns new rows."""
    created, pending = 0, []
    for message in iter_collect(session, policies, now, kinds, batch):
        if on_message is not None:
            on_message(message)
        pending.append(message)
        if len(pending) >= batch:
            created += queue(session, pending, now, policies.schedule)
            pending = []
    return created + queue(session, pending, now, policies.schedule)


def run(sessions: sessionmaker[Session], policies: Policies, now: dt.datetime,
        kinds: Iterable[str] = tuple(JOBS)) -> int:
    """Compute and queue in one transaction; returns the number of new outbox rows."""
    kinds = tuple(kinds)
    with sessions.begin() as s:
        created = queue_all(s, policies, now, kinds)
    log.info("reminders %s: %s new", ",".join(kinds), created)
    return created


def sender_config(settings, policies: Policies, **overrides) -> SenderConfig:
    keywords = render.TemplateKeywords(**policies.template)
    return SenderConfig(
        template_id=settings.wechat_template_id, base_url=settings.base_url,
        secret_key=settings.secret_key, keywords=keywords,
        quiet_start=policies.schedule.quiet_start, quiet_end=policies.schedule.quiet_end,
        **overrides,
    )


def make_pusher(settings, sessions):
    """The shared WeChat client (bot.wechat), which refreshes the shared token itself."""
    from bot.wechat.factory import make_client

    return make_client(settings, sessions)
