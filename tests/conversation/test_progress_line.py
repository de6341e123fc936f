"""The progress line after a contact: every rule that judges the official's persons, and a
cadre's pairings even where the county's preset sets no quota for them (docs/policies.md)."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Region
from tests.conversation.conftest import Server


def _cadre(server: Server, roster) -> object:
    sim = server.user("o_cadre")
    assert "绑定成功" in sim.send_text(f"绑定 {roster.cadre_code}").content
    return sim


def test_a_cadre_under_the_national_preset_is_told_there_is_no_pairing_quota(server, roster):
    reply = _cadre(server, roster).send_text("张三 电话 正常")
    assert "已记录" in reply.content
    assert "结对 1 户：本县政策未规定联系次数" in reply.content


def test_a_cadre_under_shandong_sees_the_yearly_quotas(database_url, roster):
    from bot.runtime import Runtime
    from tests.conversation.conftest import make_settings

    rt = Runtime(make_settings(database_url))
    with rt.sessions.begin() as s:
        s.execute(update(Region).where(Region.level == "county").values(policy="shandong_2024"))
    server = Server(rt)
    try:
        reply = _cadre(server, roster).send_text("张三 电话 正常")
        # by December the paced quota asks for all 4 contacts of the year: one is not done yet
        assert "每年联系4次：已完成 0/1 户" in reply.content
        assert "每年入户2次：已完成 0/1 户" in reply.content
        assert "未规定" not in reply.content
    finally:
        server.close()
        rt.dispose()
