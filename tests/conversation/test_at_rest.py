"""A contact logged over real signed WeChat XML is stored encrypted: message, note and reply."""

from __future__ import annotations

from sqlalchemy import select, text

from storage.models import ContactRecord, Need


def test_a_logged_contact_and_need_are_stored_encrypted(server, official):
    said = "张三 上门 腿疼 需要轮椅 电话13912345678"
    reply = official.send_text(said)
    assert "已记录" in reply.content
    with server.runtime.engine.connect() as conn:
        raw = conn.execute(text("SELECT raw_text, note FROM contact_records")).one()
        needs = conn.execute(text("SELECT text FROM needs")).scalars().all()
        replies = conn.execute(
            text("SELECT reply FROM inbound_messages WHERE reply IS NOT NULL")).scalars().all()
    stored = [v for v in [*raw, *needs, *replies] if v is not None]
    assert raw[0] is not None and replies and needs
    assert all(v.startswith("v1:") for v in stored)
    assert not any("13912345678" in v or "轮椅" in v or "张三" in v for v in stored)
    with server.runtime.sessions() as s:
        assert s.scalar(select(ContactRecord.raw_text)) == said
        assert "轮椅" in s.scalar(select(Need.text))
