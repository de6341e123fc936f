"""The reminder jobs on a small county, with the clock passed in."""

from __future__ import annotations

import datetime as dt

from scheduler import jobs
from scheduler.policies import load_policies
from scheduler.reminders import collect, run
from storage.clock import LocalClock

SHANGHAI = LocalClock().zone

POLICIES = load_policies()


def at(day: str, hour: int = 8) -> dt.datetime:
    return LocalClock().at(dt.date.fromisoformat(day), hour)


def run_job(runtime, job, now):
    with runtime.sessions() as s:
        return job(s, POLICIES, now)


def test_digest_lists_overdue_first_and_skips_officials_with_nothing_due(runtime, world):
    busy, idle = world.official("赵红梅"), world.official("钱国栋")
    a, b, c = world.person("张三"), world.person("李四"), world.person("王五")
    for p in (a, b):
        world.assign(busy, p, start="2026-01-01")
    world.assign(idle, c, start="2026-01-01")
    world.contact(c, idle, "2026-04-02")
    world.contact(a, busy, "2026-01-20")  # Q1 done, Q2 due soon from 06-16
    messages = run_job(runtime, jobs.digest, at("2026-06-20"))
    assert [m["recipient"]["id"] for m in messages] == [busy]
    persons = messages[0]["persons"]
    assert [(p["name"], p["status"]) for p in persons] == [("李四", "overdue"), ("张三", "due_soon")]
    assert persons[1]["last_contact"] == "2026-01-20"


def test_festival_reminders_once_to_officials_with_households(runtime, world):
    member = world.official("赵红梅")
    cadre = world.official("周文", role="cadre", rank="科级")
    world.official("没有户的人")
    p, plain, paired = world.person("张三", hardship=True), world.person("李四"), world.person("王五")
    world.assign(member, p)
    world.assign(member, plain)  # not special hardship: a village member does not greet by rule
    world.assign(cadre, p, kind="pairing")
    world.assign(cadre, paired, kind="pairing")
    # 中秋 2026 is 09-25: reminded 3 days ahead (and, if that day was missed, until the eve)
    assert run_job(runtime, jobs.festival, at("2026-09-21")) == []
    messages = run_job(runtime, jobs.festival, at("2026-09-22"))
    assert sorted(m["recipient"]["id"] for m in messages) == sorted([member, cadre])
    assert messages[0]["festival"] == {"name": "中秋", "date": "2026-09-25"}
    assert messages[0]["dedupe_key"] == f"festival:{messages[0]['recipient']['id']}:中秋:2026"
    # whom to greet: the cadre's paired persons, the village member's special-hardship ones
    greet = {m["recipient"]["id"]: [x["name"] for x in m["persons"]] for m in messages}
    assert greet == {member: ["张三"], cadre: ["张三", "王五"]}
    assert run(runtime.sessions, POLICIES, at("2026-09-22"), ["festival"]) == 2
    assert run(runtime.sessions, POLICIES, at("2026-09-23"), ["festival"]) == 0
    # 助残日 2026 = third Sunday of May = 05-17
    assert {m["festival"]["name"] for m in run_job(runtime, jobs.festival, at("2026-05-14"))} \
        == {"全国助残日"}


def test_need_followup_and_escalation(runtime, world):
    member = world.official("赵红梅")
    town = world.official("孙镇长", role="township", region=world.township)
    other_town = world.region("梅仙镇", "township", world.county)
    world.official("别镇的人", role="township", region=other_town)
    p = world.person("张三")
    created = dt.datetime(2026, 4, 1, 2, 0)  # naive UTC
    normal = world.need(p, member, created)
    urgent = world.need(p, member, created, urgency="urgent", text="摔倒了")
    world.need(p, member, created, status="resolved")
    day2 = run_job(runtime, jobs.need_followup, dt.datetime(2026, 4, 2, 3, tzinfo=dt.UTC))
    assert [m["needs"][0]["id"] for m in day2] == [urgent]
    assert day2[0]["urgent"] is True
    day4 = run_job(runtime, jobs.need_followup, dt.datetime(2026, 4, 4, 3, tzinfo=dt.UTC))
    assert {m["dedupe_key"] for m in day4} == {f"need_followup:{normal}:1",
                                               f"need_followup:{urgent}:3"}
    esc = run_job(runtime, jobs.need_escalation, dt.datetime(2026, 4, 2, 3, tzinfo=dt.UTC))
    assert [(m["recipient"]["id"], m["needs"][0]["id"]) for m in esc] == [(town, urgent)]
    esc8 = run_job(runtime, jobs.need_escalation, dt.datetime(2026, 4, 8, 3, tzinfo=dt.UTC))
    assert {m["dedupe_key"] for m in esc8} == {f"need_escalation:{normal}:{town}",
                                               f"need_escalation:{urgent}:{town}"}


def test_pairing_review_after_two_years_to_county_staff(runtime, world):
    county = world.official("县残联", role="county", region=world.county)
    cadre = world.official("周文", role="cadre", rank="科级")
    old, new = world.person("张三"), world.person("李四")
    a_old = world.assign(cadre, old, kind="pairing", start="2024-06-01")
    world.assign(cadre, new, kind="pairing", start="2025-06-01")
    assert run_job(runtime, jobs.pairing_review, at("2026-05-31")) == []
    messages = run_job(runtime, jobs.pairing_review, at("2026-06-01"))
    assert [(m["recipient"]["id"], m["persons"][0]["name"]) for m in messages] == [(county, "张三")]
    assert messages[0]["dedupe_key"] == f"pairing_review:{a_old}:{county}"


def test_quarterly_report_names_late_units(runtime, world):
    town = world.official("孙镇长", role="township", region=world.township)
    county = world.official("县残联", role="county", region=world.county)
    v2 = world.region("东山村", "village", world.township)
    m1, m2 = world.official("赵红梅"), world.official("钱国栋", region=v2)
    a, b = world.person("张三"), world.person("李四", village=v2)
    world.assign(m1, a, start="2026-01-01")
    world.assign(m2, b, start="2026-01-01")
    world.contact(a, m1, "2026-02-01")
    assert run_job(runtime, jobs.quarterly_report, at("2026-04-02")) == []
    messages = run_job(runtime, jobs.quarterly_report, at("2026-04-03"))
    assert sorted(m["recipient"]["id"] for m in messages) == sorted([town, county])
    report = messages[0]["report"]
    assert report["quarter"] == "2026Q1"
    assert {c["unit"]: (c["done"], c["total"]) for c in report["coverage"]} == {
        "五里村": (1, 1), "东山村": (0, 1)}
    assert report["late_units"] == ["东山村"]
    assert messages[0]["dedupe_key"] == f"quarterly_report:{messages[0]['recipient']['id']}:2026Q1"


def test_collect_is_what_run_queues(runtime, world):
    o = world.official("赵红梅")
    world.assign(o, world.person("张三"))
    now = dt.datetime(2026, 4, 1, 8, tzinfo=SHANGHAI)
    with runtime.sessions() as s:
        preview = collect(s, POLICIES, now)
    assert run(runtime.sessions, POLICIES, now) == len(preview) > 0
    with runtime.sessions() as s:
        assert collect(s, POLICIES, now) == []


def test_quarterly_report_names_cadres_short_of_their_pairing_quota(runtime, world):
    with runtime.sessions.begin() as s:
        from storage.models import Region

        s.get(Region, world.county).policy = "yueyang_2023"
    county = world.official("县残联", role="county", region=world.county)
    senior = world.official("处长", role="cadre", rank="处级", region=world.township)
    junior = world.official("科员", role="cadre", rank="其他", region=world.township)
    p, q = world.person("张三"), world.person("李四")
    world.assign(senior, p, kind="pairing", start="2026-01-01")
    world.assign(junior, q, kind="pairing", start="2026-01-01")
    (report,) = [m["report"] for m in run_job(runtime, jobs.quarterly_report, at("2026-04-03"))
                 if m["recipient"]["id"] == county]
    assert report["pairing_quota_short"] == [
        {"name": "处长", "rank": "处级", "pairings": 1, "quota": 4}]


def test_every_kind_renders_to_text_and_short_template_values(runtime, world):
    from scheduler.render import TemplateKeywords, full_text, template_data

    town = world.official("孙镇长", role="township", region=world.township)
    world.official("县残联", role="county", region=world.county)
    member = world.official("赵红梅")
    cadre = world.official("周文", role="cadre", rank="科级", region=world.township)
    p = world.person("张三")
    world.assign(member, p, start="2024-01-01")
    world.assign(cadre, p, kind="pairing", start="2024-01-01")
    world.need(p, member, dt.datetime(2026, 3, 1), urgency="urgent")
    with runtime.sessions() as s:
        messages = collect(s, POLICIES, at("2026-04-03"))
        messages += collect(s, POLICIES, at("2026-09-22"), ["festival"])
    assert {m["kind"] for m in messages} == set(jobs.KINDS)
    assert town in {m["recipient"]["id"] for m in messages}
    for m in messages:
        assert full_text(m)
        values = template_data(m, TemplateKeywords(), dt.date(2026, 4, 3)).values()
        assert all(0 < len(v) <= 20 and "\n" not in v for v in values)
