"""assignment_summary stays exact under every kind of write, through the database's triggers."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random

from sqlalchemy import delete, insert, select, text, update

from storage.assignment_summary import DATES, refresh_sql
from storage.contact_summary import DEPTH
from storage.migrate import MIGRATIONS_DIR
from storage.models import Assignment, AssignmentSummary, ContactRecord, Person
from storage.summaries import rebuild, triggers_suspended

D = dt.date.fromisoformat


def table(session) -> dict[int, tuple]:
    rows = session.execute(select(AssignmentSummary)).scalars()
    return {r.assignment_id: (r.official_id, r.person_id, r.kind, r.start_date, r.end_date,
                              r.person_name, r.village_id, bool(r.hardship), bool(r.active),
                              r.last_any, *(getattr(r, d) for d in DATES)) for r in rows}


def _newest(dates: list[dt.date]) -> list[dt.date | None]:
    top = sorted(dates, reverse=True)[:DEPTH]
    return top + [None] * (DEPTH - len(top))


def reference(session) -> dict[int, tuple]:
    """Every assignment with its person's columns and the dates that count for it, from scratch."""
    contacts = [c for c in session.execute(select(ContactRecord)).scalars()
                if not c.voided and c.status != "unreachable"]
    persons = {p.id: p for p in session.execute(select(Person)).scalars()}
    out = {}
    for a in session.execute(select(Assignment)).scalars():
        p = persons[a.person_id]
        mine = [c for c in contacts if c.person_id == a.person_id]
        anyone = [c.contact_date for c in mine]
        counted = [c for c in mine if a.kind != "pairing" or c.official_id == a.official_id]
        dates = (_newest([c.contact_date for c in counted])
                 + _newest([c.contact_date for c in counted if c.channel == "home_visit"]))
        out[a.id] = (a.official_id, a.person_id, a.kind, a.start_date, a.end_date, p.name,
                     p.village_id, bool(p.special_hardship), bool(p.active),
                     max(anyone) if anyone else None, *dates)
    return out


def check(runtime) -> None:
    with runtime.sessions() as s:
        assert table(s) == reference(s)


def test_triggers_follow_contacts_assignments_and_persons(runtime, world):
    o1, o2 = world.official("赵红梅"), world.official("周文", role="cadre")
    p, q = world.person("张三"), world.person("李四", hardship=True)
    other = world.region("东村", "village", world.township)
    a1 = world.assign(o1, p)
    a2 = world.assign(o2, p, kind="pairing", start="2025-03-01")
    world.assign(o1, q)
    check(runtime)
    ids = [world.contact(p, o, f"2026-0{m}-1{m}", channel=ch)
           for m, o, ch in zip(range(1, 8), [o1, o2, o2, o1, o2, None, o2],
                               ["home_visit", "phone", "home_visit", None, "home_visit",
                                "home_visit", "sms"], strict=True)]
    world.contact(q, o2, "2026-05-01", status="unreachable")  # a failed attempt: nothing
    check(runtime)
    contact_edits = [
        {"voided": True}, {"contact_date": D("2026-08-01")}, {"official_id": o1},
        {"channel": "home_visit"}, {"person_id": q}, {"official_id": None},
        {"status": "unreachable"}, {"note": "只改备注"},
    ]
    for i, values in enumerate(contact_edits):
        with runtime.sessions.begin() as s:
            s.execute(update(ContactRecord).where(ContactRecord.id == ids[i % 7]).values(**values))
        check(runtime)
    assignment_edits = [
        {"end_date": D("2026-06-30")}, {"official_id": o2}, {"kind": "jurisdiction"},
        {"start_date": D("2026-02-01")}, {"person_id": q}, {"end_date": None},
    ]
    for i, values in enumerate(assignment_edits):
        with runtime.sessions.begin() as s:
            s.execute(update(Assignment).where(Assignment.id == (a1, a2)[i % 2]).values(**values))
        check(runtime)
    person_edits = [{"name": "张叁"}, {"village_id": other}, {"special_hardship": True},
                    {"active": False}, {"phone": "13900000000"}]
    for values in person_edits:
        with runtime.sessions.begin() as s:
            s.execute(update(Person).where(Person.id == p).values(**values))
        check(runtime)
    with runtime.sessions.begin() as s:  # one statement touching several rows at once
        s.execute(update(Person).values(active=True))
        s.execute(update(ContactRecord).values(voided=False))
    check(runtime)
    with runtime.sessions.begin() as s:
        s.execute(delete(ContactRecord).where(ContactRecord.person_id == q))
        s.execute(delete(Assignment).where(Assignment.id == a1))
    check(runtime)


def _bulk(world, rnd):
    officials = [world.official(f"干部{i}", role="cadre") for i in range(4)]
    persons = [world.person(f"人{i}", hardship=i % 3 == 0) for i in range(12)]
    assignments = [{"official_id": rnd.choice(officials), "person_id": p,
                    "kind": rnd.choice(["jurisdiction", "pairing"]),
                    "start_date": D("2025-01-01")} for p in persons]
    contacts = [
        {"person_id": rnd.choice(persons), "official_id": rnd.choice([*officials, None]),
         "channel": rnd.choice(["home_visit", "phone", None]),
         "status": rnd.choice(["normal", "normal", "unreachable"]),
         "contact_date": D("2025-01-01") + dt.timedelta(days=rnd.randrange(700)),
         "voided": rnd.random() < 0.2, "needs": []}
        for _ in range(300)
    ]
    return officials, persons, assignments, contacts


def test_bulk_writes_and_rebuild_agree(runtime, world):
    _, persons, assignments, contacts = _bulk(world, random.Random(3))
    with runtime.sessions.begin() as s:  # multi-row statements (executemany)
        s.execute(insert(Assignment), assignments)
        s.execute(insert(ContactRecord), contacts)
    check(runtime)
    with runtime.sessions.begin() as s:
        s.execute(update(ContactRecord).where(ContactRecord.id % 3 == 0)
                  .values(contact_date=D("2026-12-01")))
        s.execute(update(Assignment).where(Assignment.id % 2 == 0).values(kind="pairing"))
        s.execute(update(Person).where(Person.id.in_(persons[::2])).values(name="改名"))
    check(runtime)
    with runtime.sessions() as s:
        before = table(s)
    with runtime.sessions.begin() as s:
        s.execute(text("DELETE FROM assignment_summary"))
        s.execute(text("DELETE FROM contact_summary"))
        rebuild(s)
    with runtime.sessions() as s:
        assert table(s) == before


def test_a_bulk_load_with_triggers_suspended_ends_exact(runtime, world):
    _, persons, assignments, contacts = _bulk(world, random.Random(4))
    with runtime.engine.begin() as conn, triggers_suspended(conn):
        conn.execute(insert(Assignment), assignments)
        conn.execute(insert(ContactRecord), contacts)
        conn.execute(update(Person).where(Person.id == persons[0]).values(active=False))
    check(runtime)
    world.contact(persons[1], None, "2026-06-01")  # the triggers are back
    world.assign(world.official("赵红梅"), persons[2])
    check(runtime)


def test_the_migration_and_the_rebuild_share_one_definition():
    path = MIGRATIONS_DIR / "versions" / "0006_assignment_summary.py"
    spec = importlib.util.spec_from_file_location("m0006", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert tuple(migration.DATES) == DATES
    for condition in ("1 = 1", "a.person_id = NEW.person_id"):
        assert " ".join(migration.refresh_sql(condition).split()) == " ".join(
            refresh_sql(condition).split())
