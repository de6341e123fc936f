"""What a worker keeps of an official between messages is never used once it is out of date.

`roster_versions` is bumped by the database's triggers (migration 0008); the webhook checks it
with every message's claim. The writes below go around the application on purpose (plain SQL in
another connection), as an import, the dashboard or a DBA would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import event, select, text

from bot.conversation import conversation_of
from handlers.context import Incoming
from storage.models import ContactRecord, OfficialBinding, RosterVersion, utcnow


def versions(server) -> dict[int, int]:  # type: ignore[no-untyped-def]
    with server.runtime.sessions() as s:
        return {r.official_id: r.version for r in s.scalars(select(RosterVersion))}


def write(server, sql: str, **params) -> None:  # type: ignore[no-untyped-def]
    with server.runtime.engine.begin() as conn:
        conn.execute(text(sql), params)


def bumped(server, sql: str, **params) -> set[int]:  # type: ignore[no-untyped-def]
    """The officials whose version the write changed."""
    before = versions(server)
    write(server, sql, **params)
    after = versions(server)
    return {o for o, v in after.items() if before.get(o, 0) != v}


def test_every_watched_write_bumps_the_officials_concerned_and_no_other(server, roster):
    member, cadre, other = roster.member, roster.cadre, roster.other_member
    zhang, qian = roster.persons["张三"], roster.persons["钱七"]
    assert bumped(server, "UPDATE persons SET name = '张叁' WHERE id = :p", p=zhang) == {member, cadre}
    assert bumped(server, "UPDATE persons SET active = :no WHERE id = :p", p=qian, no=False) == {other}
    # Columns no roster shows change nothing.
    assert bumped(server, "UPDATE persons SET address = '新址' WHERE id = :p", p=zhang) == set()
    assert bumped(server, "UPDATE assignments SET start_date = '2026-02-01' WHERE person_id = :p",
                  p=qian) == set()
    assert bumped(server, "UPDATE assignments SET end_date = '2026-11-30' WHERE person_id = :p",
                  p=qian) == {other}
    assert bumped(server, "UPDATE assignments SET official_id = :o WHERE person_id = :p",
                  o=member, p=qian) == {member, other}
    assert bumped(server, "INSERT INTO assignments (official_id, person_id, kind, start_date,"
                  " created_at) VALUES (:o, :p, 'pairing', '2026-01-01',"
                  " CURRENT_TIMESTAMP)", o=cadre, p=qian) == {cadre}
    assert bumped(server, "DELETE FROM assignments WHERE official_id = :o AND person_id = :p",
                  o=cadre, p=qian) == {cadre}
    # A person assigned twice to one official (jurisdiction and pairing): one bump, no error.
    write(server, "INSERT INTO assignments (official_id, person_id, kind, start_date, created_at)"
          " VALUES (:o, :p, 'pairing', '2026-01-01', CURRENT_TIMESTAMP)", o=member, p=zhang)
    assert bumped(server, "UPDATE persons SET name = '张三' WHERE id = :p", p=zhang) == {member, cadre}
    assert bumped(server, "UPDATE persons SET active = :yes", yes=True) == {member, cadre}  # 钱七 moved
    assert bumped(server, "UPDATE officials SET unit = '新单位' WHERE id = :o", o=other) == {other}
    assert bumped(server, "INSERT INTO official_bindings (openid, official_id, active, created_at)"
                  " VALUES ('o_x', :o, :yes, CURRENT_TIMESTAMP)",
                  o=cadre, yes=True) == {cadre}
    assert bumped(server, "UPDATE official_bindings SET last_inbound_at = CURRENT_TIMESTAMP"
                  " WHERE openid = 'o_x'") == set()
    assert bumped(server, "UPDATE official_bindings SET official_id = :o WHERE openid = 'o_x'",
                  o=other) == {cadre, other}
    assert bumped(server, "UPDATE official_bindings SET active = :no WHERE openid = 'o_x'",
                  no=False) == {other}
    assert bumped(server, "DELETE FROM official_bindings WHERE openid = 'o_x'") == {other}


def _statements(server):  # type: ignore[no-untyped-def]
    seen: list[str] = []
    event.listen(server.runtime.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: seen.append(sql))
    return seen


def test_a_known_official_is_not_looked_up_again(server, official):
    official.send_text("张三 电话 正常")  # read and kept
    seen = _statements(server)
    reply = official.send_text("李四 电话 正常")
    assert "已记录" in reply.content and "李四" in reply.content
    assert not [sql for sql in seen if "official_bindings" in sql], seen  # no lookup, no roster


def test_changes_made_elsewhere_are_seen_by_the_next_message(server, official, roster):
    official.send_text("张三 电话 正常")
    # Renamed by someone else: the old name is gone, the new one is logged.
    write(server, "UPDATE persons SET name = '张老三' WHERE id = :p", p=roster.persons["张三"])
    assert "已记录" not in official.send_text("张三 入户 正常").content  # named back, not logged
    reply = official.send_text("张老三 入户 正常")
    assert "已记录" in reply.content and "张老三" in reply.content
    # A person newly assigned to the official can be logged at once.
    write(server, "UPDATE assignments SET official_id = :o WHERE person_id = :p",
          o=roster.member, p=roster.persons["钱七"])
    reply = official.send_text("钱七 电话 正常")
    assert "已记录" in reply.content and "钱七" in reply.content
    with server.runtime.sessions() as s:
        logged = s.scalars(select(ContactRecord.person_id).order_by(ContactRecord.id)).all()
    assert logged[-2:] == [roster.persons["张三"], roster.persons["钱七"]]
    # Unbound elsewhere (say, by the dashboard): no longer treated as an official.
    write(server, "UPDATE official_bindings SET active = :no WHERE openid = 'o_member'", no=False)
    assert "已记录" not in official.send_text("李四 电话 正常").content
    with server.runtime.sessions() as s:
        assert s.scalar(select(ContactRecord.id).where(
            ContactRecord.person_id == roster.persons["李四"])) is None


def test_the_time_of_the_last_message_is_still_noted(server, official):
    conv = conversation_of(server.app)

    def message(i: int, at: dt.datetime) -> Incoming:
        return Incoming(openid="o_member", dedupe_key=f"k{i}", kind="text", received_at=at,
                        text="王五 电话 正常" if i % 2 else "李四 电话 正常", msg_id=str(i))

    def noted() -> dt.datetime | None:
        with server.runtime.sessions() as s:
            return s.scalar(select(OfficialBinding.last_inbound_at)
                            .where(OfficialBinding.openid == "o_member"))

    start = utcnow()
    conv.handle(message(1, start))
    assert len(conv.senders) == 1
    first = noted()
    assert first is not None
    conv.handle(message(2, start + dt.timedelta(minutes=1)))  # known: nothing written
    assert noted() == first
    later = start + dt.timedelta(minutes=7)
    conv.handle(message(3, later))  # what was kept is too old to tell: looked up and noted
    assert noted() == later


def test_what_is_kept_lapses_with_the_day(server, official):
    conv = conversation_of(server.app)
    official.send_text("张三 电话 正常")
    now = utcnow()
    today = conv.deps.today(now)
    assert conv.senders.get("o_member", today, now) is not None
    assert conv.senders.get("o_member", today + dt.timedelta(days=1), now) is None


def test_the_cache_is_bounded_oldest_out_first(server, official):
    from handlers.senders import SenderCache

    conv = conversation_of(server.app)
    official.send_text("张三 电话 正常")
    now = utcnow()
    known = conv.senders.get("o_member", conv.deps.today(now), now)
    assert known is not None
    cache = SenderCache(size=2)
    for openid in ("o_a", "o_b", "o_c"):
        cache.put(dataclasses.replace(
            known, identity=dataclasses.replace(known.identity, openid=openid)))
    assert len(cache) == 2
    assert cache.get("o_a", known.today, now) is None
    assert cache.get("o_c", known.today, now) is not None
