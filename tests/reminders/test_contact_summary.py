"""contact_summary stays exact under every kind of write, through the database's triggers."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import threading

import pytest
from sqlalchemy import delete, insert, select, text, update

from storage.contact_summary import (
    ANY_CHANNEL,
    DEPTH,
    HOME_VISIT,
    rebuild_summary,
    refresh_sql,
)
from storage.migrate import MIGRATIONS_DIR
from storage.models import ContactRecord, ContactSummary
from storage.summaries import triggers_suspended

D = dt.date.fromisoformat


def summary_table(session) -> dict[tuple[int, int], tuple]:
    rows = session.execute(select(ContactSummary)).scalars()
    return {(r.person_id, r.official_id): tuple(getattr(r, c) for c in ANY_CHANNEL + HOME_VISIT)
            for r in rows}


def reference(session) -> dict[tuple[int, int], tuple]:
    """The newest DEPTH successful dates per (person, official or 0), from the contacts."""
    dates: dict[tuple[int, int], list[tuple[dt.date, bool]]] = {}
    for c in session.execute(select(ContactRecord)).scalars():
        if c.voided or c.status == "unreachable":
            continue
        for official in {0, c.official_id} - {None}:
            dates.setdefault((c.person_id, official), []).append(
                (c.contact_date, c.channel == "home_visit"))
    out = {}
    for key, found in dates.items():
        every = sorted((d for d, _ in found), reverse=True)[:DEPTH]
        home = sorted((d for d, hv in found if hv), reverse=True)[:DEPTH]
        out[key] = tuple(every + [None] * (DEPTH - len(every)) + home
                         + [None] * (DEPTH - len(home)))
    return out


def check(runtime) -> None:
    with runtime.sessions() as s:
        assert summary_table(s) == reference(s)


def test_triggers_follow_inserts_voids_updates_and_deletes(runtime, world):
    o1, o2 = world.official("赵红梅"), world.official("周文", role="cadre")
    p, q = world.person("张三"), world.person("李四")
    check(runtime)  # empty
    ids = [world.contact(p, o1, f"2026-0{m}-10", channel=ch)
           for m, ch in zip(range(1, 7), ["home_visit", "phone", "home_visit", None, "sms",
                                          "home_visit"], strict=True)]
    world.contact(p, o2, "2026-06-20", channel="wechat")
    world.contact(p, None, "2026-06-21", channel="home_visit")  # no official: counts as anyone's
    world.contact(q, o2, "2026-05-01", status="unreachable")  # a failed attempt: nothing
    world.contact(q, o2, "2026-05-02", voided=True)
    check(runtime)
    with runtime.sessions.begin() as s:  # undo (撤销): voiding the newest contact
        s.execute(update(ContactRecord).where(ContactRecord.id == ids[-1]).values(voided=True))
    check(runtime)
    edits = [
        {"channel": "home_visit"}, {"contact_date": D("2026-07-01")}, {"official_id": o2},
        {"status": "unreachable"}, {"status": "normal"}, {"person_id": q},
        {"official_id": None}, {"note": "只改备注"},
    ]
    for i, values in enumerate(edits):
        with runtime.sessions.begin() as s:
            s.execute(update(ContactRecord).where(ContactRecord.id == ids[i % 5]).values(**values))
        check(runtime)
    with runtime.sessions.begin() as s:  # one statement touching several persons at once
        s.execute(update(ContactRecord).values(voided=False))
    check(runtime)
    with runtime.sessions.begin() as s:
        s.execute(delete(ContactRecord).where(ContactRecord.id == ids[2]))
    check(runtime)
    with runtime.sessions.begin() as s:
        s.execute(delete(ContactRecord).where(ContactRecord.person_id == p))
    check(runtime)
    with runtime.sessions() as s:
        assert {key[0] for key in summary_table(s)} == {q}


def test_bulk_writes_and_rebuild_agree(runtime, world):
    rnd = random.Random(5)
    officials = [world.official(f"干部{i}") for i in range(4)]
    persons = [world.person(f"人{i}") for i in range(12)]
    rows = [
        {"person_id": rnd.choice(persons), "official_id": rnd.choice([*officials, None]),
         "channel": rnd.choice(["home_visit", "phone", None]),
         "status": rnd.choice(["normal", "normal", "unreachable"]),
         "contact_date": D("2025-01-01") + dt.timedelta(days=rnd.randrange(700)),
         "voided": rnd.random() < 0.2, "needs": []}
        for _ in range(300)
    ]
    with runtime.sessions.begin() as s:  # one multi-row statement (executemany)
        s.execute(insert(ContactRecord), rows)
    check(runtime)
    with runtime.sessions.begin() as s:
        s.execute(update(ContactRecord).where(ContactRecord.id % 3 == 0)
                  .values(contact_date=D("2026-12-01")))
        s.execute(delete(ContactRecord).where(ContactRecord.id % 7 == 0))
    check(runtime)
    with runtime.sessions() as s:
        before = summary_table(s)
    with runtime.sessions.begin() as s:
        s.execute(text("DELETE FROM contact_summary"))
        rebuild_summary(s)
    with runtime.sessions() as s:
        assert summary_table(s) == before


def test_the_migration_and_the_rebuild_share_one_definition():
    path = MIGRATIONS_DIR / "versions" / "0004_contact_summary.py"
    spec = importlib.util.spec_from_file_location("m0004", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.DEPTH == DEPTH
    for condition in ("1 = 1", "person_id = NEW.person_id", "person_id = ANY(ids)"):
        assert " ".join(migration.refresh_sql(condition).split()) == " ".join(
            refresh_sql(condition).split())


def test_a_bulk_load_with_triggers_suspended_ends_exact(runtime, world):
    o = world.official("赵红梅")
    persons = [world.person(f"人{i}") for i in range(5)]
    world.contact(persons[0], o, "2026-01-01")
    rows = [{"person_id": p, "official_id": o, "channel": "home_visit", "status": "normal",
             "contact_date": D("2026-03-01") + dt.timedelta(days=i), "voided": False,
             "needs": []} for i, p in enumerate(persons * 3)]
    with runtime.engine.begin() as conn, triggers_suspended(conn):
        conn.execute(insert(ContactRecord), rows)
    check(runtime)
    world.contact(persons[1], o, "2026-06-01")  # the triggers are back
    check(runtime)


def test_concurrent_writers_for_one_person_take_turns(runtime, world):
    """Two transactions adding a contact for the same person: the later sees the earlier's."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    o = world.official("赵红梅")
    p = world.person("张三")
    first = runtime.sessions()
    first.begin()
    first.add(ContactRecord(person_id=p, official_id=o, channel="phone", status="normal",
                            contact_date=D("2026-05-01")))
    first.flush()  # the trigger ran and holds the person's lock until commit

    def second() -> None:
        with runtime.sessions.begin() as s:
            s.add(ContactRecord(person_id=p, official_id=o, channel="home_visit",
                                status="normal", contact_date=D("2026-04-01")))

    worker = threading.Thread(target=second)
    worker.start()
    worker.join(timeout=1)
    assert worker.is_alive()  # waiting for the first transaction
    first.commit()
    first.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    check(runtime)
    with runtime.sessions() as s:
        assert summary_table(s)[p, 0][:2] == (D("2026-05-01"), D("2026-04-01"))
