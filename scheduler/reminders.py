"""Running the reminder jobs: collect their messages, and queue them (or only show them)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from scheduler import render
from scheduler.jobs import JOBS
from scheduler.outbox import SenderConfig
from scheduler.policies import Policies
from scheduler.queue import not_yet_queued, queue

log = logging.getLogger(__name__)

DAILY = ("digest", "festival", "pairing_review")
NEEDS = ("need_followup", "need_escalation")


def collect(session: Session, policies: Policies, now: dt.datetime,
            kinds: Iterable[str] = tuple(JOBS)) -> list[dict]:
    """The messages of the given jobs that are not in the outbox yet, in a stable order."""
    messages: list[dict] = []
    for kind in kinds:
        messages.extend(JOBS[kind](session, policies, now))
    return not_yet_queued(session, messages)


def run(sessions: sessionmaker[Session], policies: Policies, now: dt.datetime,
        kinds: Iterable[str] = tuple(JOBS)) -> int:
    """Compute and queue in one transaction; returns the number of new outbox rows."""
    with sessions.begin() as s:
        messages = collect(s, policies, now, kinds)
        created = queue(s, messages, now, policies.schedule)
    log.info("reminders %s: %s new of %s", ",".join(kinds), created, len(messages))
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
