"""`lianxin scheduler`: APScheduler 3 in its own process, behind the database leader lock.

A second instance waits as a standby, trying the lock every few seconds, and takes over when the
leader dies. The job store is in memory (APScheduler cannot share one between processes), so a
leader that starts after the digest hour runs today's reminders at once; the outbox dedupe keys
make that safe however often it happens.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from scheduler import reminders
from scheduler.leader import instance_id, make_leader_lock
from scheduler.outbox import Pusher, SenderConfig, send_once
from scheduler.policies import Policies

log = logging.getLogger(__name__)

SEND_EVERY_SECONDS = 15
LEADER_TTL = dt.timedelta(seconds=30)
STANDBY_POLL_SECONDS = 5.0


@dataclass(frozen=True)
class Wiring:
    """What the entry point (bot/) hands the scheduler: the database and the way out to WeChat."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]
    sender: SenderConfig
    make_pusher: Callable[[], Pusher] | None = None  # None: WeChat is not configured


@dataclass
class Context:
    wiring: Wiring
    policies: Policies
    pusher: Pusher | None = None
    warned_unconfigured: bool = False


_context: Context | None = None


def _ctx() -> Context:
    if _context is None:
        raise RuntimeError("scheduler context not set up")
    return _context


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


# The jobs: module-level functions of `now`, so APScheduler can name and coalesce them.
def daily_reminders(now: dt.datetime | None = None) -> int:
    ctx = _ctx()
    return reminders.run(ctx.wiring.sessions, ctx.policies, _now(now), reminders.DAILY,
                         read_sessions=ctx.wiring.read_sessions)


def need_reminders(now: dt.datetime | None = None) -> int:
    ctx = _ctx()
    return reminders.run(ctx.wiring.sessions, ctx.policies, _now(now), reminders.NEEDS,
                         read_sessions=ctx.wiring.read_sessions)


def quarterly_report(now: dt.datetime | None = None) -> int:
    ctx = _ctx()
    return reminders.run(ctx.wiring.sessions, ctx.policies, _now(now), ("quarterly_report",),
                         read_sessions=ctx.wiring.read_sessions)


def send_outbox(now: dt.datetime | None = None) -> None:
    ctx = _ctx()
    wiring = ctx.wiring
    if wiring.make_pusher is None:
        if not ctx.warned_unconfigured:
            log.warning("WeChat is not configured (WECHAT_APP_ID): pushes stay in the outbox")
            ctx.warned_unconfigured = True
        return
    if ctx.pusher is None:
        ctx.pusher = wiring.make_pusher()
    send_once(wiring.sessions, ctx.pusher, wiring.sender)


def build_scheduler(policies: Policies, blocking: bool = True):
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(timezone=policies.schedule.clock.zone, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600,
    })
    hour = policies.schedule.digest_hour
    sched.add_job(daily_reminders, "cron", id="daily_reminders", hour=hour, minute=0)
    sched.add_job(quarterly_report, "cron", id="quarterly_report", hour=hour, minute=5)
    sched.add_job(need_reminders, "cron", id="need_reminders", minute=10)
    sched.add_job(send_outbox, "interval", id="send_outbox", seconds=SEND_EVERY_SECONDS,
                  misfire_grace_time=SEND_EVERY_SECONDS)
    return sched


def catch_up(policies: Policies, now: dt.datetime | None = None) -> None:
    """After downtime: today's daily jobs if their hour has passed, and the need check."""
    now = _now(now)
    if policies.schedule.clock.local(now).hour >= policies.schedule.digest_hour:
        daily_reminders(now)
        quarterly_report(now)
    need_reminders(now)


def run_forever(wiring: Wiring, policies: Policies, stop: threading.Event | None = None,
                ttl: dt.timedelta = LEADER_TTL, poll: float = STANDBY_POLL_SECONDS) -> None:
    """Wait for leadership, then run the jobs until leadership is lost or `stop` is set."""
    global _context
    _context = Context(wiring, policies)
    stop = stop or threading.Event()
    me = instance_id()
    lock = make_leader_lock(wiring.sessions, me, ttl)
    log.info("scheduler %s: standby, waiting for the leader lock", me)
    try:
        while not stop.is_set():
            if not _hold(lock):
                stop.wait(poll)
                continue
            log.info("scheduler %s: leader", me)
            _lead(lock, policies, stop, ttl)
            log.info("scheduler %s: no longer leader", me)
    finally:
        lock.release()


def _hold(lock) -> bool:
    try:
        return lock.hold()
    except Exception:  # the database is away: not leader now, try again later
        log.exception("leader lock check failed")
        return False


def _lead(lock, policies: Policies, stop: threading.Event, ttl: dt.timedelta) -> None:
    sched = build_scheduler(policies, blocking=False)
    # In the scheduler's threads, so this thread keeps renewing the lock while it runs.
    sched.add_job(catch_up, id="catch_up", args=[policies],
                  next_run_time=policies.schedule.clock.local())
    sched.start()
    try:
        while not stop.is_set():
            if stop.wait(ttl.total_seconds() / 3):
                break
            if not _hold(lock):
                break
    finally:
        sched.shutdown(wait=True)
