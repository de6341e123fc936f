"""No push reaches a person twice because an answer was lost: template messages carry the row's
dedupe key as WeChat's client_msg_id (the fake drops repeats as WeChat does); a customer-service
text whose outcome is unknown is never sent as a text again; one forced token refresh serves
every call WeChat rejected with 40001 in a batch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
import sys
import time

import pytest

from bot.wechat.factory import make_client
from scheduler.outbox import TEXT_OUTCOME_UNKNOWN, send_once
from tests.fake_wechat import CUSTOM_PATH, TEMPLATE_PATH, FakeWeChat
from tests.reminders.test_outbox_sender import NOW, config, digest, put, rows


@pytest.fixture
def fake():
    with FakeWeChat() as f:
        yield f


def impatient(runtime, fake, timeout=0.3):
    """The real client, pointed at the fake, giving up on an answer after `timeout` seconds."""
    settings = dataclasses.replace(
        runtime.settings, wechat_api_base_url=fake.base_url, wechat_app_id=fake.app_id,
        wechat_app_secret=fake.app_secret, wechat_http_timeout=timeout)
    return make_client(settings, runtime.sessions)


def recent() -> dt.datetime:
    return NOW.astimezone(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=1)


def at(minutes: int):
    moment = NOW + dt.timedelta(minutes=minutes)
    return lambda: moment


def test_template_accepted_then_timed_out_is_delivered_once(runtime, world, fake):
    o = world.official("钱国栋", openid="o-quiet")  # no recent message: a template
    put(runtime, digest(o))
    fake.accept_then_stall_next(TEMPLATE_PATH, 1.5, times=2)
    pusher = impatient(runtime, fake)
    for minute in (0, 2, 6):
        send_once(runtime.sessions, pusher, config(max_attempts=6), at(minute))
    assert fake.deliveries("o-quiet") == 1
    assert len(fake.dropped) == 2
    assert fake.sent[0]["client_msg_id"] == f"digest:{o}:2026-04-01"
    assert rows(runtime)[f"digest:{o}:2026-04-01"].state == "sent"


def test_text_accepted_then_timed_out_is_never_sent_as_text_again(runtime, world, fake):
    o = world.official("赵红梅", openid="o-chatty", last_inbound_at=recent())
    put(runtime, digest(o))
    fake.accept_then_stall_next(CUSTOM_PATH, 1.5, times=3)
    fake.accept_then_stall_next(TEMPLATE_PATH, 1.5, times=2)
    pusher = impatient(runtime, fake)
    send_once(runtime.sessions, pusher, config(max_attempts=6), at(0))
    row = rows(runtime)[f"digest:{o}:2026-04-01"]
    assert row.state == "pending" and row.last_error.startswith(TEXT_OUTCOME_UNKNOWN)
    for minute in (2, 6, 14):
        send_once(runtime.sessions, pusher, config(max_attempts=6), at(minute))
    kinds = [m["kind"] for m in fake.sent]
    assert kinds == ["text", "template"]  # at most twice, and only because an answer was lost
    assert rows(runtime)[f"digest:{o}:2026-04-01"].state == "sent"


def test_text_refused_before_sending_is_still_sent_as_text(runtime, world, fake):
    o = world.official("赵红梅", openid="o-chatty", last_inbound_at=recent())
    put(runtime, digest(o))
    pusher = impatient(runtime, fake, 2.0)
    pusher.access_token()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    nobody = make_client(dataclasses.replace(
        runtime.settings, wechat_api_base_url=f"http://127.0.0.1:{closed}",
        wechat_app_id=fake.app_id, wechat_app_secret=fake.app_secret), runtime.sessions)
    send_once(runtime.sessions, nobody, config(max_attempts=6), at(0))  # connection refused
    fake.fail_next(CUSTOM_PATH, 45011)  # a definite answer: nothing was delivered
    send_once(runtime.sessions, pusher, config(max_attempts=6), at(2))
    send_once(runtime.sessions, pusher, config(max_attempts=6), at(6))
    assert [m["kind"] for m in fake.sent] == ["text"]
    assert rows(runtime)[f"digest:{o}:2026-04-01"].state == "sent"


SEND_AND_DIE = """
import dataclasses, datetime as dt, sys
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.wechat.factory import make_client
from scheduler.outbox import SenderConfig, send_once
rt = Runtime(load_settings(env={}, database_url=sys.argv[1]))
settings = dataclasses.replace(rt.settings, wechat_api_base_url=sys.argv[2],
    wechat_app_id=sys.argv[3], wechat_app_secret=sys.argv[4], wechat_http_timeout=120.0)
now = dt.datetime.fromisoformat(sys.argv[5])
send_once(rt.sessions, make_client(settings, rt.sessions), SenderConfig("TPL", batch=1), lambda: now)
"""


def _killed_mid_send(runtime, fake, database_url) -> None:
    """A sender process that WeChat has accepted a message from is killed before it hears back."""
    proc = subprocess.Popen([sys.executable, "-c", SEND_AND_DIE, database_url, fake.base_url,
                             fake.app_id, fake.app_secret, NOW.isoformat()])
    try:
        deadline = time.monotonic() + 60
        while fake.deliveries() == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.deliveries() == 1
    finally:
        proc.kill()
        proc.wait()


def test_sender_killed_after_template_accepted_delivers_once(runtime, world, fake, database_url):
    o = world.official("钱国栋", openid="o-quiet")
    put(runtime, digest(o))
    fake.accept_then_stall_next(TEMPLATE_PATH, 60.0)
    _killed_mid_send(runtime, fake, database_url)
    send_once(runtime.sessions, impatient(runtime, fake, 2.0), config(), lambda: NOW)
    assert fake.deliveries("o-quiet") == 1 and len(fake.dropped) == 1
    assert rows(runtime)[f"digest:{o}:2026-04-01"].state == "sent"


def test_sender_killed_after_text_accepted_never_resends_the_text(runtime, world, fake, database_url):
    o = world.official("赵红梅", openid="o-chatty", last_inbound_at=recent())
    put(runtime, digest(o))
    fake.accept_then_stall_next(CUSTOM_PATH, 60.0)
    _killed_mid_send(runtime, fake, database_url)
    pusher = impatient(runtime, fake, 2.0)
    send_once(runtime.sessions, pusher, config(), lambda: NOW)
    send_once(runtime.sessions, pusher, config(), at(5))
    assert [m["kind"] for m in fake.sent] == ["text", "template"]
    assert rows(runtime)[f"digest:{o}:2026-04-01"].state == "sent"


def test_one_token_refresh_serves_every_row_rejected_in_a_batch(runtime, world, fake):
    officials = [world.official(f"干部{i}", openid=f"o-{i}") for i in range(6)]
    put(runtime, *(digest(o) for o in officials))
    pusher = impatient(runtime, fake, 2.0)
    pusher.access_token()
    assert fake.token_issues == 1
    fake.fail_next(TEMPLATE_PATH, 40001, times=4)  # WeChat keeps rejecting for a moment
    send_once(runtime.sessions, pusher, config(max_attempts=6), at(0))
    assert fake.token_issues == 2  # one forced refresh, not one per rejected row
    send_once(runtime.sessions, pusher, config(max_attempts=6), at(2))
    assert fake.token_issues == 2
    assert sorted(m["touser"] for m in fake.sent) == sorted(f"o-{i}" for i in range(6))
    assert {r.state for r in rows(runtime).values()} == {"sent"}

    fake.expire_tokens()  # every token dies: the first row refreshes, the rest use it
    put(runtime, *(digest(o, key=f"again:{o}") for o in officials))
    send_once(runtime.sessions, pusher, config(max_attempts=6), at(3))
    assert fake.token_issues == 3 and len(fake.sent) == 12
