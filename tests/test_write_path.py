"""The webhook's write path: SQLite writers queue on a file lock; the same-day check and insert."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from storage.conversation import Pending, clear, get, put
from storage.ledger import add_contact
from storage.models import Assignment, ContactRecord, Official, Person, Region

DAY = dt.date(2026, 11, 20)


def _lock_is_free(runtime) -> bool:
    fd = os.open(f"{runtime.engine.url.database}-writer.lock", os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_sqlite_writer_lock_is_held_only_inside_write_transactions(runtime):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite writer lock")
    with runtime.sessions.begin() as s:
        s.execute(text("SELECT 1"))
        assert not _lock_is_free(runtime)
    assert _lock_is_free(runtime)
    with pytest.raises(RuntimeError), runtime.sessions.begin() as s:
        s.add(Region(name="甲村", level="village"))
        s.flush()
        raise RuntimeError("roll back")
    assert _lock_is_free(runtime)
    with runtime.read_sessions.begin() as s:
        s.execute(text("SELECT 1"))
        assert _lock_is_free(runtime)  # long reads never queue behind or block writers
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 0


def test_concurrent_writers_all_commit(runtime):
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            for j in range(10):
                with runtime.sessions.begin() as s:
                    s.add(Region(name=f"村{i}-{j}", level="village"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Region)) == 40


def _people(runtime) -> tuple[int, int, int]:
    with runtime.sessions.begin() as s:
        village = Region(name="甲村", level="village")
        s.add(village)
        s.flush()
        official = Official(name="王委员", phone="13800000001", role="village_member", region_id=village.id)
        a = Person(name="张三", village_id=village.id, active=True)
        b = Person(name="李四", village_id=village.id, active=True)
        s.add_all([official, a, b])
        s.flush()
        s.add_all(
            Assignment(official_id=official.id, person_id=p.id, kind="jurisdiction", start_date=DAY)
            for p in (a, b)
        )
        return official.id, a.id, b.id


def _add(s, official_id, person_id, channel, day, **kw):
    return add_contact(
        s, person_id=person_id, official_id=official_id, channel=channel, status="normal",
        day=day, needs=kw.pop("needs", []), raw_text="t", source_msg_id=kw.pop("msg", None), **kw,
    )  # fmt: skip


def test_insert_unless_same_day_matches_the_separate_check(runtime):
    official_id, a, b = _people(runtime)
    with runtime.sessions.begin() as s:
        first = _add(s, official_id, a, "home_visit", DAY, unless_same_day=True, needs=["medical"])
        assert first is not None
        # same person, channel and day: nothing inserted
        assert _add(s, official_id, a, "home_visit", DAY, unless_same_day=True) is None
        # another channel, day or person: inserted
        assert _add(s, official_id, a, "phone", DAY, unless_same_day=True) is not None
        assert _add(s, official_id, a, "home_visit", DAY - dt.timedelta(days=1), unless_same_day=True)
        assert _add(s, official_id, b, "home_visit", DAY, unless_same_day=True) is not None
        # no channel said: a repeat only of another record without a channel
        assert _add(s, official_id, a, None, DAY, unless_same_day=True) is not None
        assert _add(s, official_id, a, None, DAY, unless_same_day=True) is None
        # without the check the same record is inserted again
        assert _add(s, official_id, a, "home_visit", DAY) is not None
    with runtime.sessions.begin() as s:
        record = s.get(ContactRecord, first)
        assert record is not None
        assert (record.person_id, record.channel, record.contact_date, record.needs, record.voided) == (
            a, "home_visit", DAY, ["medical"], False,
        )  # fmt: skip
        record.voided = True
        s.execute(
            ContactRecord.__table__.update()
            .where(ContactRecord.person_id == b)
            .values(voided=True)
        )
    with runtime.sessions.begin() as s:
        # voided records do not count as a same-day record
        assert _add(s, official_id, b, "home_visit", DAY, unless_same_day=True) is not None
        assert _add(s, official_id, a, "home_visit", DAY, unless_same_day=True) is None  # the unvoided copy


def test_pending_question_round_trip_and_expiry(runtime):
    with runtime.sessions.begin() as s:
        put(s, "o1", "choose_person", {"options": [3, 4]}, dt.timedelta(minutes=10))
        put(s, "o1", "confirm_duplicate", {"person_id": 3}, dt.timedelta(minutes=10))
        put(s, "o2", "choose_person", {"options": [1]}, dt.timedelta(minutes=-1))
    with runtime.sessions.begin() as s:
        assert get(s, "o1") == Pending("confirm_duplicate", {"person_id": 3})
        assert get(s, "o2") is None  # expired, and removed
        assert get(s, "o3") is None
    with runtime.sessions.begin() as s:
        assert s.execute(text("SELECT count(*) FROM conversation_states")).scalar() == 1
        clear(s, "o1")
        assert get(s, "o1") is None


def test_two_questions_for_one_openid_at_once_both_commit(runtime):
    """Two messages of one sender handled at once: the later question wins, neither fails."""
    errors: list[BaseException] = []
    with runtime.sessions.begin() as first:
        put(first, "o1", "choose_person", {"options": [1, 2]}, dt.timedelta(minutes=10))

        def second() -> None:
            try:
                with runtime.sessions.begin() as s:
                    put(s, "o1", "confirm_duplicate", {"person_id": 2}, dt.timedelta(minutes=10))
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.3)  # it waits for the first transaction (row lock or the writer lock)
    thread.join()
    assert errors == []
    with runtime.sessions.begin() as s:
        assert get(s, "o1") == Pending("confirm_duplicate", {"person_id": 2})


def test_a_second_writer_in_the_same_thread_fails_as_before_instead_of_waiting_for_itself(runtime):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite writer lock")
    with runtime.sessions.begin() as s:
        s.execute(text("SELECT 1"))  # this thread now holds the writer lock
        with runtime.engine.connect() as other:
            other.connection.driver_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(OperationalError):
                other.begin()
    assert _lock_is_free(runtime)


def test_contact_with_audit_as_writes_its_audit_row_and_nothing_for_a_repeat(runtime):
    from storage.models import AuditLog

    official_id, a, _b = _people(runtime)
    with runtime.sessions.begin() as s:
        first = _add(s, official_id, a, "phone", DAY, unless_same_day=True, audit_as="official:7")
        assert first is not None
        assert _add(s, official_id, a, "phone", DAY, unless_same_day=True, audit_as="official:7") is None
        second = _add(s, official_id, a, None, DAY, unless_same_day=True, audit_as="official:7")
        assert second is not None and second != first
    with runtime.sessions.begin() as s:
        rows = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        assert [(r.actor, r.action, r.entity, r.entity_id, r.detail) for r in rows] == [
            ("official:7", "contact.log", "contact", first, {"person_id": a}),
            ("official:7", "contact.log", "contact", second, {"person_id": a}),
        ]
        assert all(r.at is not None for r in rows)
        assert s.scalar(select(func.count()).select_from(ContactRecord)) == 2
