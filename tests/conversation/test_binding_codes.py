"""Binding codes cannot be guessed (issue #16, hole 1): long card codes, a per-openid limit that
locks even a right code, single-use official codes, and an alarm when guesses spike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from storage.bind_failures import ALARM_FAILURES, MAX_FAILURES
from storage.bindings import CARD_ALPHABET, CARD_CODE_LENGTH, grouped
from storage.models import AuditLog, HouseholdBinding, Official, OfficialBinding, OutboxMessage
from tests.conversation.conftest import Server


def _count(server: Server, model, *where) -> int:  # type: ignore[no-untyped-def]
    with server.runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_card_codes_are_long_and_accepted_in_groups_and_any_case(server, roster):
    code = roster.household_codes["张三"]
    assert len(code) == CARD_CODE_LENGTH and set(code) <= set(CARD_ALPHABET)
    assert len(CARD_ALPHABET) == 30 and not set("0O1IL8") & set(CARD_ALPHABET)
    for n, written in enumerate((grouped(code), grouped(code).lower().replace(" ", "-"))):
        reply = server.user(f"o_family{n}").send_text(f"绑定 {written}")
        assert "绑定成功" in reply.content, reply.content
    assert _count(server, HouseholdBinding) == 2


def test_five_wrong_codes_lock_the_openid_for_an_hour_even_for_a_right_one(server, roster):
    guesser = server.user("o_guesser")
    for i in range(MAX_FAILURES):
        reply = guesser.send_text(f"绑定 {100000 + i}")
        assert "无效" in reply.content or "暂停" in reply.content
    locked = guesser.send_text(f"绑定 {grouped(roster.household_codes['张三'])}")
    assert "暂停" in locked.content and "绑定成功" not in locked.content
    assert _count(server, HouseholdBinding) == 0
    # further tries are not counted either
    from storage.models import BindFailure

    before = _count(server, BindFailure)
    guesser.send_text("绑定 999999")
    assert _count(server, BindFailure) == before
    # another openid is not locked
    assert "绑定成功" in server.user("o_other").send_text(
        f"绑定 {roster.household_codes['张三']}").content


def test_official_codes_are_single_use_and_expire(server, roster):
    assert "绑定成功" in server.user("o_a").send_text(f"绑定 {roster.cadre_code}").content
    assert "无效" in server.user("o_b").send_text(f"绑定 {roster.cadre_code}").content
    from storage.bindings import new_official_code

    with server.runtime.sessions.begin() as s:
        old = new_official_code(s, s.get(Official, roster.cadre),
                                now=dt.datetime.now(dt.UTC).replace(tzinfo=None)
                                - dt.timedelta(hours=25)).code
    assert "无效" in server.user("o_c").send_text(f"绑定 {old}").content
    assert _count(server, OfficialBinding, OfficialBinding.openid == "o_c") == 0


def test_a_spike_of_wrong_codes_raises_the_alarm_once(server, roster):
    with server.runtime.sessions.begin() as s:
        s.add(Official(name="县残联值班", phone="13900001111", role="county",
                       region_id=None))
    for n in range(ALARM_FAILURES + 5):
        server.user(f"o_bot{n // 2}").send_text(f"绑定 {200000 + n}")
    assert _count(server, AuditLog, AuditLog.action == "binding.alarm") == 1
    assert _count(server, OutboxMessage, OutboxMessage.kind == "bind_alarm") == 1
