"""storage.due_views: the dashboard's counts and pages of the verdicts equal the rows grouped and
sorted independently, on varied data (ties included) and on days around period ends."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pytest

from storage import contact_dates
from storage.due import iter_statuses, person_rule_status
from storage.due_views import DueCounts, due_counts, status_page
from storage.models import Assignment, ContactRecord, Official, Person, Region
from storage.rules import Rule

D = dt.date.fromisoformat

Q_HOME = Rule("q_home", "每季度入户", "jurisdiction", "quarter", 1, True, False, 14)
M_HARDSHIP = Rule("m_home", "每月入户", "jurisdiction", "month", 1, True, True, 7)
M_TWICE = Rule("m_twice", "每月联系2次", "jurisdiction", "month", 2, False, False, 7)
Y_CONTACTS = Rule("y_contact", "每年联系4次", "pairing", "year", 4, False, False, 14, True)
Y_HOME = Rule("y_home", "每年入户2次", "pairing", "year", 2, True, False, 14, True)
Y_PLAIN = Rule("Y_plain", "每年入户", "jurisdiction", "year", 1, True, False, 14)
Q_PAIR = Rule("q_pair", "每季度联系", "pairing", "quarter", 1, False, False, 14)

# Few names, so that many rows tie on everything up to the name; code-point order differs
# from pinyin order for these.
NAMES = ("张三", "李四", "王五", "阿强", "张三丰", "Zoe", "赵六")
DAYS = ("2026-01-01", "2026-01-15", "2026-03-31", "2026-04-01", "2026-05-31", "2026-07-01",
        "2026-11-20", "2026-12-31", "2027-02-28")


def _random_day(rnd: random.Random, first: str, last: str) -> dt.date:
    start = D(first)
    return start + dt.timedelta(days=rnd.randint(0, (D(last) - start).days))


@pytest.fixture
def province(runtime):
    """Two counties (different rules), ~90 persons, ~900 contacts over three years; seeded."""
    rnd = random.Random(20261120)
    with runtime.sessions.begin() as s:
        counties, villages = [], []
        for c in range(2):
            county = Region(name=f"县{c}", level="county")
            s.add(county)
            s.flush()
            counties.append(county.id)
            for t in range(2):
                town = Region(name=f"镇{t}", level="township", parent_id=county.id)
                s.add(town)
                s.flush()
                for v in range(2):
                    village = Region(name=f"村{v}", level="village", parent_id=town.id)
                    s.add(village)
                    s.flush()
                    villages.append(village.id)
        officials = []
        for i in range(8):
            o = Official(name=f"干部{i}", phone=f"1380000{i:04d}",
                         role="cadre" if i % 2 else "village_member",
                         region_id=villages[i % len(villages)])
            s.add(o)
            s.flush()
            officials.append(o.id)
        persons = []
        for _ in range(90):
            p = Person(name=rnd.choice(NAMES), village_id=rnd.choice(villages),
                       special_hardship=rnd.random() < 0.3, active=rnd.random() < 0.95)
            s.add(p)
            s.flush()
            persons.append(p.id)
            starts = ("2024-01-01", "2025-06-15", "2026-02-10", "2026-04-01", "2026-12-01")
            # Two officials' jurisdiction over one person give rows that tie on every key.
            for who in rnd.sample(officials, rnd.choice((1, 1, 2))):
                s.add(Assignment(official_id=who, person_id=p.id,
                                 kind="jurisdiction", start_date=D(rnd.choice(starts)),
                                 end_date=D("2026-06-30") if rnd.random() < 0.1 else None))
            if rnd.random() < 0.4:
                s.add(Assignment(official_id=rnd.choice(officials), person_id=p.id,
                                 kind="pairing", start_date=D(rnd.choice(starts)), end_date=None))
        s.flush()
        pairs = {a.person_id: a.official_id for a in s.query(Assignment).filter_by(kind="pairing")}
        for n in range(900):
            pid = rnd.choice(persons)
            who = pairs.get(pid) if rnd.random() < 0.5 else rnd.choice(officials)
            s.add(ContactRecord(
                person_id=pid, official_id=who or rnd.choice(officials),
                channel=rnd.choice(("home_visit", "home_visit", "phone", "wechat", None)),
                status="unreachable" if rnd.random() < 0.1 else "normal",
                contact_date=_random_day(rnd, "2024-03-01", "2027-02-28"),
                voided=rnd.random() < 0.05, source_msg_id=f"m{n}",
            ))
        s.flush()
        contact_dates.rebuild(s)
    return {None: [Q_HOME, M_HARDSHIP, Y_CONTACTS, M_TWICE],
            counties[1]: [Q_HOME, Y_HOME, Q_PAIR, Y_PLAIN, Y_CONTACTS]}, counties


def _python_counts(rows, key, villages) -> dict:
    state: dict = {}
    for r in rows:
        g = {"village": villages[r.person_id], "official": r.official_id, "rule": r.rule_id}[key]
        seen = state.setdefault((g, r.person_id), [True, False])
        seen[0] = seen[0] and r.status == "done"
        seen[1] = seen[1] or r.status == "overdue"
    out: dict = defaultdict(lambda: [0, 0, 0])
    for (g, _), (done, late) in state.items():
        out[g][0] += 1
        out[g][1] += done
        out[g][2] += late
    return {g: DueCounts(*c) for g, c in out.items()}


@pytest.mark.parametrize("day", DAYS)
def test_pages_equal_the_sorted_rows(runtime, province, day):
    rules, counties = province
    today = D(day)
    with runtime.sessions() as s:
        for region, kw in ((None, {}), (None, {"statuses": ("overdue",)}),
                           (None, {"statuses": ("overdue", "due_soon")}),
                           (counties[1], {"statuses": ("overdue", "done")}),
                           (None, {"official_id": 2})):
            scope = {"region_id": region} if region else {}
            expected = person_rule_status(s, rules, today, **scope, **kw)
            assert any(r.status == "overdue" for r in expected) or kw.get("official_id")
            rows = list(iter_statuses(s, rules, today, **scope))
            for limit in (7, 50):
                for offset in range(0, max(len(expected), 1), limit):
                    page = status_page(rows, offset=offset, limit=limit, **kw)
                    assert (page.total, page.offset) == (len(expected), offset)
                    assert page.rows == expected[offset:offset + limit], (kw, offset)
                    assert page.persons == len({r.person_id for r in expected})


def test_a_page_past_the_end_is_the_last_page(runtime, province):
    rules, _ = province
    with runtime.sessions() as s:
        expected = person_rule_status(s, rules, D("2026-11-20"), statuses=("overdue",))
        rows = list(iter_statuses(s, rules, D("2026-11-20")))
        page = status_page(rows, offset=10_000, limit=20, statuses=("overdue",))
        last = (len(expected) - 1) // 20 * 20
        assert page.offset == last and page.rows == expected[last:]
        assert status_page([], offset=0, limit=20).rows == []


@pytest.mark.parametrize("day", DAYS[::2])
@pytest.mark.parametrize("key", ("village", "official", "rule"))
def test_counts_equal_the_rows_grouped(runtime, province, key, day):
    rules, counties = province
    with runtime.sessions() as s:
        villages = dict(s.query(Person.id, Person.village_id).all())
        for kw in ({}, {"region_id": counties[0]}, {"official_id": 3}):
            rows = person_rule_status(s, rules, D(day), **kw)
            assert due_counts(rows, key) == _python_counts(rows, key, villages)
