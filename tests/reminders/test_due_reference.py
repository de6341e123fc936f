"""storage.due against an independent reference on randomized contact histories.

The reference below re-derives every status from the policy semantics (docs/policies.md),
person by person, in plain Python with its own calendar arithmetic — nothing shared with
storage.rules or storage.due — so a mistake in the rules, in the fetch, or in the contact dates
kept with the ledger shows up as a difference on some person, rule and day.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from scheduler.policies import load_policies
from storage import contact_dates
from storage.due import iter_due_lists, iter_statuses, person_rule_status, progress
from storage.models import Assignment, ContactRecord, Official, Person, Region
from storage.rules import STATUSES, Rule

D = dt.date.fromisoformat
CHANNELS = ["home_visit", "home_visit", "phone", "wechat", "video", "sms", None]

# Every preset's rules, plus a deeper quota (6 a year, paced) and an unpaced monthly one.
EXTRA = [
    Rule("six_a_year", "每年6次", "jurisdiction", "year", 6, lead_days=14, paced_by_quarter=True),
    Rule("monthly_pairing_x2", "每月2次", "pairing", "month", 2, lead_days=7),
]

DAYS = [  # period boundaries on both sides, a mid-period day, and days before some contacts
    "2025-12-31", "2026-01-01", "2026-03-17", "2026-03-31", "2026-04-01", "2026-05-15",
    "2026-06-30", "2026-07-01", "2026-09-30", "2026-10-01", "2026-11-20", "2026-12-31",
    "2027-01-01",
]


def all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for policy in load_policies().presets.values():
        rules.extend(r for r in policy.rules if r not in rules)
    return rules + EXTRA


# --- the reference -------------------------------------------------------------------------

def _period(step_months: int, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the period of `step_months` (1, 3, 12) holding `day`."""
    index = day.year * 12 + day.month - 1
    first = index - index % step_months
    last = first + step_months
    start = dt.date(first // 12, first % 12 + 1, 1)
    end = dt.date(last // 12, last % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


MONTHS = {"month": 1, "quarter": 3, "year": 12}


def reference(rule: Rule, start: dt.date, dates: list[dt.date], today: dt.date):
    """(status, last_contact, days_overdue, done_count, required) of one assignment and rule.

    `dates`: the qualifying contacts of the assignment for this rule, any date. Contacts
    before the assignment's start count in the period they fall in; a checkpoint that ended
    before the start is held against no one.
    """
    dates = sorted(d for d in dates if d <= today)
    paced = rule.period == "year" and rule.paced_by_quarter
    step = 3 if paced else MONTHS[rule.period]
    step_start, step_end = _period(step, today)
    prev_to = step_start - dt.timedelta(days=1)
    if paced:
        cur_from = dt.date(today.year, 1, 1)
        cur_required = math.ceil(rule.count * ((today.month - 1) // 3 + 1) / 4)
        prev_from = dt.date(prev_to.year, 1, 1)
        prev_required = math.ceil(rule.count * ((prev_to.month - 1) // 3 + 1) / 4)
    else:
        cur_from = step_start
        cur_required = prev_required = rule.count
        prev_from = _period(step, prev_to)[0]
    done = sum(1 for d in dates if d >= cur_from)
    in_prev = sum(1 for d in dates if prev_from <= d <= prev_to)
    after_prev = any(d > prev_to for d in dates)
    last = dates[-1] if dates else None
    if start <= prev_to and in_prev < prev_required and not after_prev:
        first = start if last is None else max(start, _period(step, last)[1] + dt.timedelta(1))
        since = min(_period(step, first)[1], prev_to)
        return "overdue", last, (today - since).days, done, cur_required
    if done >= cur_required:
        return "done", last, 0, done, cur_required
    soon = (step_end - today).days <= rule.lead_days
    return ("due_soon" if soon else "due"), last, 0, done, cur_required


def expected(world_data, rules: list[Rule], today: dt.date) -> set[tuple]:
    persons, assignments, contacts = world_data
    out = set()
    for aid, official, person, kind, start, end in assignments:
        _name, hardship, active = persons[person]
        if not active or start > today or (end is not None and end < today):
            continue
        for rule in rules:
            if rule.kind != kind or (rule.hardship_only and not hardship):
                continue
            dates = [
                day for (p, o, channel, status, day, voided) in contacts
                if p == person and not voided and status != "unreachable"
                and (channel == "home_visit" or not rule.home_visit_only)
                and (o == official or kind != "pairing")
            ]
            anyone = [day for (p, _o, _ch, status, day, voided) in contacts
                      if p == person and not voided and status != "unreachable" and day <= today]
            out.add((person, official, aid, rule.id, *reference(rule, start, dates, today),
                     max(anyone, default=None)))
    return out


def got(rows) -> set[tuple]:
    return {(r.person_id, r.official_id, r.assignment_id, r.rule_id, r.status, r.last_qualifying,
             r.days_overdue, r.done_count, r.required, r.last_contact) for r in rows}


# --- random provinces ----------------------------------------------------------------------

def build(runtime, seed: int):
    rnd = random.Random(seed)
    persons, assignments, contacts = {}, [], []
    boundaries = [D(d) for d in DAYS]
    with runtime.sessions.begin() as s:


        village = Region(name="五里村", level="village")
        s.add(village)
        s.flush()
        officials = [Official(name=f"干部{i}", phone=f"1380000{seed:02d}{i:02d}",
                              role="cadre" if i % 2 else "village_member", region_id=village.id)
                     for i in range(6)]
        s.add_all(officials)
        s.flush()
        people = [Person(name=f"人{i}", village_id=village.id, special_hardship=rnd.random() < 0.4,
                         active=rnd.random() < 0.95) for i in range(40)]
        s.add_all(people)
        s.flush()
        for p in people:
            persons[p.id] = (p.name, p.special_hardship, p.active)
            chosen = rnd.sample(officials, rnd.choice([1, 1, 2, 3]))
            for o in chosen:
                kind = rnd.choice(["jurisdiction", "pairing"])
                start = rnd.choice([D("2024-01-01"), D("2025-07-01"), D("2026-02-10"),
                                    D("2026-04-01"), D("2026-04-02"), D("2026-10-15")])
                end = rnd.choice([None, None, None, D("2026-06-30")])
                a = Assignment(official_id=o.id, person_id=p.id, kind=kind, start_date=start,
                               end_date=end)
                s.add(a)
                s.flush()
                assignments.append((a.id, o.id, p.id, kind, start, end))
            for _ in range(rnd.choice([0, 1, 3, 6, 10, 14, 30])):
                if rnd.random() < 0.5:  # near a boundary, on either side
                    day = rnd.choice(boundaries) + dt.timedelta(days=rnd.choice([-1, 0, 1]))
                else:
                    day = D("2025-01-01") + dt.timedelta(days=rnd.randrange(760))
                who = rnd.choice([*chosen, rnd.choice(officials), None])
                record = (p.id, who.id if who else None, rnd.choice(CHANNELS),
                          "unreachable" if rnd.random() < 0.1 else rnd.choice(["normal", "concern"]),
                          day, rnd.random() < 0.1)
                contacts.append(record)
        s.add_all(ContactRecord(person_id=p, official_id=o, channel=ch, status=st,
                                contact_date=day, voided=v)
                  for (p, o, ch, st, day, v) in contacts)
        s.flush()
        contact_dates.rebuild(s)  # the ledger's bulk-load path
    return persons, assignments, contacts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_status_matches_the_reference(runtime, seed):
    data = build(runtime, seed)
    rules = all_rules()
    by_county = {None: rules}
    listed = ("overdue", "due_soon")
    with runtime.read_sessions() as s:
        for day in map(D, DAYS):
            want = expected(data, rules, day)
            assert got(person_rule_status(s, by_county, day)) == want, day
            # the digest's way: only overdue and due-soon rows, streamed by official
            rows = list(iter_statuses(s, by_county, day, statuses=listed, by_official=True))
            assert got(rows) == {r for r in want if r[4] in listed}
            assert [r.official_id for r in rows] == sorted(r.official_id for r in rows)
            # the digest's lists: each official's rows, sorted as everywhere
            lists: dict[int, list] = {}
            for r in person_rule_status(s, by_county, day, statuses=listed):
                lists.setdefault(r.official_id, []).append(r)
            assert list(iter_due_lists(s, by_county, day, listed)) == sorted(lists.items())
            for chosen in (("done",), ("due", "done"), ("overdue",), ("due_soon", "done")):
                rows = person_rule_status(s, by_county, day, statuses=chosen)
                assert got(rows) == {r for r in want if r[4] in chosen}, (day, chosen)
            # the chat's progress line, per official and rule that judges someone of theirs
            for official in sorted({a[1] for a in data[1]}):
                mine = [r for r in want if r[1] == official]
                assert [(p.rule_id, p.done, p.total) for p in progress(s, by_county, day, official)] == [
                    (rule.id, sum(1 for r in mine if r[3] == rule.id and r[4] == "done"),
                     sum(1 for r in mine if r[3] == rule.id)) for rule in rules
                    if any(r[3] == rule.id for r in mine)], (day, official)


def test_statuses_cover_all_four(runtime):
    """The random provinces above reach every status (so the comparison means something)."""
    data = build(runtime, 1)
    seen = {row[4] for day in map(D, DAYS) for row in expected(data, all_rules(), day)}
    assert seen == set(STATUSES)
