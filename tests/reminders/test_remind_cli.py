"""`lianxin remind`: the dry-run JSON, queueing once however often or concurrently it runs."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

from sqlalchemy import func, select

from storage.models import OutboxMessage


def _cli(env, *args, check=True):
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env,
                          capture_output=True, text=True, check=check)


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _seed(world):
    member = world.official("赵红梅", openid="o-member")
    cadre = world.official("周文", role="cadre", rank="科级")
    world.official("孙镇长", role="township", region=world.township)
    a, b, c = world.person("张三"), world.person("李四", hardship=True), world.person("王五")
    for p in (a, b, c):
        world.assign(member, p, start="2026-01-01")
    world.assign(cadre, a, kind="pairing", start="2026-01-01")
    world.contact(a, member, "2026-02-10")
    world.contact(b, member, "2026-03-02")
    world.contact(c, member, "2026-01-05", channel="phone")
    world.need(c, member, dt.datetime(2026, 3, 1, 2), urgency="urgent")
    return member, cadre


def test_dry_run_json_shape_and_nothing_written(runtime, world, cli_env):
    member, _ = _seed(world)
    out = _cli(cli_env, "remind", "--today", "2026-04-01", "--dry-run", "--json").stdout
    messages = _lines(out)
    digest = next(m for m in messages if m["kind"] == "digest"
                  and m["recipient"]["id"] == member)
    assert digest["recipient"]["name"] == "赵红梅"
    assert "*" in digest["recipient"]["phone"]
    assert digest["dedupe_key"] == f"digest:{member}:2026-04-01"
    people = [(p["name"], p["status"], p["rule"]) for p in digest["persons"]]
    # national preset: 李四 (hardship) missed March; 王五 was only phoned in Q1
    assert ("李四", "overdue", "特困每月入户") not in people  # visited 03-02: March met
    assert ("王五", "overdue", "每季度入户") in people
    assert all(p["status"] == "overdue" for p in digest["persons"][:1])
    # 最近联系 of any kind, and for a home-visit rule the last home visit too
    assert set(digest["persons"][0]) == {"name", "status", "rule", "last_contact", "last_visit"}
    kinds = {m["kind"] for m in messages}
    assert "need_escalation" in kinds  # urgent, untouched for a month
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_rerun_queues_nothing_twice(runtime, world, cli_env):
    _seed(world)
    first = _lines(_cli(cli_env, "remind", "--today", "2026-04-01", "--json").stdout)
    assert first
    again = _lines(_cli(cli_env, "remind", "--today", "2026-04-01", "--json").stdout)
    assert again == []
    assert _lines(_cli(cli_env, "remind", "--today", "2026-04-01", "--dry-run",
                       "--json").stdout) == []
    with runtime.sessions() as s:
        keys = s.scalars(select(OutboxMessage.dedupe_key)).all()
    assert sorted(keys) == sorted(m["dedupe_key"] for m in first)


def test_two_concurrent_runs_queue_each_message_once(runtime, world, cli_env):
    _seed(world)
    expected = _lines(_cli(cli_env, "remind", "--today", "2026-04-01", "--dry-run",
                           "--json").stdout)
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "remind", "--today",
                               "2026-04-01", "--json"], env=cli_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    with runtime.sessions() as s:
        keys = s.scalars(select(OutboxMessage.dedupe_key)).all()
    assert sorted(keys) == sorted(m["dedupe_key"] for m in expected)


def test_outbox_status_lists_dead_rows_and_retry_requeues(runtime, world, cli_env):
    o = world.official("赵红梅")
    with runtime.sessions.begin() as s:
        for key, state in (("digest:1:2026-04-01", "dead"), ("digest:1:2026-04-02", "sent")):
            s.add(OutboxMessage(dedupe_key=key, kind="digest", official_id=o, payload={},
                                state=state, attempts=6, last_error="该工作人员未绑定微信"))
    out = _cli(cli_env, "outbox", "status").stdout
    assert "dead\t1" in out and "sent\t1" in out and "未绑定" in out
    status = json.loads(_cli(cli_env, "outbox", "status", "--json").stdout)
    assert status["counts"] == {"dead": 1, "sent": 1}
    assert _cli(cli_env, "outbox", "retry", check=False).returncode != 0
    assert "1" in _cli(cli_env, "outbox", "retry", "--all-dead").stdout
    with runtime.sessions() as s:
        assert s.scalar(select(OutboxMessage.state).where(
            OutboxMessage.dedupe_key == "digest:1:2026-04-01")) == "pending"


def test_remind_then_outbox_send_delivers_each_message_once(runtime, world, cli_env):
    from tests.fake_wechat import FakeWeChat

    member = world.official("赵红梅", openid="o-member")
    p = world.person("张三")
    world.assign(member, p, start="2026-01-01")
    with FakeWeChat() as fake:
        env = dict(cli_env, WECHAT_API_BASE_URL=fake.base_url, WECHAT_APP_ID=fake.app_id,
                   WECHAT_APP_SECRET=fake.app_secret, WECHAT_TEMPLATE_ID="TPL")
        queued = _lines(_cli(env, "remind", "--today", "2026-04-01", "--json").stdout)
        assert [m["kind"] for m in queued] == ["digest"]
        for _ in range(2):
            _cli(env, "outbox", "send", "--now", "2026-04-01T10:00")
        assert [m["touser"] for m in fake.sent] == ["o-member"]
        assert fake.sent[0]["body"]["template_id"] == "TPL"


def test_a_run_for_a_future_day_can_be_sent_now(runtime, world, cli_env):
    member = world.official("赵红梅", openid="o-member")
    world.assign(member, world.person("张三"), start="2026-01-01")
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    _cli(cli_env, "remind", "--today", future, "--kind", "digest")
    with runtime.sessions() as s:
        (due,) = s.scalars(select(OutboxMessage.next_attempt_at)).all()
    assert due <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
