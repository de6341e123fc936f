"""Issue 15's conversation rows, through the real webhook; the ledger is read back by `lianxin export`."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import Need, Official, OutboxMessage
from tests.conversation.conftest import Server


def export(cli_env: dict[str, str], kind: str, *args: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", kind, "--format", "json", *args],
        env=cli_env, capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_undo_voids_every_record_of_a_message_that_logged_several(server: Server, official, cli_env):
    logged = official.send_text("今天入户看了张三、李四和王五，都正常")
    assert "共记录 3 条" in logged.content, logged.content
    official.send_text("刘德明 电话 正常")  # an earlier message stays
    assert {r["person"] for r in export(cli_env, "contacts")} == {"张三", "李四", "王五", "刘德明"}

    undone = official.send_text("撤销")
    assert "刘德明" in undone.content and "张三" not in undone.content
    undone = official.send_text("撤销")
    assert "3 条" in undone.content, undone.content
    for name in ("张三", "李四", "王五"):
        assert name in undone.content
    assert export(cli_env, "contacts") == []
    voided = export(cli_env, "contacts", "--include-voided")
    assert sorted(r["person"] for r in voided if r["voided"]) == ["刘德明", "张三", "李四", "王五"]


def _today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def test_stats_for_last_month_quarter_and_year(server: Server, official, cli_env):
    today = _today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    assert "已记录" in official.send_text(f"{last_month.month}月15日 入户 张三 正常").content
    assert "已记录" in official.send_text("李四 电话 正常").content
    assert "已记录" in official.send_text("王五 电话 正常").content
    dates = sorted(r["date"] for r in export(cli_env, "contacts"))
    assert dates == [last_month.isoformat(), today.isoformat(), today.isoformat()]

    reply = official.send_text("上个月统计").content
    assert reply.startswith(f"上月（{last_month.month}月1日") or reply.startswith(f"上月（{last_month.year}年")
    assert "记录 1 次" in reply and "入户 1 次" in reply, reply
    reply = official.send_text("本月统计").content
    assert reply.startswith("本月") and "记录 2 次" in reply and "入户 0 次" in reply, reply
    reply = official.send_text("去年统计").content
    assert reply.startswith(f"去年（{today.year - 1}年1月1日") and "记录 0 次" in reply, reply
    in_quarter = 2 if last_month >= dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) else 1
    reply = official.send_text("本季度统计").content
    assert reply.startswith("本季度") and f"记录 {in_quarter + 1} 次" in reply, reply
    reply = official.send_text("上季度统计").content
    assert reply.startswith("上季度") and f"记录 {2 - in_quarter} 次" in reply, reply


def _household(server: Server, roster, openid: str, name: str = "张三"):  # type: ignore[no-untyped-def]
    family = server.user(openid)
    assert "绑定成功" in family.send_text(f"绑定 {roster.household_codes[name]}").content
    return family


def _pushed_to(server: Server) -> list[int | None]:
    with server.runtime.sessions() as s:
        return list(s.scalars(select(OutboxMessage.official_id).order_by(OutboxMessage.id)))


def test_household_complaint_about_an_official_goes_to_the_township(server: Server, roster, cli_env):
    family = _household(server, roster, "o_family")
    ack = family.send_text("我们村的赵红梅从来不来看我们，打电话也不接，太不负责了").content
    assert "投诉" in ack and "安定镇残联（周海涛）" in ack and "不会只交给被反映的工作人员" in ack, ack
    [row] = export(cli_env, "needs")
    assert (row["person"], row["category"], row["owner"], row["status"]) == ("张三", "complaint", "周海涛", "open")
    assert "赵红梅" in row["text"]
    assert _pushed_to(server) == [roster.township_staff]  # never to 赵红梅 (nor her pairing cadre)
    assert "投诉" in family.send_text("进度").content


def test_complaint_about_the_township_staff_goes_to_the_county(server: Server, roster, cli_env):
    with server.runtime.sessions.begin() as s:
        county = Official(name="吴建国", phone="13612340009", role="county", region_id=roster.county,
                          unit="平江县残联", active=True)
        s.add(county)
        s.flush()
        county_id = county.id
    family = _household(server, roster, "o_family", "李四")
    ack = family.send_text("镇上的周海涛态度很差，反映的事情一直推脱").content
    assert "平江县残联（吴建国）" in ack, ack
    [row] = export(cli_env, "needs")
    assert (row["category"], row["owner"]) == ("complaint", "吴建国")
    assert _pushed_to(server) == [county_id]


def test_official_small_talk_gets_a_friendly_answer(server: Server, official, cli_env):
    for text, expected in [("你好", "赵红梅您好"), ("您好！", "赵红梅您好"), ("谢谢", "不客气"), ("谢谢啦", "不客气"),
                           ("好的", "好的"), ("收到", "好的")]:
        reply = official.send_text(text).content
        assert expected in reply and "没看懂" not in reply, (text, reply)
    assert "没看懂" in official.send_text("今天天气不错").content
    assert export(cli_env, "contacts") == [] and export(cli_env, "needs") == []


def test_resolve_with_a_numbered_choice_closes_the_chosen_need(server: Server, official, roster, cli_env):
    family = _household(server, roster, "o_family")
    family.send_text("轮椅坏了，想换一个")
    family.send_text("想申请护理补贴")
    needs = {r["category"]: r for r in export(cli_env, "needs")}
    assert set(needs) == {"assistive_device", "subsidy"}

    ask = official.send_text("已解决 张三").content
    assert "1." in ask and "2." in ask, ask
    first = "assistive_device" if ask.index("辅具") < ask.index("补贴") else "subsidy"
    done = official.send_text("1").content
    assert "已办结" in done and "没看懂" not in done, done
    status = {r["category"]: r["status"] for r in export(cli_env, "needs")}
    assert status[first] == "resolved" and list(status.values()).count("open") == 1

    # A name that fits two persons: first the person, then (one need left) it is closed.
    with server.runtime.sessions.begin() as s:
        s.add(Need(person_id=roster.persons["张三丰"], category="housing", text="房子漏雨", urgency="normal",
                   status="open", owner_official_id=roster.member, source="official"))
    ask = official.send_text("已解决 老张").content
    assert "1." in ask and "张三丰" in ask, ask
    pick = "1" if ask.index("张三丰") < ask.index("张三 ") else "2"
    done = official.send_text(pick).content
    assert "已办结：张三丰的住房诉求" in done, done
    rows = export(cli_env, "needs")
    assert [r["status"] for r in rows if r["person"] == "张三丰"] == ["resolved"]


def test_household_withdraws_its_last_need_within_30_minutes(server: Server, roster, cli_env):
    family = _household(server, roster, "o_family")
    assert "已收到" in family.send_text("轮椅坏了，想换一个").content
    with server.runtime.sessions.begin() as s:  # the cadre's push has gone out already
        sent = s.scalars(select(OutboxMessage).where(OutboxMessage.official_id == roster.cadre)).one()
        sent.state = "sent"
    reply = family.send_text("撤销").content
    assert "已撤回" in reply and "辅具" in reply, reply
    [row] = export(cli_env, "needs")
    assert (row["category"], row["status"]) == ("assistive_device", "withdrawn")
    with server.runtime.sessions() as s:
        pushes = {(o.official_id, o.kind) for o in s.scalars(select(OutboxMessage))}
    # 赵红梅's push was still waiting: dropped; 孙卫东 had it: told it is withdrawn.
    assert pushes == {(roster.cadre, "need_new"), (roster.cadre, "need_update")}
    assert "没有可以撤回" in family.send_text("撤销").content

    family.send_text("想申请护理补贴")
    with server.runtime.sessions.begin() as s:
        need = s.scalars(select(Need).where(Need.category == "subsidy")).one()
        need.created_at -= dt.timedelta(minutes=31)
    late = family.send_text("撤销").content
    assert "超过30分钟" in late and "赵红梅" in late, late
    assert {r["category"]: r["status"] for r in export(cli_env, "needs")} == {
        "assistive_device": "withdrawn", "subsidy": "open"}


def test_unbound_need_is_kept_and_filed_after_binding(server: Server, roster, cli_env):
    stranger = server.user("o_stranger")
    first = stranger.send_text("轮椅坏了").content
    assert "已记下" in first and "绑定" in first, first
    assert "已记下" in stranger.send_text("你好").content  # still kept, still told how to bind
    assert export(cli_env, "needs") == []
    bound = stranger.send_text(f"绑定 {roster.household_codes['李四']}").content
    assert "绑定成功" in bound and "“轮椅坏了”" in bound and "回复“是”" in bound, bound
    filed = stranger.send_text("是").content
    assert "已收到" in filed and "辅具" in filed, filed
    [row] = export(cli_env, "needs")
    assert (row["person"], row["category"], row["text"], row["status"]) == ("李四", "assistive_device", "轮椅坏了", "open")


def test_unbound_need_after_a_qr_binding_can_be_declined(server: Server, roster, cli_env):
    stranger = server.user("o_stranger")
    stranger.send_text("家里房子漏雨了")
    bound = stranger.send_event("subscribe", f"qrscene_hh:{roster.household_codes['张三']}").content
    assert "绑定成功" in bound and "“家里房子漏雨了”" in bound, bound
    assert "没有登记" in stranger.send_text("不用了").content
    assert export(cli_env, "needs") == []


def test_exports_keep_the_officials_note_and_message_in_every_format(server: Server, official, roster, cli_env,
                                                                     tmp_path):
    other = server.user("o_other")
    assert "绑定成功" in other.send_text(f"绑定 {roster.other_code}").content
    sent = {
        "张三": "张三 入户 老人身体不太好，住院了",
        "李四": "昨天 电话 李四 门锁着没见到人",
        "王五": "王五 电话 正常",
    }
    for text in sent.values():
        assert "已记录" in official.send_text(text).content
    assert "已记录" in other.send_text("钱七 入户 正常").content
    today = _today()
    notes = {"张三": "老人身体不太好，住院了", "李四": "门锁着没见到人", "王五": "正常"}

    rows = export(cli_env, "contacts")
    assert {r["person"]: r["note"] for r in rows} == {**notes, "钱七": "正常"}
    assert {r["person"]: r["raw_text"] for r in rows if r["person"] in sent} == sent
    # by date, then village (五里村 before 桥头村 by name), then person
    assert [(r["date"], r["village"], r["person"]) for r in rows] == sorted(
        (r["date"], r["village"], r["person"]) for r in rows)
    assert rows[0]["person"] == "李四" and rows[0]["date"] == (today - dt.timedelta(days=1)).isoformat()

    csv_out = tmp_path / "c.csv"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "export", "contacts", "--format", "csv", "--out",
                           str(csv_out)], env=cli_env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with open(csv_out, encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert {r["姓名"]: (r["备注"], r["原话"]) for r in table if r["姓名"] in sent} == {
        n: (notes[n], sent[n]) for n in sent}

    xlsx_out = tmp_path / "c.xlsx"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "export", "contacts", "--format", "xlsx", "--out",
                           str(xlsx_out)], env=cli_env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    book = load_workbook(xlsx_out, read_only=True)
    header, *cells = list(book.active.iter_rows(values_only=True))
    book.close()
    got = [dict(zip(header, row, strict=True)) for row in cells]
    assert all(isinstance(r["日期"], dt.datetime) for r in got)  # a real date cell, not text
    assert [(r["日期"].date(), r["村(社区)"], r["姓名"]) for r in got] == sorted(
        (r["日期"].date(), r["村(社区)"], r["姓名"]) for r in got)
    assert {r["姓名"]: (r["备注"], r["原话"]) for r in got if r["姓名"] in sent} == {
        n: (notes[n], sent[n]) for n in sent}


def test_help_examples_use_the_officials_own_names(server: Server, official, roster):
    shown = official.send_text("帮助").content
    assert "刘德明 入户 正常" in shown and "查询 刘德明" in shown and "上个月统计" in shown, shown
    other = server.user("o_other")
    other.send_text(f"绑定 {roster.other_code}")
    shown = other.send_text("帮助").content
    assert "钱七 入户 正常" in shown and "刘德明" not in shown, shown
