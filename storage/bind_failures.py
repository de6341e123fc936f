"""Wrong binding codes: a per-openid limit and an alarm when guesses spike across openids.

At most `MAX_FAILURES` wrong codes per openid in `WINDOW`; past that the openid is locked for
the rest of the window (no code is checked, not even a right one, and nothing more is counted).
Officials' codes are 6 digits: without the limit a sweep of 10,000 took one of them in seconds.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.models import AuditLog, BindFailure, Official
from storage.outbox import enqueue

MAX_FAILURES = 5
WINDOW = dt.timedelta(hours=1)
# More wrong codes than this from all openids within ALARM_WINDOW is someone guessing.
ALARM_FAILURES = 30
ALARM_WINDOW = dt.timedelta(minutes=10)


def failures(session: Session, openid: str, now: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(BindFailure).where(
        BindFailure.openid == openid, BindFailure.at > now - WINDOW)) or 0


def locked(session: Session, openid: str, now: dt.datetime) -> bool:
    return failures(session, openid, now) >= MAX_FAILURES


def record_failure(session: Session, openid: str, now: dt.datetime) -> None:
    """Count a wrong code; past the alarm threshold, tell the county staff (once an hour)."""
    session.add(BindFailure(openid=openid, at=now))
    session.flush()
    recent = session.scalar(select(func.count()).select_from(BindFailure).where(
        BindFailure.at > now - ALARM_WINDOW)) or 0
    if recent < ALARM_FAILURES:
        return
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    raised = session.scalar(select(AuditLog.id).where(
        AuditLog.action == "binding.alarm", AuditLog.at >= hour_start).limit(1))
    if raised is not None:
        return  # once an hour
    openids = session.scalar(select(func.count(func.distinct(BindFailure.openid))).where(
        BindFailure.at > now - ALARM_WINDOW)) or 0
    audit(session, "system", "binding.alarm", None, None, failures=recent, openids=openids)
    hour = hour_start.strftime("%Y%m%d%H")
    for official_id in session.scalars(select(Official.id).where(
            Official.role == "county", Official.active.is_(True))):
        enqueue(session, f"bind_alarm:{hour}:{official_id}", "bind_alarm", {
            "text": f"安全提醒：过去10分钟有{recent}次绑定码错误（{openids}个微信号），"
                    "可能有人在猜绑定码。已自动限制，请留意。",
            "title": "绑定码异常",
        }, official_id=official_id, urgent=True)
