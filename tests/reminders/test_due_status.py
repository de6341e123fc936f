"""storage.due: each kind of rule judged at chosen dates, on the semantics of docs/policies.md."""

from __future__ import annotations

import datetime as dt

from storage.due import person_rule_status, progress
from storage.rules import Rule

D = dt.date.fromisoformat

QUARTERLY_HOME = Rule("q_home", "每季度入户", "jurisdiction", "quarter", 1, True, False, 14)
MONTHLY_HARDSHIP = Rule("m_home", "每月入户", "jurisdiction", "month", 1, True, True, 7)
YEAR_CONTACTS = Rule("y_contact", "每年联系4次", "pairing", "year", 4, False, False, 14, True)
YEAR_HOME = Rule("y_home", "每年入户2次", "pairing", "year", 2, True, False, 14, True)
QUARTER_PAIRING = Rule("q_pair", "每季度联系", "pairing", "quarter", 1, False, False, 14)


def statuses(runtime, rules, today, **kw):
    with runtime.sessions() as s:
        rows = person_rule_status(s, {None: rules}, D(today), **kw)
    return {(r.person_name, r.rule_id): r for r in rows}


def test_quarterly_home_visit_boundaries(runtime, world):
    o = world.official("赵红梅")
    visited, phoned, never = (world.person(n) for n in ("张三", "李四", "王五"))
    for p in (visited, phoned, never):
        world.assign(o, p, start="2026-01-01")
    world.contact(visited, o, "2026-01-10")
    world.contact(phoned, o, "2026-01-10", channel="phone")

    q1_mid = statuses(runtime, [QUARTERLY_HOME], "2026-02-15")
    assert q1_mid["张三", "q_home"].status == "done"
    assert q1_mid["李四", "q_home"].status == "due"  # a phone call is not a home visit
    # the quarter ends 03-31: due soon from 14 days before
    assert statuses(runtime, [QUARTERLY_HOME], "2026-03-16")["李四", "q_home"].status == "due"
    assert statuses(runtime, [QUARTERLY_HOME], "2026-03-17")["李四", "q_home"].status == "due_soon"
    assert statuses(runtime, [QUARTERLY_HOME], "2026-03-31")["王五", "q_home"].status == "due_soon"

    q2 = statuses(runtime, [QUARTERLY_HOME], "2026-04-01")
    assert q2["张三", "q_home"].status == "due"
    assert q2["李四", "q_home"].status == "overdue"
    assert q2["王五", "q_home"].status == "overdue"
    # 最近联系 is any successful contact; a home-visit rule also shows the last home visit
    assert q2["李四", "q_home"].last_contact == D("2026-01-10")
    assert q2["李四", "q_home"].last_visit is None
    assert q2["张三", "q_home"].last_visit == D("2026-01-10")

    world.contact(phoned, o, "2026-04-02")
    assert statuses(runtime, [QUARTERLY_HOME], "2026-04-03")["李四", "q_home"].status == "done"


def test_overdue_persists_until_a_qualifying_contact(runtime, world):
    o = world.official("赵红梅")
    p = world.person("张三")
    world.assign(o, p)
    world.contact(p, o, "2025-05-01")
    rows = statuses(runtime, [QUARTERLY_HOME], "2026-02-01")
    assert rows["张三", "q_home"].status == "overdue"
    # missed since the end of 2025Q3 (the first quarter after the visit)
    assert rows["张三", "q_home"].days_overdue == (D("2026-02-01") - D("2025-09-30")).days


def test_monthly_rule_only_for_hardship_and_lead_time_seven_days(runtime, world):
    o = world.official("赵红梅")
    hard, plain = world.person("张三", hardship=True), world.person("李四")
    world.assign(o, hard, start="2026-01-01")
    world.assign(o, plain, start="2026-01-01")
    world.contact(hard, o, "2026-01-05")
    world.contact(plain, o, "2026-01-05")
    rules = [QUARTERLY_HOME, MONTHLY_HARDSHIP]
    jan = statuses(runtime, rules, "2026-01-24")
    assert jan["张三", "m_home"].status == "done"
    assert ("李四", "m_home") not in jan
    feb21 = statuses(runtime, rules, "2026-02-20")
    assert feb21["张三", "m_home"].status == "due"
    assert statuses(runtime, rules, "2026-02-21")["张三", "m_home"].status == "due_soon"
    mar = statuses(runtime, rules, "2026-03-01")
    assert mar["张三", "m_home"].status == "overdue"
    assert mar["张三", "q_home"].status == "done"


def test_failed_attempts_and_voided_records_do_not_count(runtime, world):
    o = world.official("赵红梅")
    a, b, c = (world.person(n) for n in ("张三", "李四", "王五"))
    for p in (a, b, c):
        world.assign(o, p, start="2026-01-01")
    world.contact(a, o, "2026-01-10", status="unreachable")
    world.contact(b, o, "2026-01-10", voided=True)
    world.contact(c, o, "2026-01-10", status="urgent")
    rows = statuses(runtime, [QUARTERLY_HOME], "2026-04-01")
    assert rows["张三", "q_home"].status == "overdue"
    assert rows["李四", "q_home"].status == "overdue"
    assert rows["王五", "q_home"].status == "due"


def test_unknown_channel_counts_as_contact_not_home_visit(runtime, world):
    cadre = world.official("周文", role="cadre", rank="科级")
    p = world.person("张三")
    world.assign(cadre, p, kind="pairing", start="2026-01-01")
    world.contact(p, cadre, "2026-01-10", channel=None)
    rows = statuses(runtime, [QUARTER_PAIRING, YEAR_HOME], "2026-02-01")
    assert rows["张三", "q_pair"].status == "done"
    assert rows["张三", "y_home"].done_count == 0


def test_assignment_start_mid_period(runtime, world):
    o = world.official("赵红梅")
    p = world.person("张三")
    world.assign(o, p, start="2026-02-10")
    world.contact(p, o, "2026-01-20")  # before the assignment: counts in its own quarter
    rows = statuses(runtime, [QUARTERLY_HOME], "2026-03-01")
    assert rows["张三", "q_home"].status == "done"
    assert rows["张三", "q_home"].done_count == 1
    # a quarter that ended before the start is held against no one
    q = world.person("李四")
    world.assign(o, q, start="2026-04-05")
    assert statuses(runtime, [QUARTERLY_HOME], "2026-04-10")["李四", "q_home"].status == "due"
    # the quarter that contained the start is: 王五 started 02-10 and was never visited
    r = world.person("王五")
    world.assign(o, r, start="2026-02-10")
    assert statuses(runtime, [QUARTERLY_HOME], "2026-04-01")["王五", "q_home"].status == "overdue"
    assert statuses(runtime, [QUARTERLY_HOME], "2026-04-01")["张三", "q_home"].status == "due"


def test_history_entered_after_an_import_counts(runtime, world):
    """Imported on 11-25 without start dates; the paper ledger's visit of 11-03 entered later."""
    o = world.official("赵红梅")
    p, hard = world.person("张三"), world.person("李四", hardship=True)
    world.assign(o, p, start="2026-11-25")
    world.assign(o, hard, start="2026-11-25")
    world.contact(p, o, "2026-11-03")
    world.contact(hard, o, "2026-11-03")
    rows = statuses(runtime, [QUARTERLY_HOME, MONTHLY_HARDSHIP], "2026-12-03")
    assert rows["张三", "q_home"].status == "done"
    assert rows["李四", "q_home"].status == "done"
    assert rows["李四", "m_home"].status == "due"  # November was done; December is open
    with runtime.sessions() as s:
        prog = progress(s, {None: [QUARTERLY_HOME, MONTHLY_HARDSHIP]}, D("2026-12-03"), o)
    assert [(x.rule_id, x.done, x.total) for x in prog] == [("q_home", 2, 2), ("m_home", 0, 1)]


def test_the_policy_example(runtime, world):
    """docs/policies.md's example: imported 2027-05-20, visits entered afterwards."""
    o = world.official("赵红梅")
    a, b, c = world.person("A"), world.person("B", hardship=True), world.person("C", hardship=True)
    for p in (a, b, c):
        world.assign(o, p, start="2027-05-20")
    world.contact(a, o, "2027-04-12")
    world.contact(b, o, "2027-05-06")
    rules = [QUARTERLY_HOME, MONTHLY_HARDSHIP]
    may = statuses(runtime, rules, "2027-05-26")
    assert may["B", "m_home"].status == "done"
    assert may["C", "m_home"].status == "due_soon"
    june = statuses(runtime, rules, "2027-06-02")
    assert june["C", "m_home"].status == "overdue"
    assert june["B", "m_home"].status == "due"
    assert june["A", "q_home"].status == "done"
    assert june["B", "q_home"].status == "done"


def test_assignment_not_started_ended_or_inactive_person_is_not_judged(runtime, world):
    o = world.official("赵红梅")
    future, ended, gone = world.person("张三"), world.person("李四"), world.person("王五", active=False)
    world.assign(o, future, start="2026-06-01")
    world.assign(o, ended, end="2026-01-31")
    world.assign(o, gone)
    assert statuses(runtime, [QUARTERLY_HOME], "2026-03-01") == {}


def test_pairing_counts_only_the_cadres_own_contacts(runtime, world):
    cadre = world.official("周文", role="cadre", rank="科级")
    member = world.official("赵红梅")
    p = world.person("张三")
    world.assign(cadre, p, kind="pairing", start="2026-01-01")
    world.assign(member, p, kind="jurisdiction", start="2026-01-01")
    world.contact(p, member, "2026-01-10")
    rows = statuses(runtime, [QUARTERLY_HOME, QUARTER_PAIRING], "2026-04-01")
    assert rows["张三", "q_home"].status == "due"
    assert rows["张三", "q_home"].official_id == member
    assert rows["张三", "q_pair"].status == "overdue"
    assert rows["张三", "q_pair"].official_id == cadre


def test_jurisdiction_counts_anyones_contact(runtime, world):
    m1, m2 = world.official("赵红梅"), world.official("钱国栋")
    p = world.person("张三")
    world.assign(m1, p, start="2026-01-01")
    world.assign(m2, p, start="2026-01-01")
    world.contact(p, m2, "2026-01-10")
    rows = statuses(runtime, [QUARTERLY_HOME], "2026-02-01")
    assert {r.status for r in rows.values()} == {"done"}
    with runtime.sessions() as s:
        both = person_rule_status(s, {None: [QUARTERLY_HOME]}, D("2026-02-01"))
    assert sorted(r.official_id for r in both) == sorted([m1, m2])


def test_yearly_quota_paced_by_quarter(runtime, world):
    cadre = world.official("周文", role="cadre", rank="处级")
    p = world.person("张三")
    world.assign(cadre, p, kind="pairing", start="2026-01-01")
    rules = [YEAR_CONTACTS, YEAR_HOME]
    world.contact(p, cadre, "2026-02-01", channel="phone")
    q1 = statuses(runtime, rules, "2026-03-01")
    assert q1["张三", "y_contact"].status == "done"  # ceil(4*1/4) = 1
    assert q1["张三", "y_home"].status == "due"  # ceil(2*1/4) = 1
    q2 = statuses(runtime, rules, "2026-04-01")
    assert q2["张三", "y_contact"].status == "due"  # Q1 met; Q2 needs 2
    assert q2["张三", "y_home"].status == "overdue"  # Q1 needed one home visit
    assert q2["张三", "y_contact"].required == 2
    world.contact(p, cadre, "2026-04-02")  # a home visit is a contact too
    q2b = statuses(runtime, rules, "2026-04-03")
    assert q2b["张三", "y_contact"].status == "done"
    assert q2b["张三", "y_home"].status == "done"  # ceil(2*2/4) = 1
    q3 = statuses(runtime, rules, "2026-07-01")
    assert q3["张三", "y_contact"].status == "due"
    assert q3["张三", "y_home"].status == "due"  # ceil(2*3/4) = 2
    assert statuses(runtime, rules, "2026-09-20")["张三", "y_home"].status == "due_soon"
    q4 = statuses(runtime, rules, "2026-10-01")
    assert q4["张三", "y_contact"].status == "overdue"
    assert q4["张三", "y_home"].status == "overdue"


def test_year_end_checkpoint_carries_into_january(runtime, world):
    cadre = world.official("周文", role="cadre", rank="处级")
    p = world.person("张三")
    world.assign(cadre, p, kind="pairing", start="2025-01-01")
    for day in ("2025-02-01", "2025-05-01", "2025-08-01"):
        world.contact(p, cadre, day, channel="phone")
    jan = statuses(runtime, [YEAR_CONTACTS], "2026-01-05")
    assert jan["张三", "y_contact"].status == "overdue"  # 3 of 4 by 2025-12-31
    world.contact(p, cadre, "2026-01-06", channel="sms")
    assert statuses(runtime, [YEAR_CONTACTS], "2026-01-07")["张三", "y_contact"].status == "done"


def test_filters_order_and_progress(runtime, world):
    o, other = world.official("赵红梅"), world.official("钱国栋")
    a, b, c = (world.person(n) for n in ("张三", "李四", "王五"))
    world.assign(o, a)
    world.assign(o, b)
    world.assign(other, c)
    world.contact(a, o, "2025-12-01")
    world.contact(b, o, "2025-03-01")
    world.contact(c, other, "2026-04-01")
    with runtime.sessions() as s:
        rows = person_rule_status(
            s, {None: [QUARTERLY_HOME]}, D("2026-04-10"), official_id=o,
            statuses=["overdue", "due_soon"],
        )
        assert [r.person_name for r in rows] == ["李四", "张三"]  # most overdue first
        assert all(r.status == "overdue" for r in rows)
        prog = progress(s, {None: [QUARTERLY_HOME]}, D("2026-04-10"), other)
        assert (prog[0].done, prog[0].total) == (1, 1)
        assert person_rule_status(s, {None: [QUARTERLY_HOME]}, D("2026-04-10"),
                                  region_id=world.township, statuses=["done"])[0].person_name == "王五"


def test_rules_by_county(runtime, world):
    other_county = world.region("华容县", "county", None)
    town = world.region("章华镇", "township", other_county)
    village = world.region("东山村", "village", town)
    o = world.official("赵红梅")
    p_here, p_there = world.person("张三"), world.person("李四", village=village)
    world.assign(o, p_here)
    world.assign(o, p_there)
    monthly_all = Rule("m_all", "每月入户", "jurisdiction", "month", 1, True, False, 7)
    with runtime.sessions() as s:
        rows = person_rule_status(
            s, {None: [QUARTERLY_HOME], other_county: [monthly_all]}, D("2026-03-01")
        )
    assert {(r.person_name, r.rule_id) for r in rows} == {("张三", "q_home"), ("李四", "m_all")}
