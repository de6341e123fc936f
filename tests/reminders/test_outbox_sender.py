"""The outbox sender against a loopback WeChat fake: exactly once, and every error path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select

from bot.due_links import due_url
from bot.wechat.factory import make_client
from scheduler.outbox import PAUSE_KEY, SenderConfig, claim, retry, send_once
from scheduler.policies import Schedule
from scheduler.queue import queue
from storage.clock import LocalClock
from storage.models import OfficialBinding, OutboxMessage, SharedValue
from tests.fake_wechat import CUSTOM_PATH, TEMPLATE_PATH, FakeWeChat

SHANGHAI = LocalClock().zone

# 10:00 in Shanghai, outside quiet hours
NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def fake():
    with FakeWeChat() as f:
        yield f


def client_for(runtime, fake):
    """The real bot.wechat client, every call (token included) pointed at the fake."""
    settings = dataclasses.replace(
        runtime.settings, wechat_api_base_url=fake.base_url, wechat_app_id=fake.app_id,
        wechat_app_secret=fake.app_secret, wechat_http_timeout=2.0)
    return make_client(settings, runtime.sessions)


@pytest.fixture
def pusher(runtime, fake):
    return client_for(runtime, fake)


def config(**kw) -> SenderConfig:
    values = dict(template_id="TPL", due_link=lambda oid: due_url("https://lx.example", "s", oid, 0),
                  worker="w1", max_attempts=3)
    values.update(kw)
    return SenderConfig(**values)


def digest(official_id: int, key: str | None = None, urgent: bool = False) -> dict:
    return {
        "recipient": {"id": official_id, "name": "赵红梅", "phone": "138****0000"},
        "kind": "digest", "urgent": urgent,
        "persons": [{"name": "张三", "status": "overdue", "rule": "每季度入户",
                     "last_contact": None}],
        "needs": [], "dedupe_key": key or f"digest:{official_id}:2026-04-01",
    }


def put(runtime, *messages, now=NOW):
    with runtime.sessions.begin() as s:
        return queue(s, list(messages), now, Schedule())


def rows(runtime):
    with runtime.sessions() as s:
        return {r.dedupe_key: r for r in s.scalars(select(OutboxMessage))}


def test_template_text_and_unbound(runtime, world, fake, pusher):
    recent = NOW.astimezone(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=3)
    chatty = world.official("赵红梅", openid="o-chatty", last_inbound_at=recent)
    quiet = world.official("钱国栋", openid="o-quiet")
    unbound = world.official("孙丽")
    put(runtime, digest(chatty), digest(quiet), digest(unbound))
    report = send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert (report.sent, report.dead) == (2, 1)
    by_user = {m["touser"]: m for m in fake.sent}
    assert by_user["o-chatty"]["kind"] == "text"
    assert "张三" in by_user["o-chatty"]["body"]["text"]["content"]
    tpl = by_user["o-quiet"]["body"]
    assert tpl["template_id"] == "TPL"
    assert tpl["url"].startswith("https://lx.example/m/due/")
    assert all(len(v["value"]) <= 20 and "\n" not in v["value"] for v in tpl["data"].values())
    state = rows(runtime)
    assert state[f"digest:{unbound}:2026-04-01"].state == "dead"
    assert "未绑定" in state[f"digest:{unbound}:2026-04-01"].last_error
    # nothing left to send: a second drain sends nothing more
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert len(fake.sent) == 2


def test_due_list_url_is_signed_for_the_official(runtime, world, fake, pusher):
    from itsdangerous import URLSafeTimedSerializer

    o = world.official("钱国栋", openid="o-quiet")
    put(runtime, digest(o))
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    token = fake.sent[0]["body"]["url"].rsplit("/", 1)[1]
    assert URLSafeTimedSerializer("s", salt="due-list").loads(token) == {"official_id": o, "v": 0}


def test_outside_window_falls_back_to_template(runtime, world, fake, pusher):
    recent = NOW.astimezone(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)
    o = world.official("赵红梅", openid="o-1", last_inbound_at=recent)
    fake.fail_next(CUSTOM_PATH, 45015)
    put(runtime, digest(o))
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert [m["kind"] for m in fake.sent] == ["template"]
    assert rows(runtime)[f"digest:{o}:2026-04-01"].state == "sent"


def test_unfollowed_marks_binding_inactive_and_row_dead(runtime, world, fake, pusher):
    o = world.official("赵红梅", openid="o-gone")
    fake.not_following.add("o-gone")
    put(runtime, digest(o))
    report = send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert report.dead == 1 and fake.sent == []
    row = rows(runtime)[f"digest:{o}:2026-04-01"]
    assert row.state == "dead" and "43004" in row.last_error
    with runtime.sessions() as s:
        assert s.scalar(select(OfficialBinding.active).where(OfficialBinding.official_id == o)) is False


def test_daily_quota_pauses_until_next_day(runtime, world, fake, pusher):
    a, b = world.official("赵红梅", openid="o-a"), world.official("钱国栋", openid="o-b")
    put(runtime, digest(a), digest(b))
    fake.fail_next(TEMPLATE_PATH, 45009)
    report = send_once(runtime.sessions, pusher, config(), lambda: NOW)
    midnight = dt.datetime(2026, 4, 1, 16, 0)  # 2026-04-02 00:00 in Shanghai, as naive UTC
    assert report.paused_until == midnight and fake.sent == []
    assert {r.state for r in rows(runtime).values()} == {"pending"}
    with runtime.sessions() as s:
        assert s.get(SharedValue, PAUSE_KEY).expires_at == midnight
    later = NOW + dt.timedelta(hours=2)
    send_once(runtime.sessions, pusher, config(), lambda: later)
    assert fake.sent == []
    next_day = dt.datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI)
    send_once(runtime.sessions, pusher, config(), lambda: next_day)
    assert sorted(m["touser"] for m in fake.sent) == ["o-a", "o-b"]


def test_server_errors_back_off_then_dead_then_retry(runtime, world, fake, pusher):
    o = world.official("赵红梅", openid="o-1")
    put(runtime, digest(o))
    key = f"digest:{o}:2026-04-01"
    fake.http_error_next(TEMPLATE_PATH, 500, times=3)
    clock = [NOW]
    send_once(runtime.sessions, pusher, config(), lambda: clock[0])
    row = rows(runtime)[key]
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == dt.datetime(2026, 4, 1, 2, 1)  # +1 min
    send_once(runtime.sessions, pusher, config(), lambda: clock[0])  # not due yet
    assert rows(runtime)[key].attempts == 1
    clock[0] += dt.timedelta(minutes=1)
    send_once(runtime.sessions, pusher, config(), lambda: clock[0])
    assert rows(runtime)[key].next_attempt_at == dt.datetime(2026, 4, 1, 2, 3)  # +2 min
    clock[0] += dt.timedelta(minutes=2)
    send_once(runtime.sessions, pusher, config(), lambda: clock[0])
    assert rows(runtime)[key].state == "dead" and fake.sent == []
    assert retry(runtime.sessions, None, clock[0]) == 1
    send_once(runtime.sessions, pusher, config(), lambda: clock[0])
    assert rows(runtime)[key].state == "sent" and len(fake.sent) == 1


def test_quiet_hours_hold_non_urgent(runtime, world, fake, pusher):
    o = world.official("赵红梅", openid="o-1")
    night = dt.datetime(2026, 4, 1, 22, 30, tzinfo=SHANGHAI)
    put(runtime, digest(o), digest(o, key="need_escalation:1:1", urgent=True), now=night)
    assert rows(runtime)[f"digest:{o}:2026-04-01"].next_attempt_at == dt.datetime(2026, 4, 2, 0, 0)
    send_once(runtime.sessions, pusher, config(), lambda: night)
    assert len(fake.sent) == 1 and rows(runtime)["need_escalation:1:1"].state == "sent"
    morning = dt.datetime(2026, 4, 2, 8, 0, tzinfo=SHANGHAI)
    send_once(runtime.sessions, pusher, config(), lambda: morning)
    assert len(fake.sent) == 2


def test_lease_expired_claim_is_taken_over(runtime, world, fake, pusher):
    o = world.official("赵红梅", openid="o-1")
    put(runtime, digest(o))
    assert len(claim(runtime.sessions, config(worker="crashed"), NOW)) == 1
    # while the lease holds, nobody else sends it
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert fake.sent == []
    later = NOW + dt.timedelta(minutes=6)
    send_once(runtime.sessions, pusher, config(), lambda: later)
    assert len(fake.sent) == 1
    row = rows(runtime)[f"digest:{o}:2026-04-01"]
    assert (row.state, row.claimed_by) == ("sent", "w1")


CLAIM_AND_HANG = """
import datetime as dt, sys, time
from bot.runtime import Runtime
from bot.settings import load_settings
from scheduler.outbox import SenderConfig, claim
rt = Runtime(load_settings(env={}, database_url=sys.argv[1]))
now = dt.datetime.fromisoformat(sys.argv[2])
extra = {"worker": sys.argv[3]} if len(sys.argv) > 3 else {}
got = claim(rt.sessions, SenderConfig(None, **extra), now)
print(len(got), flush=True)
time.sleep(600)
"""


def test_sender_killed_between_claim_and_mark(runtime, world, fake, database_url, pusher):
    officials = [world.official(f"干部{i}", openid=f"o-{i}") for i in range(5)]
    put(runtime, *(digest(o) for o in officials))
    proc = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, database_url, NOW.isoformat(),
                             "other-host:1"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "5"
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    assert {r.state for r in rows(runtime).values()} == {"sending"}
    later = NOW + dt.timedelta(minutes=6)
    send_once(runtime.sessions, pusher, config(), lambda: later)
    send_once(runtime.sessions, pusher, config(), lambda: later)
    assert sorted(m["touser"] for m in fake.sent) == sorted(f"o-{i}" for i in range(5))


def test_two_senders_send_each_row_once(runtime, world, fake, pusher):
    officials = [world.official(f"干部{i}", openid=f"o-{i}") for i in range(30)]
    put(runtime, *(digest(o) for o in officials))
    errors = []

    def drain(worker):
        try:
            send_once(runtime.sessions, client_for(runtime, fake),
                      config(worker=worker, batch=3), lambda: NOW)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(m["touser"] for m in fake.sent) == sorted(f"o-{i}" for i in range(30))
    assert {r.state for r in rows(runtime).values()} == {"sent"}



def test_expired_token_is_refreshed_and_the_message_sent_once(runtime, world, fake, pusher):
    a, b = world.official("赵红梅", openid="o-a"), world.official("钱国栋", openid="o-b")
    put(runtime, digest(a))
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    fake.expire_tokens()
    put(runtime, digest(b))
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert [m["touser"] for m in fake.sent] == ["o-a", "o-b"]
    assert fake.token_issues == 2


def test_killed_local_sender_is_recovered_without_waiting_for_the_lease(
    runtime, world, fake, database_url, pusher
):
    officials = [world.official(f"干部{i}", openid=f"o-{i}") for i in range(3)]
    put(runtime, *(digest(o) for o in officials))
    proc = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, database_url, NOW.isoformat()],
                            stdout=subprocess.PIPE, text=True)  # default worker: host:pid
    try:
        assert proc.stdout.readline().strip() == "3"
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    send_once(runtime.sessions, pusher, config(), lambda: NOW)  # same moment: lease not over
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    assert sorted(m["touser"] for m in fake.sent) == ["o-0", "o-1", "o-2"]
