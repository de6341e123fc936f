"""From a chat message to WeChat: needs queued by the conversation reach the right people once."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

from bot.wechat.factory import make_client
from scheduler.outbox import SenderConfig, send_once
from storage.clock import LocalClock
from storage.models import OutboxMessage
from tests.fake_wechat import FakeWeChat

SHANGHAI = LocalClock().zone


def _pusher(runtime, fake):  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(
        runtime.settings, wechat_api_base_url=fake.base_url, wechat_app_id=fake.app_id,
        wechat_app_secret=fake.app_secret, wechat_http_timeout=2.0,
    )
    return make_client(settings, runtime.sessions)


def _daytime() -> dt.datetime:
    """Now, or the next 10:00 in Shanghai when now is in the quiet hours (never a past time:
    the rows just queued must be due)."""
    now = dt.datetime.now(SHANGHAI)
    if now.hour >= 21:
        return (now + dt.timedelta(days=1)).replace(hour=10)
    return now.replace(hour=10) if now.hour < 8 else now


def test_household_need_and_its_resolution_reach_official_and_household(server, official, roster):
    family = server.user("o_family")
    family.send_text(f"绑定 {roster.household_codes['张三']}")
    family.send_text("轮椅坏了，想换个新的")
    official.send_text("已解决 张三 轮椅")
    runtime = server.runtime
    config = SenderConfig(template_id="TPL", worker="t")
    with FakeWeChat() as fake:
        pusher = _pusher(runtime, fake)
        first = send_once(runtime.sessions, pusher, config, _daytime)
        again = send_once(runtime.sessions, pusher, config, _daytime)
        texts = {m["touser"]: m for m in fake.sent}
    assert again.sent == 0
    # The member wrote within 48 h (customer-service text); the household too.
    assert "o_member" in texts and "轮椅" in str(texts["o_member"])
    assert "o_family" in texts and "办结" in str(texts["o_family"])
    with runtime.sessions() as s:
        states = {(r.kind, r.official_id, r.openid): r.state for r in s.scalars(select(OutboxMessage))}
    assert states[("need_new", roster.member, None)] == "sent"
    # The paired cadre never bound WeChat: the row is dead with a reason, not retried forever.
    assert states[("need_new", roster.cadre, None)] == "dead"
    assert states[("need_update", None, "o_family")] == "sent"
    assert first.sent == 2 and len(fake.sent) == 2
