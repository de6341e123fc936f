"""The outbox sender: claim due rows, push them outside any transaction, mark each one.

A claim moves rows `pending` → `sending` (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the
same UPDATE … RETURNING inside BEGIN IMMEDIATE, which serialises claimers). The lease is
renewed just before each send; a row left in `sending` past it — its sender died — is claimed
again, and rows held by a sender process on this machine that no longer exists are released at
once. Errors: a person who unfollowed (43004) makes the row dead and the binding inactive; the
daily quota (45009) pauses every sender until the next local day (LIANXIN_TIMEZONE); transport errors
and anything else back off exponentially until `max_attempts`, then the row is dead (listed by
`lianxin outbox status`).

Repeats: a template message carries the row's dedupe key as WeChat's `client_msg_id`, so WeChat
drops a resend of it (a send that timed out after WeChat accepted it, a sender killed before it
marked the row) for about 10 minutes. Customer-service texts have no such id: a text whose
outcome is unknown (no answer, or its sender died with it in flight) is never sent as a text
again; its retries go as the template, which WeChat de-duplicates. So a push reaches a person at
most twice (the text and the template), and only when the first answer was lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, cast

from sqlalchemy import CursorResult, DateTime, bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler import render
from storage.clock import LocalClock, naive_utc
from storage.db import skip_locked
from storage.masking import mask_text
from storage.models import HouseholdBinding, OfficialBinding, OutboxMessage, SharedValue

log = logging.getLogger(__name__)

PAUSE_KEY = "outbox.paused_until"
WINDOW = dt.timedelta(hours=48)
# `last_error` of a row whose customer-service text may have reached WeChat: set just before the
# text is sent (a sender killed in the call leaves it), and after a send without an answer.
TEXT_IN_FLIGHT = "客服消息发送中"
TEXT_OUTCOME_UNKNOWN = "客服消息结果不明"
CLIENT_MSG_ID_MAX = 64


class Pusher(Protocol):
    def send_template(self, openid: str, template_id: str, data: dict[str, str],
                      url: str | None = None, client_msg_id: str | None = None) -> dict: ...

    def send_text(self, openid: str, content: str) -> dict: ...


@dataclass(frozen=True)
class SenderConfig:
    template_id: str | None
    # The signed link to an official's due list, put in template messages (made by bot/).
    due_link: Callable[[int], str] | None = None
    keywords: render.TemplateKeywords = field(default_factory=render.TemplateKeywords)
    quiet_start: int = 21
    quiet_end: int = 8
    clock: LocalClock = field(default_factory=LocalClock)
    max_attempts: int = 6
    backoff: dt.timedelta = dt.timedelta(minutes=1)
    max_backoff: dt.timedelta = dt.timedelta(hours=6)
    # Renewed before each send, so it only has to outlast one call (token fetch + send).
    lease: dt.timedelta = dt.timedelta(seconds=60)
    batch: int = 20
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    paused_until: dt.datetime | None = None


@dataclass(frozen=True)
class Claimed:
    id: int
    official_id: int | None
    openid: str | None  # set for pushes to a household/guardian (no official)
    payload: dict
    urgent: bool
    attempts: int
    dedupe_key: str = ""
    last_error: str | None = None

    @property
    def text_may_have_gone(self) -> bool:
        """A customer-service text of this row may already have reached the person."""
        return (self.last_error or "").startswith((TEXT_IN_FLIGHT, TEXT_OUTCOME_UNKNOWN))


def client_msg_id(dedupe_key: str) -> str:
    """WeChat's de-duplication id for a row: its dedupe key, or a digest of a long or non-ASCII one."""
    if dedupe_key.isascii() and 0 < len(dedupe_key) <= CLIENT_MSG_ID_MAX:
        return dedupe_key
    return "h:" + hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:40]


def _claim_sql(lock: str, quiet: bool) -> str:
    urgent_only = " AND urgent = :yes" if quiet else ""
    return f"""
        UPDATE outbox SET state = 'sending', claimed_by = :worker, claimed_at = :now
        WHERE id IN (
            SELECT id FROM outbox
            WHERE ((state = 'pending' AND next_attempt_at <= :now)
                   OR (state = 'sending' AND claimed_at < :lease_cutoff)){urgent_only}
            ORDER BY urgent DESC, id LIMIT :limit{lock})
        RETURNING id, official_id, openid, payload, urgent, attempts, dedupe_key, last_error"""


def release_dead_local_claims(sessions: sessionmaker[Session]) -> int:
    """Hand back rows claimed by a sender process on this machine that no longer exists.

    Without this a killed sender's rows wait out the lease; with it a restarted sender (or the
    next `lianxin outbox send`) takes them at once. Other machines' claims wait for the lease.
    """
    host = socket.gethostname()
    with sessions.begin() as s:
        holders = s.scalars(select(OutboxMessage.claimed_by).distinct()
                            .where(OutboxMessage.state == "sending")).all()
        dead = [h for h in holders if h and _is_dead_local(h, host)]
        if not dead:
            return 0
        result = cast(CursorResult, s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == "sending", OutboxMessage.claimed_by.in_(dead))
            .values(state="pending", claimed_by=None, claimed_at=None)))
        log.warning("outbox: released %s rows of dead senders %s", result.rowcount, dead)
        return result.rowcount or 0


def _is_dead_local(worker: str, host: str) -> bool:
    holder_host, _, pid = worker.rpartition(":")
    if holder_host != host or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim(sessions: sessionmaker[Session], config: SenderConfig, now: dt.datetime) -> list[Claimed]:
    utc = naive_utc(now)
    quiet = config.clock.in_quiet_hours(now, config.quiet_start, config.quiet_end)
    with sessions.begin() as s:
        sql = _claim_sql(skip_locked(s), quiet)
        typed = text(sql).bindparams(bindparam("now", type_=DateTime),
                                     bindparam("lease_cutoff", type_=DateTime))
        rows = s.execute(typed, {
            "worker": config.worker, "now": utc, "lease_cutoff": utc - config.lease,
            "limit": config.batch, "yes": True,
        }).all()
    return sorted(
        (Claimed(r.id, r.official_id, r.openid, _json(r.payload), bool(r.urgent), r.attempts,
                 r.dedupe_key, r.last_error)
         for r in rows),
        key=lambda c: c.id,
    )


def _json(value) -> dict:
    # PostgreSQL's driver decodes JSON; SQLite hands back the text.
    return value if isinstance(value, dict) else json.loads(value)


def paused_until(sessions: sessionmaker[Session], now: dt.datetime) -> dt.datetime | None:
    with sessions() as s:
        row = s.get(SharedValue, PAUSE_KEY)
        if row is not None and row.expires_at > naive_utc(now):
            return row.expires_at
    return None


def _pause(sessions: sessionmaker[Session], until: dt.datetime) -> None:
    with sessions.begin() as s:
        row = s.get(SharedValue, PAUSE_KEY)
        if row is None:
            s.add(SharedValue(name=PAUSE_KEY, value="45009", expires_at=until))
        else:
            row.expires_at, row.value = until, "45009"


def _binding(sessions: sessionmaker[Session], row: Claimed):
    """The active binding to push to: the official's, or the household openid's."""
    with sessions() as s:
        if row.official_id is not None:
            return s.scalars(
                select(OfficialBinding).where(OfficialBinding.official_id == row.official_id,
                                              OfficialBinding.active)
                .order_by(OfficialBinding.last_inbound_at.desc().nulls_last(),
                          OfficialBinding.id.desc())
            ).first()
        if row.openid:
            return s.scalars(
                select(HouseholdBinding).where(HouseholdBinding.openid == row.openid,
                                               HouseholdBinding.active)
                .order_by(HouseholdBinding.last_inbound_at.desc().nulls_last())
            ).first()
    return None


def _mark(sessions, row: Claimed, config: SenderConfig, **values) -> bool:
    """Update a row we still hold; False when the lease was lost to another sender."""
    with sessions.begin() as s:
        result = s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.state == "sending",
                   OutboxMessage.claimed_by == config.worker)
            .values(**values)
        )
        return bool(cast(CursorResult, result).rowcount)


def _as_text(row: Claimed, binding, now: dt.datetime) -> bool:
    """A customer-service text: inside the 48 h window, and no earlier text of this row may have
    gone out (then the template, which WeChat de-duplicates, carries it)."""
    return bool(binding.last_inbound_at and naive_utc(now) - binding.last_inbound_at < WINDOW
                and not row.text_may_have_gone)


def _deliver(pusher: Pusher, config: SenderConfig, row: Claimed, binding, now: dt.datetime):
    message = row.payload
    if _as_text(row, binding, now):
        try:
            return pusher.send_text(binding.openid, mask_text(render.full_text(message)))
        except Exception as exc:
            if not getattr(exc, "outside_window", False):
                if getattr(exc, "maybe_delivered", False):
                    raise TextOutcomeUnknown(exc) from exc
                raise
            log.info("outbox %s: outside the 48 h window; sending a template", row.id)
    if not config.template_id:
        raise MissingTemplate("未配置模板消息（WECHAT_TEMPLATE_ID），且不在48小时客服窗口内")
    # Masked before the values are cut to 20 characters, so no cut leaves a number half shown.
    masked_message = {**message, **{k: mask_text(message[k]) for k in ("text", "summary")
                                    if isinstance(message.get(k), str)}}
    data = render.template_data(masked_message, config.keywords, config.clock.today(now))
    url = (config.due_link(row.official_id)
           if config.due_link is not None and row.official_id is not None else None)
    return pusher.send_template(binding.openid, config.template_id, data, url,
                                client_msg_id=client_msg_id(row.dedupe_key or f"outbox:{row.id}"))


class MissingTemplate(Exception):
    pass


class TextOutcomeUnknown(Exception):
    """A customer-service text got no answer: WeChat may have delivered it."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"{TEXT_OUTCOME_UNKNOWN}: {type(cause).__name__}: {cause}")


def _backoff(config: SenderConfig, attempts: int) -> dt.timedelta:
    return min(config.backoff * (2 ** max(attempts - 1, 0)), config.max_backoff)


def send_once(sessions: sessionmaker[Session], pusher: Pusher, config: SenderConfig,
              now_fn=None) -> SendReport:
    """Drain the rows that are due now, batch by batch, until none is left or sending pauses."""
    now_fn = now_fn or (lambda: dt.datetime.now(dt.UTC))
    report = SendReport()
    release_dead_local_claims(sessions)
    while True:
        now = now_fn()
        pause = paused_until(sessions, now)
        if pause is not None:
            report.paused_until = pause
            return report
        batch = claim(sessions, config, now)
        if not batch:
            return report
        for i, row in enumerate(batch):
            if _send_row(sessions, pusher, config, row, now_fn(), report):
                _release(sessions, config, batch[i + 1 :], report.paused_until)
                return report


def _release(sessions, config: SenderConfig, rows: list[Claimed], until) -> None:
    for row in rows:
        _mark(sessions, row, config, state="pending", claimed_by=None, claimed_at=None,
              next_attempt_at=until)


def _send_row(sessions, pusher: Pusher, config: SenderConfig, row: Claimed,
              now: dt.datetime, report: SendReport) -> bool:
    """Send one claimed row and mark it. Returns True when sending must pause (45009)."""
    utc = naive_utc(now)
    if not row.urgent and config.clock.in_quiet_hours(now, config.quiet_start, config.quiet_end):
        _mark(sessions, row, config, state="pending", claimed_by=None, claimed_at=None,
              next_attempt_at=naive_utc(config.clock.quiet_hours_end(now, config.quiet_end)))
        return False
    binding = _binding(sessions, row)
    # The lease renewed just before the call; a text is marked in flight in the same statement,
    # so a sender killed inside the call leaves a row that is never sent as a text again.
    in_flight = {"last_error": TEXT_IN_FLIGHT} if binding is not None and _as_text(row, binding, now) else {}
    if not _mark(sessions, row, config, claimed_at=utc, **in_flight):
        return False  # the lease ran out and another sender has the row now
    if binding is None:
        who = "该工作人员" if row.official_id is not None else "该家属"
        _mark(sessions, row, config, state="dead", last_error=f"{who}未绑定微信（无有效绑定）")
        report.dead += 1
        return False
    try:
        _deliver(pusher, config, row, binding, now)
    except MissingTemplate as exc:
        _mark(sessions, row, config, state="dead", last_error=str(exc))
        report.dead += 1
        return False
    except Exception as exc:  # classified by the attributes of bot.wechat's errors
        return _failed(sessions, config, row, binding, exc, now, report)
    _mark(sessions, row, config, state="sent", sent_at=utc, attempts=row.attempts + 1,
          last_error=None)
    report.sent += 1
    return False


def _failed(sessions, config, row: Claimed, binding, exc: Exception, now, report) -> bool:
    errcode = getattr(exc, "errcode", None)
    error = str(exc) if isinstance(exc, TextOutcomeUnknown) else f"{type(exc).__name__}: {exc}"
    if row.text_may_have_gone and not isinstance(exc, TextOutcomeUnknown):
        error = f"{TEXT_OUTCOME_UNKNOWN}（此前）; {error}"  # so no retry sends the text again
    if getattr(exc, "not_following", False):
        with sessions.begin() as s:
            model = type(binding)  # OfficialBinding or HouseholdBinding
            s.execute(update(model).where(model.id == binding.id).values(active=False))
        _mark(sessions, row, config, state="dead", attempts=row.attempts + 1,
              last_error=f"43004 未关注公众号，绑定已停用: {error}")
        report.dead += 1
        return False
    if getattr(exc, "quota_exceeded", False):
        until = naive_utc(config.clock.next_midnight(now))
        _pause(sessions, until)
        _mark(sessions, row, config, state="pending", claimed_by=None, claimed_at=None,
              next_attempt_at=until, last_error=error)
        report.paused_until = until
        log.warning("WeChat daily quota reached (45009); sending paused until %s UTC", until)
        return True
    attempts = row.attempts + 1
    if attempts >= config.max_attempts:
        _mark(sessions, row, config, state="dead", attempts=attempts, last_error=error)
        report.dead += 1
        log.error("outbox %s dead after %s attempts: %s", row.id, attempts, error)
        return False
    retry_at = naive_utc(now) + _backoff(config, attempts)
    _mark(sessions, row, config, state="pending", attempts=attempts, claimed_by=None,
          claimed_at=None, next_attempt_at=retry_at, last_error=error)
    report.failed += 1
    log.warning("outbox %s failed (errcode %s), retry at %s: %s", row.id, errcode, retry_at, error)
    return False


def retry(sessions: sessionmaker[Session], ids: list[int] | None, now: dt.datetime) -> int:
    """Requeue dead rows (the given ids, or all dead rows when `ids` is None)."""
    with sessions.begin() as s:
        stmt = update(OutboxMessage).where(OutboxMessage.state == "dead")
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(ids))
        result = s.execute(stmt.values(state="pending", attempts=0, next_attempt_at=naive_utc(now),
                                       claimed_by=None, claimed_at=None))
        return cast(CursorResult, result).rowcount or 0
