"""The overview's tallies (migration 0007) stay exact under every writer, and the overview read
from them equals the direct queries for every period and festival window."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import threading
from collections import Counter

import pytest
from sqlalchemy import delete, insert, select, text, update

from bot.admin import overview_data, overview_direct
from bot.admin.festivals import festival_window
from bot.admin.periods import KINDS, last_months, period_containing
from storage.contact_summary import rebuild_summary
from storage.migrate import MIGRATIONS_DIR
from storage.models import (
    Assignment,
    ContactMonthTally,
    ContactRecord,
    ContactSummary,
    LatestContactTally,
    Need,
    Person,
    VillageTally,
)
from storage.overview_tallies import backfill_sql, rebuild_tallies
from storage.summaries import triggers_suspended

D = dt.date.fromisoformat
TODAY = D("2026-06-20")
OPEN = ("open", "in_progress")


def first(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def stored(session) -> dict:
    """Every tally row whose counters are not all zero."""
    out: dict = {}
    for model, keys, counters in (
        (ContactMonthTally, ("village_id", "month_start"), ("contacts", "home_visits")),
        (LatestContactTally, ("village_id", "month_start"), ("contacted", "visited")),
        (VillageTally, ("village_id",), ("persons", "special", "assigned", "open_needs",
                                         "urgent_needs")),
    ):
        for row in session.execute(select(model)).scalars():
            values = tuple(getattr(row, c) for c in counters)
            if any(values):
                out[(model.__tablename__, *(getattr(row, k) for k in keys))] = values
    return out


def reference(session) -> dict:
    """The same numbers computed in Python from the rows they count."""
    persons = {p.id: p for p in session.execute(select(Person)).scalars()}
    months: Counter = Counter()
    for c in session.execute(select(ContactRecord)).scalars():
        if c.voided or c.status == "unreachable":
            continue
        key = ("contact_month_tallies", persons[c.person_id].village_id, first(c.contact_date))
        months[(*key, 0)] += 1
        months[(*key, 1)] += c.channel == "home_visit"
    latest: Counter = Counter()
    for s in session.execute(select(ContactSummary).where(ContactSummary.official_id == 0)).scalars():
        p = persons[s.person_id]
        if p.active:
            for col, day in ((0, s.a1), (1, s.h1)):
                if day is not None:
                    latest[("latest_contact_tallies", p.village_id, first(day), col)] += 1
    open_people = {a.person_id for a in session.execute(select(Assignment)).scalars()
                   if a.end_date is None}
    village: Counter = Counter()
    for p in persons.values():
        if p.active:
            for col, flag in ((0, True), (1, p.special_hardship), (2, p.id in open_people)):
                village[("village_tallies", p.village_id, col)] += bool(flag)
    for n in session.execute(select(Need)).scalars():
        if n.status in OPEN:
            v = persons[n.person_id].village_id
            village[("village_tallies", v, 3)] += 1
            village[("village_tallies", v, 4)] += n.urgency == "urgent"
    out: dict = {}
    for counter, width in ((months, 2), (latest, 2), (village, 5)):
        keys = {k[:-1] for k in counter}
        for key in keys:
            values = tuple(counter[(*key, i)] for i in range(width))
            if any(values):
                out[key] = values
    return out


def same_overview(session, village_ids: list[int]) -> set[bool]:
    """Tally-based overview == the direct queries, every period kind around TODAY, with and
    without a festival window; returns whether the latest-contact tallies answered."""
    answered = set()
    days = [TODAY, TODAY.replace(month=1, day=5), D("2025-11-11")]
    windows = [None, festival_window(D("2026-06-19"), TODAY), (D("2026-01-25"), D("2026-02-08"))]
    for kind in KINDS:
        for day in days:
            period = period_containing(kind, day)
            answered.add(overview_data._latest_answers(session, village_ids, period.start,
                                                       period.end))
            for window in windows:
                fast = overview_data.village_counts(session, village_ids, period.start,
                                                    period.end, window, None)
                slow = overview_direct.village_counts(session, village_ids, period.start,
                                                      period.end, window)
                assert fast == slow, (kind, day, window)
    months = last_months(TODAY)
    assert overview_data.monthly_trend(session, village_ids, months) == \
        overview_direct.monthly_trend(session, village_ids, months)
    return answered


ANSWERED: list[set[bool]] = []


def check(runtime, village_ids: list[int]) -> None:
    with runtime.sessions() as s:
        assert stored(s) == reference(s)
        ANSWERED.append(same_overview(s, village_ids))


@pytest.fixture
def two(world):
    """Two villages, officials, persons with assignments."""
    other = world.region("东山村", "village", world.township)
    o1, o2 = world.official("赵红梅"), world.official("周文", role="cadre")
    p = world.person("张三", hardship=True)
    q = world.person("李四")
    r = world.person("王五", village=other)
    world.assign(o1, p)
    world.assign(o2, p, kind="pairing")
    world.assign(o1, r)
    return world, [world.village, other], (o1, o2), (p, q, r)


def test_triggers_follow_every_writer(runtime, two):
    world, villages, (o1, o2), (p, q, r) = two
    check(runtime, villages)
    ids = [world.contact(p, o1, f"2026-0{m}-1{m}", channel=ch)
           for m, ch in zip(range(1, 7), ["home_visit", "phone", "home_visit", None, "sms",
                                          "home_visit"], strict=True)]
    world.contact(q, o2, "2026-06-19", channel="wechat")
    world.contact(q, None, "2026-02-01", status="unreachable")  # a failed attempt: nothing
    world.contact(r, o1, "2026-05-02", voided=True)
    world.contact(r, o1, "2025-12-30")
    check(runtime, villages)
    with runtime.sessions.begin() as s:  # undo (撤销)
        s.execute(update(ContactRecord).where(ContactRecord.id == ids[-1]).values(voided=True))
    check(runtime, villages)
    edits = [{"channel": "home_visit"}, {"contact_date": D("2026-06-01")}, {"status": "unreachable"},
             {"status": "normal"}, {"person_id": r}, {"official_id": o2}, {"note": "只改备注"},
             {"contact_date": D("2026-07-04")}]  # dated after today: the fallback answers
    for i, values in enumerate(edits):
        with runtime.sessions.begin() as s:
            s.execute(update(ContactRecord).where(ContactRecord.id == ids[i % 5]).values(**values))
        check(runtime, villages)
    with runtime.sessions.begin() as s:  # one statement, several persons
        s.execute(update(ContactRecord).values(voided=False))
    check(runtime, villages)
    with runtime.sessions.begin() as s:
        s.execute(delete(ContactRecord).where(ContactRecord.id == ids[2]))
    check(runtime, villages)
    # persons: move, deactivate, hardship, a new one, a deleted one
    for values in ({"village_id": villages[1]}, {"active": False}, {"special_hardship": False},
                   {"active": True, "village_id": villages[0]}, {"name": "张叁"}):
        with runtime.sessions.begin() as s:
            s.execute(update(Person).where(Person.id == p).values(**values))
        check(runtime, villages)
    with runtime.sessions.begin() as s:  # everyone moves at once
        s.execute(update(Person).values(village_id=villages[1]))
    check(runtime, villages)
    with runtime.sessions.begin() as s:
        s.execute(update(Person).where(Person.id == q).values(village_id=villages[0]))
    gone = world.person("赵六", hardship=True)
    check(runtime, villages)
    with runtime.sessions.begin() as s:
        s.execute(delete(Person).where(Person.id == gone))
    check(runtime, villages)
    # assignments: a second open one, ended, moved to another person, deleted
    a = world.assign(o2, q, kind="pairing")
    world.assign(o1, q)
    check(runtime, villages)
    for values in ({"end_date": D("2026-03-01")}, {"end_date": None}, {"person_id": r},
                   {"person_id": q, "end_date": D("2026-01-01")}):
        with runtime.sessions.begin() as s:
            s.execute(update(Assignment).where(Assignment.id == a).values(**values))
        check(runtime, villages)
    for end in (D("2026-05-31"), None):  # one statement over every assignment
        with runtime.sessions.begin() as s:
            s.execute(update(Assignment).values(end_date=end))
        check(runtime, villages)
    with runtime.sessions.begin() as s:
        s.execute(delete(Assignment).where(Assignment.person_id == p))
    check(runtime, villages)
    # needs: opened, urgent, resolved, moved, deleted
    created = dt.datetime(2026, 6, 1, 8, 0)
    n = world.need(p, o1, created, urgency="urgent")
    world.need(q, o1, created, status="resolved")
    world.need(r, None, created, status="in_progress")
    check(runtime, villages)
    for values in ({"urgency": "normal"}, {"status": "resolved"}, {"status": "open"},
                   {"person_id": r, "urgency": "urgent"}):
        with runtime.sessions.begin() as s:
            s.execute(update(Need).where(Need.id == n).values(**values))
        check(runtime, villages)
    with runtime.sessions.begin() as s:
        s.execute(delete(Need).where(Need.person_id == r))
        s.execute(delete(ContactRecord).where(ContactRecord.person_id == p))
    check(runtime, villages)
    # both paths were compared: the tallies' answer and the fallback past a future-dated contact
    assert set.union(*ANSWERED) == {True, False}
    with runtime.sessions() as s:
        assert len(stored(s)) > 5


def test_bulk_writes_rebuild_and_suspended_loads_agree(runtime, two):
    world, villages, officials, persons = two
    rnd = random.Random(6)
    rows = [
        {"person_id": rnd.choice(persons), "official_id": rnd.choice([*officials, None]),
         "channel": rnd.choice(["home_visit", "phone", None]),
         "status": rnd.choice(["normal", "normal", "unreachable"]),
         "contact_date": D("2025-01-01") + dt.timedelta(days=rnd.randrange(530)),
         "voided": rnd.random() < 0.2, "needs": []}
        for _ in range(300)
    ]
    with runtime.sessions.begin() as s:  # one multi-row statement (executemany)
        s.execute(insert(ContactRecord), rows)
    check(runtime, villages)
    with runtime.sessions.begin() as s:
        s.execute(update(ContactRecord).where(ContactRecord.id % 3 == 0)
                  .values(contact_date=D("2026-06-02")))
        s.execute(delete(ContactRecord).where(ContactRecord.id % 7 == 0))
        s.execute(update(Person).where(Person.id == persons[0]).values(village_id=villages[1]))
    check(runtime, villages)
    with runtime.sessions() as s:
        before = stored(s)
    with runtime.sessions.begin() as s:
        for table in ("contact_month_tallies", "latest_contact_tallies", "village_tallies"):
            s.execute(text(f"DELETE FROM {table}"))
        rebuild_tallies(s)
    with runtime.sessions() as s:
        assert stored(s) == before
    # contact_summary's own refresh deletes and inserts; an UPDATE of it is followed as well
    with runtime.sessions.begin() as s:
        s.execute(update(ContactSummary).where(ContactSummary.person_id == persons[2])
                  .values(a1=D("2026-06-18"), h1=D("2026-06-17")))
    with runtime.sessions() as s:
        assert stored(s) == reference(s)
    with runtime.sessions.begin() as s:
        rebuild_summary(s)
    check(runtime, villages)
    more = [dict(r, contact_date=r["contact_date"] + dt.timedelta(days=3)) for r in rows[:50]]
    with runtime.engine.begin() as conn, triggers_suspended(conn):
        conn.execute(insert(ContactRecord), more)
        conn.execute(update(Person).where(Person.id == persons[1]).values(active=False))
    check(runtime, villages)
    world.contact(persons[1], officials[0], "2026-06-03")  # the triggers are back
    check(runtime, villages)


def test_the_migration_and_the_rebuild_share_one_definition():
    path = MIGRATIONS_DIR / "versions" / "0007_overview_tallies.py"
    spec = importlib.util.spec_from_file_location("m0007", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for pg in (False, True):
        assert [" ".join(s.split()) for s in migration.backfill_sql(pg)] == [
            " ".join(s.split()) for s in backfill_sql(pg)]


def test_concurrent_contacts_and_a_village_move_end_exact(runtime, two):
    """A contact logged while another transaction moves the person: the later one sees it."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    _, villages, (o1, _), (p, _, _) = two
    first = runtime.sessions()
    first.begin()
    first.add(ContactRecord(person_id=p, official_id=o1, channel="phone", status="normal",
                            contact_date=D("2026-06-05")))
    first.flush()  # the triggers ran and hold the person's lock until commit

    def second() -> None:
        with runtime.sessions.begin() as s:
            s.execute(update(Person).where(Person.id == p).values(village_id=villages[1]))

    worker = threading.Thread(target=second)
    worker.start()
    worker.join(timeout=1)
    assert worker.is_alive()  # waiting for the first transaction
    first.commit()
    first.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    check(runtime, villages)
