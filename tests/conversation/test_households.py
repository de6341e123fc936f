"""Households and guardians: binding by QR or code, needs, progress, never anyone else's data."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ContactRecord, HouseholdBinding, Need, OutboxMessage


def test_qr_subscribe_binds_and_need_is_routed(server, roster):
    family = server.user("o_family")
    welcome = family.send_event("subscribe", f"qrscene_hh:{roster.household_codes['张三']}")
    assert "张三" in welcome.content and "绑定成功" in welcome.content
    ack = family.send_text("我爸的轮椅坏了，能不能帮忙换一个")
    assert "已收到" in ack.content and "辅具" in ack.content
    with server.runtime.sessions() as s:
        need = s.scalars(select(Need)).one()
        assert (need.person_id, need.category, need.source) == (roster.persons["张三"], "assistive_device", "household")
        assert need.owner_official_id == roster.member
        targets = {r.official_id for r in s.scalars(select(OutboxMessage))}
        assert {roster.member, roster.cadre} <= targets
        assert s.scalars(select(ContactRecord)).all() == []


def test_scan_and_code_bind_several_persons(server, roster):
    family = server.user("o_guardian")
    assert "绑定成功" in family.send_event("SCAN", f"hh:{roster.household_codes['张三']}").content
    assert "绑定成功" in family.send_text(f"绑定 {roster.household_codes['李四']}").content
    ask = family.send_text("家里房子漏雨了")
    assert "1." in ask.content and "2." in ask.content
    done = family.send_text("2")
    assert "已收到" in done.content
    with server.runtime.sessions() as s:
        assert s.scalars(select(Need.category)).all() == ["housing"]


def test_urgent_need_goes_to_township_at_once(server, roster):
    family = server.user("o_family")
    family.send_text(f"绑定 {roster.household_codes['李四']}")
    ack = family.send_text("我妈摔倒了快来人")
    assert "紧急" in ack.content and "120" in ack.content
    with server.runtime.sessions() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.official_id == roster.township_staff)).all()
        assert rows and all(r.urgent for r in rows)


def test_progress_shows_only_own_needs(server, roster):
    a = server.user("o_a")
    a.send_text(f"绑定 {roster.household_codes['张三']}")
    a.send_text("想申请护理补贴")
    b = server.user("o_b")
    b.send_text(f"绑定 {roster.household_codes['李四']}")
    b.send_text("孩子上学有困难")
    progress = a.send_text("进度")
    assert "补贴" in progress.content and "李四" not in progress.content and "上学" not in progress.content


def test_household_cannot_log_contacts_or_query_others(server, roster):
    a = server.user("o_a")
    a.send_text(f"绑定 {roster.household_codes['张三']}")
    a.send_text("李四 电话 正常")
    reply = a.send_text("查询 李四")
    assert "李四" not in reply.content or "诉求" in reply.content
    with server.runtime.sessions() as s:
        assert s.scalars(select(ContactRecord)).all() == []


def test_unsubscribe_deactivates_binding(server, roster):
    a = server.user("o_a")
    a.send_text(f"绑定 {roster.household_codes['张三']}")
    assert a.send_event("unsubscribe").empty
    with server.runtime.sessions() as s:
        assert not s.scalars(select(HouseholdBinding)).one().active
    assert "绑定" in a.send_text("你好").content
