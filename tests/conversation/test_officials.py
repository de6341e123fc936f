"""Officials over real signed WeChat XML against a live loopback server."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from storage.models import AuditLog, ContactRecord, Need, OutboxMessage
from tests.conversation.conftest import Server

WEEKDAY = re.compile(r"\d+月\d+日（周[一二三四五六日]）")


def _records(server: Server) -> list[ContactRecord]:
    with server.runtime.sessions() as s:
        return list(s.scalars(select(ContactRecord).order_by(ContactRecord.id)))


def test_unbound_sender_is_told_how_to_bind(server):
    reply = server.user("o_stranger").send_text("张三 电话 正常")
    assert reply.status == 200
    assert "绑定" in reply.content
    assert _records(server) == []


def test_bad_and_reused_codes_are_refused(server, roster):
    assert "无效" in server.user("o_x").send_text("绑定 000000").content
    assert "绑定成功" in server.user("o_a").send_text(f"绑定 {roster.cadre_code}").content
    assert "无效" in server.user("o_b").send_text(f"绑定 {roster.cadre_code}").content


def test_contact_log_is_recorded_and_echoed(server, official, roster):
    reply = official.send_text("张三 电话 正常")
    assert "已记录" in reply.content and "张三" in reply.content
    assert "电话" in reply.content and "正常" in reply.content
    assert WEEKDAY.search(reply.content)
    assert "撤销" in reply.content
    [rec] = _records(server)
    assert (rec.person_id, rec.channel, rec.status, rec.official_id) == (
        roster.persons["张三"], "phone", "normal", roster.member,
    )


def test_yesterday_is_resolved_and_shown_with_weekday(server, official):
    reply = official.send_text("昨天 入户 李四 一切都好")
    [rec] = _records(server)
    assert rec.channel == "home_visit"
    assert f"{rec.contact_date.month}月{rec.contact_date.day}日" in reply.content


def test_retry_with_same_msgid_gives_same_reply_and_one_record(server, official):
    from bot.wechat.simulator import build_text_message

    xml = build_text_message("o_member", "王五 上门 正常", msg_id="900000000001")
    first = official.post(xml)
    second = official.post(xml)
    assert first.content == second.content
    assert len(_records(server)) == 1


def test_failed_attempt_is_logged_but_said_not_to_count(server, official):
    reply = official.send_text("给张三打电话 没人接")
    assert "未联系上" in reply.content
    [rec] = _records(server)
    assert rec.status == "unreachable"


def test_ambiguous_name_asks_back_and_number_completes(server, official, roster):
    reply = official.send_text("老张 入户 正常")
    assert "1." in reply.content and "2." in reply.content
    assert _records(server) == []
    options = reply.content
    pick = "2" if options.index("张三丰") > options.index("张三 ") else "1"
    done = official.send_text(pick)
    assert "已记录" in done.content and "张三丰" in done.content
    [rec] = _records(server)
    assert rec.person_id == roster.persons["张三丰"]


def test_person_outside_scope_cannot_be_logged(server, official):
    reply = official.send_text("钱七 电话 正常")
    assert "已记录" not in reply.content
    assert _records(server) == []


def test_same_day_duplicate_asks_first(server, official):
    official.send_text("李四 电话 正常")
    ask = official.send_text("李四 电话 正常")
    assert "重复" in ask.content
    assert "没有重复" in official.send_text("是").content
    assert len(_records(server)) == 1
    official.send_text("李四 电话 正常")
    assert "已记录" in official.send_text("否").content
    assert len(_records(server)) == 2


def test_undo_voids_own_last_record_and_is_audited(server, official):
    official.send_text("王五 入户 需要轮椅")
    reply = official.send_text("撤销")
    assert "已撤销" in reply.content
    [rec] = _records(server)
    assert rec.voided
    with server.runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == 0
        assert s.scalar(select(func.count()).where(AuditLog.action == "contact.void")) == 1
    assert "没有可撤销" in official.send_text("撤销").content


def test_needs_in_a_log_become_tickets_and_urgent_goes_to_township(server, official, roster):
    reply = official.send_text("刘德明 入户 摔倒住院了 急需护理")
    assert "诉求" in reply.content
    with server.runtime.sessions() as s:
        needs = s.scalars(select(Need)).all()
        assert needs and all(n.urgency == "urgent" for n in needs)
        assert all(n.owner_official_id == roster.member for n in needs)
        rows = s.scalars(select(OutboxMessage)).all()
        assert any(r.official_id == roster.township_staff and r.urgent for r in rows)


def test_resolve_closes_need_and_tells_household(server, official, roster):
    household = server.user("o_family")
    household.send_event("subscribe", f"qrscene_hh:{roster.household_codes['张三']}")
    household.send_text("家里的轮椅坏了，想换一个")
    reply = official.send_text("已解决 张三 轮椅")
    assert "已办结" in reply.content
    with server.runtime.sessions() as s:
        need = s.scalars(select(Need)).one()
        assert need.status == "resolved"
        assert s.scalar(
            select(func.count()).where(OutboxMessage.kind == "need_update", OutboxMessage.openid == "o_family")
        ) == 1


def test_person_query_masks_numbers(server, official):
    official.send_text("张三 电话 正常")
    reply = official.send_text("查询 张三")
    assert "张三" in reply.content and "最近联系" in reply.content
    assert "15812340000" not in reply.content


def test_stats_query(server, official):
    official.send_text("张三 入户 正常")
    reply = official.send_text("本月统计")
    assert "本月" in reply.content and "入户 1 次" in reply.content


def test_help(server, official):
    assert "用法" in official.send_text("帮助").content
    assert "用法" in official.send_text("访视记录怎么填").content


def test_voice_goes_through_the_same_pipeline(server, official):
    reply = official.send_voice("张三电话联系了一切正常")
    assert "已记录" in reply.content
    assert "没听清" in official.send_voice("").content


def test_media_get_a_useful_answer(server, official):
    from bot.wechat.simulator import DEV_ACCOUNT

    xml = (
        f"<xml><ToUserName><![CDATA[{DEV_ACCOUNT}]]></ToUserName><FromUserName><![CDATA[o_member]]></FromUserName>"
        "<CreateTime>1714036504</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        "<PicUrl><![CDATA[http://example.invalid/a.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"
        "<MsgId>900000000077</MsgId></xml>"
    )
    assert "图片" in official.post(xml).content


def test_future_dates_are_not_recorded(server, official):
    today = dt.date.today()
    if today.month == 12 and today.day == 31:
        return
    reply = official.send_text("张三 电话 正常")
    assert "已记录" in reply.content
