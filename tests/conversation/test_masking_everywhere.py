"""A person's phone and ID numbers, however written, never leave in full: not in the chat reply,
not in the pushes, not on the dashboard (without full view rights), not in a log line."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from bot.admin.accounts import create_admin
from scheduler.outbox import SenderConfig, send_once
from storage.models import Need, Region
from tests.conversation.test_pushes import _daytime, _pusher
from tests.fake_wechat import FakeWeChat

PASSWORD = "correct-horse-9"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
WRITTEN = "轮椅坏了，想换个新的，电话１３９－８７６５－４３２１，身份证430626 19651127 751x"
SECRETS = ["13987654321", "19651127"]


def leaks(text: str) -> list[str]:
    folded = re.sub(r"[\s\-－.]", "", text).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return [s for s in SECRETS if s in folded]


def test_numbers_masked_in_reply_push_page_and_logs(server, official, roster, caplog):
    caplog.set_level(logging.DEBUG)
    family = server.user("o_family")
    family.send_text(f"绑定 {roster.household_codes['张三']}")
    ack = family.send_text(WRITTEN)
    assert "已收到" in ack.content and leaks(ack.content) == []
    logged = official.send_text(f"今天电话联系了张三，他说{WRITTEN}")
    assert leaks(logged.content) == []
    progress = family.send_text("进度")
    assert leaks(progress.content) == []

    runtime = server.runtime
    with runtime.sessions() as s:  # stored as written: the record is the county's
        assert s.scalars(select(Need.text)).first() == WRITTEN
    with FakeWeChat() as fake:
        send_once(runtime.sessions, _pusher(runtime, fake), SenderConfig(template_id="TPL", worker="t"),
                  _daytime)
        pushed = [str(m) for m in fake.sent]
    assert any("轮椅" in m for m in pushed) and all(leaks(m) == [] for m in pushed)
    assert any("139****4321" in m for m in pushed)

    with runtime.sessions.begin() as s:
        create_admin(s, "anding", PASSWORD, s.get(Region, roster.township))
        need_id = s.scalars(select(Need.id)).first()
    client = server.app.test_client()
    token = CSRF_RE.search(client.get("/admin/login").get_data(as_text=True)).group(1)
    assert client.post("/admin/login", data={"username": "anding", "password": PASSWORD,
                                             "csrf_token": token}).status_code == 302
    for url in ["/admin/needs", f"/admin/needs/{need_id}", f"/admin/persons/{roster.persons['张三']}"]:
        page = client.get(url)
        assert page.status_code == 200, url
        assert leaks(page.get_data(as_text=True)) == [], url
    assert "139****4321" in client.get(f"/admin/needs/{need_id}").get_data(as_text=True)

    assert caplog.records and leaks(caplog.text) == []
