"""Issue #15: every person, date and action of a contact message is recorded as meant or named back.
Real signed WeChat XML through the webhook; each test reads the ledger back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from storage.clock import LocalClock
from storage.models import Assignment, ContactRecord, Official, Person
from tests.conversation.conftest import Server


def _records(server: Server) -> list[ContactRecord]:
    with server.runtime.sessions() as s:
        return list(s.scalars(select(ContactRecord).order_by(ContactRecord.id)))


def test_unknown_name_in_a_list_is_named_back_and_the_others_recorded(server, official, roster):
    reply = official.send_text("今天上午入户看了李四、马小军和王五，都正常")
    recs = _records(server)
    assert sorted(r.person_id for r in recs) == sorted(
        [roster.persons["李四"], roster.persons["王五"]]
    )
    assert all(r.channel == "home_visit" and r.status == "normal" for r in recs)
    assert "马小军" in reply.content and "不在您的名单中" in reply.content


def test_channel_applies_to_every_person(server, official, roster):
    official.send_text("李四 王五 入户 正常")
    recs = _records(server)
    assert len(recs) == 2 and {r.channel for r in recs} == {"home_visit"}


def test_per_person_status_in_a_list(server, official, roster):
    official.send_text("李四（正常）、王五（没人在家）")
    by_person = {r.person_id: r.status for r in _records(server)}
    assert by_person == {roster.persons["李四"]: "normal", roster.persons["王五"]: "unreachable"}


def test_a_date_that_has_not_come_is_asked_not_recorded(server, official):
    ahead = LocalClock().today() + dt.timedelta(days=3)
    reply = official.send_text(f"{ahead.month}月{ahead.day}日 入户 李四 正常")
    assert "还没到" in reply.content and "写错" in reply.content
    assert _records(server) == []


def test_a_plan_is_not_a_contact(server, official):
    for text in ("明天去看李四", "下周打算去王五家走访", "等会儿给李四回个电话"):
        reply = official.send_text(text)
        assert "计划" in reply.content and "没有记录" in reply.content
    assert _records(server) == []


def test_a_name_with_another_surname_is_asked_back(server, official, roster):
    reply = official.send_text("孟秀英 入户 一切正常")  # only 胡秀英 on the roster
    assert "孟秀英" in reply.content and "胡秀英" in reply.content and "1." in reply.content
    assert _records(server) == []
    done = official.send_text("1")  # the official confirms: then it is recorded for 胡秀英
    assert "已记录" in done.content and "胡秀英" in done.content
    [rec] = _records(server)
    assert rec.person_id == roster.persons["胡秀英"]


def test_unknown_single_name_is_answered_about_that_name(server, official):
    reply = official.send_text("马小军 电话 正常")
    assert "马小军" in reply.content and "不在您的名单中" in reply.content
    assert _records(server) == []


def test_query_and_resolve_answer_about_the_name_written(server, official):
    reply = official.send_text("查询 马小军")
    assert "马小军" in reply.content and "不在您的名单中" in reply.content
    reply = official.send_text("已解决 马小军 轮椅")
    assert "马小军" in reply.content and "不在您的名单中" in reply.content
    assert _records(server) == []


def test_a_name_on_another_list_says_whose_village_only_within_scope(server, official, roster):
    # 钱七 is on 桥头村's list: outside the village member's scope, so the village is not named.
    reply = official.send_text("钱七 入户 正常")
    assert (
        "钱七" in reply.content
        and "不在您的名单中" in reply.content
        and "桥头村" not in reply.content
    )
    # 余小龙, in the member's own village but on a colleague's list: the village is named.
    with server.runtime.sessions.begin() as s:
        colleague = Official(
            name="吴建国",
            phone="13812340009",
            role="village_member",
            region_id=roster.village,
            rank="其他",
            active=True,
        )
        person = Person(
            name="余小龙",
            village_id=roster.village,
            disability_level=2,
            disability_category="肢体",
            active=True,
        )
        s.add_all([colleague, person])
        s.flush()
        s.add(
            Assignment(
                official_id=colleague.id,
                person_id=person.id,
                kind="jurisdiction",
                start_date=dt.date(2026, 1, 1),
            )
        )
    reply = official.send_text("余小龙 入户 正常")
    assert "不在您的名单中" in reply.content and "五里村" in reply.content
    assert _records(server) == []


def test_a_one_character_typo_of_one_roster_name_is_accepted_and_shown(server, official, roster):
    reply = official.send_text("刘德民 入户 正常")
    assert "已记录" in reply.content and "刘德明" in reply.content
    [rec] = _records(server)
    assert rec.person_id == roster.persons["刘德明"]


def test_a_plan_beside_a_contact_records_only_the_contact(server, official, roster):
    reply = official.send_text("今天入户看了李四，正常；明天再去王五家")
    [rec] = _records(server)
    assert rec.person_id == roster.persons["李四"] and rec.channel == "home_visit"
    assert "计划" in reply.content and "王五" in reply.content


def test_failed_attempt_in_dialect_does_not_count(server, official):
    reply = official.send_text("给王五打电话 打了两次都没得人接")
    [rec] = _records(server)
    assert rec.status == "unreachable" and rec.channel == "phone"
    assert "未联系上" in reply.content


def test_a_date_in_another_year_is_shown_with_its_year(server, official):
    today = LocalClock().today()
    reply = official.send_text(f"{today.year - 1}年3月2日 入户 李四 正常")
    [rec] = _records(server)
    assert rec.contact_date == dt.date(today.year - 1, 3, 2)
    assert f"{today.year - 1}年3月2日" in reply.content
