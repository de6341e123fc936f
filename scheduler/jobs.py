"""The reminder jobs: functions of (session, policies, now) that return the messages to queue.

Each message is a plain dict — exactly what `lianxin remind --dry-run --json` prints and what the
outbox row's payload holds — with a deterministic `dedupe_key`, so running a job twice, late, or
in two processes can only ever queue it once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from scheduler.festivals import upcoming
from scheduler.policies import Policies, Policy, county_policies, rules_by_county
from storage.clock import naive_utc
from storage.contact_dates import ANYONE
from storage.due import RuleStatus, iter_due_lists, person_rule_status
from storage.masking import mask_phone
from storage.models import Assignment, ContactDates, Need, Official, Person, Region
from storage.rules import period_bounds, quarter_of

KINDS = ("digest", "festival", "need_followup", "need_escalation", "pairing_review",
         "quarterly_report")


def message(kind: str, official: Official | Recipient, dedupe_key: str, *, urgent: bool = False,
            persons: Iterable[dict] = (), needs: Iterable[dict] = (), **extra) -> dict:
    return {
        "recipient": {"id": official.id, "name": official.name, "phone": mask_phone(official.phone)},
        "kind": kind,
        "persons": list(persons),
        "needs": list(needs),
        **extra,
        "urgent": urgent,
        "dedupe_key": dedupe_key,
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _person_item(row: RuleStatus) -> dict:
    item = {"name": row.person_name, "status": row.status, "rule": row.rule_label,
            "last_contact": _iso(row.last_contact)}
    if row.home_visit_only:
        item["last_visit"] = _iso(row.last_visit)
    return item


def _officials(session: Session, ids: Iterable[int]) -> dict[int, Official]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    found = session.scalars(select(Official).where(Official.id.in_(ids), Official.active)).all()
    return {o.id: o for o in found}


class Recipient(NamedTuple):
    """What `message` reads of an official."""

    id: int
    name: str
    phone: str | None


_official_id = attrgetter("official_id")


def _recipients(session: Session) -> dict[int, Recipient]:
    """Every active official, read once for a whole digest run (plain tuples, few objects)."""
    # Core columns, not ORM entities: a province has 10^5 officials.
    officials = Official.__table__.c
    rows = session.execute(select(officials.id, officials.name, officials.phone)
                           .where(officials.active))
    return {row[0]: Recipient(*row) for row in rows}


def iter_digest(session: Session, policies: Policies, now: dt.datetime) -> Iterator[dict]:
    """One message per official with overdue or due-soon persons, most overdue first.

    Streamed one official at a time, so a province's digests never sit in memory together.
    """
    day = policies.schedule.clock.today(now)
    rules = rules_by_county(county_policies(session, policies))
    recipients = _recipients(session)
    for official_id, rows in iter_due_lists(session, rules, day, ("overdue", "due_soon")):
        recipient = recipients.get(official_id)
        if recipient is not None:
            yield message("digest", recipient, f"digest:{official_id}:{day.isoformat()}",
                          persons=[_person_item(row) for row in rows])


def digest(session: Session, policies: Policies, now: dt.datetime) -> list[dict]:
    return list(iter_digest(session, policies, now))


def _county_of_person():
    village, township = aliased(Region), aliased(Region)
    return village, township, township.parent_id


def _greeted(session: Session, day: dt.date) -> list[Any]:
    """(official, county, person name, kind, hardship, newest contacts) of every open assignment."""
    village, township, county_id = _county_of_person()
    return list(session.execute(
        select(Assignment.official_id, county_id, Person.name, Assignment.kind,
               Person.special_hardship, ContactDates.contacts)
        .join(Person, Person.id == Assignment.person_id)
        .join(village, village.id == Person.village_id)
        .outerjoin(township, township.id == village.parent_id)
        .outerjoin(ContactDates, (ContactDates.person_id == Person.id)
                   & (ContactDates.official_id == ANYONE))
        .where(Person.active, Assignment.start_date <= day,
               (Assignment.end_date.is_(None)) | (Assignment.end_date >= day))
        .order_by(Assignment.official_id, Person.name, Person.id)
    ))


def festival(session: Session, policies: Policies, now: dt.datetime) -> list[dict]:
    """A few days before each festival, once: each official with someone to greet, and whom.

    A cadre greets their paired persons; a village member (jurisdiction) the persons the
    policy's `festival_greets` names — special-hardship persons by default, or all, or none.
    """
    day = policies.schedule.clock.today(now)
    by_county = county_policies(session, policies)
    soon: dict[Policy, list[tuple[str, dt.date]]] = {}  # the same for all of a policy's officials
    wanted: dict[int, dict[str, dt.date]] = defaultdict(dict)
    persons: dict[int, list[dict]] = defaultdict(list)
    for official_id, county, name, kind, hardship, contacts in _greeted(session, day):
        policy: Policy = by_county.get(county) or by_county[None]
        greets = policy.festival_greets
        if kind != "pairing" and not (greets == "all" or (greets == "hardship" and hardship)):
            continue
        if policy not in soon:
            soon[policy] = upcoming(policies.festivals, policy.festivals, day,
                                    policy.festival_lead_days)
        if not soon[policy]:
            continue
        for festival_name, date in soon[policy]:
            wanted[official_id][festival_name] = date
        last = next((d for d in (contacts or "").split(",") if d and d <= day.isoformat()), None)
        persons[official_id].append({"name": name, "kind": kind, "last_contact": last})
    officials = _officials(session, wanted)
    out = []
    for oid in sorted(wanted):
        if oid not in officials:
            continue
        for name, date in sorted(wanted[oid].items(), key=lambda item: (item[1], item[0])):
            out.append(message("festival", officials[oid], f"festival:{oid}:{name}:{date.year}",
                               festival={"name": name, "date": date.isoformat()},
                               persons=persons[oid]))
    return out


def _need_item(need: Need, person_name: str) -> dict:
    return {
        "id": need.id, "person": person_name, "category": need.category,
        "urgency": need.urgency, "status": need.status,
        "created": need.created_at.date().isoformat(),
    }


def _open_needs(session: Session):
    village, township, county_id = _county_of_person()
    return session.execute(
        select(Need, Person.name, township.id, county_id)
        .join(Person, Person.id == Need.person_id)
        .join(village, village.id == Person.village_id)
        .outerjoin(township, township.id == village.parent_id)
        .where(Need.status.in_(("open", "in_progress")))
        .order_by(Need.id)
    ).all()


def need_followup(session: Session, policies: Policies, now: dt.datetime) -> list[dict]:
    """An open need nobody touched for N days (urgent: fewer) reminds its owner, every N days."""
    by_county = county_policies(session, policies)
    utc_now = naive_utc(now)
    due = []
    for need, person_name, _township, county in _open_needs(session):
        policy = by_county.get(county) or by_county[None]
        urgent = need.urgency == "urgent"
        days = policy.urgent_followup_days if urgent else policy.need_followup_days
        if need.owner_official_id is None or utc_now - need.updated_at < dt.timedelta(days=days):
            continue
        n = (utc_now - need.created_at) // dt.timedelta(days=days)
        due.append((need, person_name, urgent, n))
    officials = _officials(session, [need.owner_official_id for need, *_ in due])
    return [
        message("need_followup", officials[need.owner_official_id],
                f"need_followup:{need.id}:{n}", urgent=urgent,
                needs=[_need_item(need, person_name)])
        for need, person_name, urgent, n in due if need.owner_official_id in officials
    ]


def _staff(session: Session, role: str, region_ids: Iterable[int]) -> dict[int, list[Official]]:
    ids = sorted({r for r in region_ids if r is not None})
    staff: dict[int, list[Official]] = defaultdict(list)
    if ids:
        query = (select(Official).where(Official.role == role, Official.active,
                                        Official.region_id.in_(ids)).order_by(Official.id))
        for official in session.scalars(query):
            staff[official.region_id].append(official)  # type: ignore[index]
    return staff


def need_escalation(session: Session, policies: Policies, now: dt.datetime) -> list[dict]:
    """A need still `open` after M days (urgent: sooner) goes to the person's township staff."""
    by_county = county_policies(session, policies)
    utc_now = naive_utc(now)
    late = []
    for need, person_name, township, county in _open_needs(session):
        policy = by_county.get(county) or by_county[None]
        urgent = need.urgency == "urgent"
        days = policy.urgent_escalation_days if urgent else policy.need_escalation_days
        if need.status == "open" and utc_now - need.created_at >= dt.timedelta(days=days):
            late.append((need, person_name, township, urgent))
    staff = _staff(session, "township", [t for _, _, t, _ in late])
    return [
        message("need_escalation", official, f"need_escalation:{need.id}:{official.id}",
                urgent=urgent, needs=[_need_item(need, person_name)])
        for need, person_name, township, urgent in late
        for official in staff.get(township, [])
    ]


def pairing_review(session: Session, policies: Policies, now: dt.datetime) -> list[dict]:
    """Pairings older than the review age (2 years) go to the county staff, once each."""
    day = policies.schedule.clock.today(now)
    by_county = county_policies(session, policies)
    village, township, county_id = _county_of_person()
    cadre = aliased(Official)
    rows = session.execute(
        select(Assignment, Person.name, cadre.name, county_id)
        .join(Person, Person.id == Assignment.person_id)
        .join(cadre, cadre.id == Assignment.official_id)
        .join(village, village.id == Person.village_id)
        .outerjoin(township, township.id == village.parent_id)
        .where(Assignment.kind == "pairing", Person.active,
               (Assignment.end_date.is_(None)) | (Assignment.end_date >= day))
        .order_by(Assignment.id)
    ).all()
    due = []
    for assignment, person_name, cadre_name, county in rows:
        years = (by_county.get(county) or by_county[None]).pairing_review_years
        start = assignment.start_date
        try:
            review = start.replace(year=start.year + years)
        except ValueError:  # 29 February
            review = start.replace(year=start.year + years, day=28)
        if review <= day:
            due.append((assignment, person_name, cadre_name, county))
    staff = _staff(session, "county", [c for *_, c in due])
    return [
        message("pairing_review", official, f"pairing_review:{a.id}:{official.id}",
                persons=[{"name": person_name, "cadre": cadre_name,
                          "since": a.start_date.isoformat()}])
        for a, person_name, cadre_name, county in due
        for official in staff.get(county, [])
    ]


def quarterly_report(session: Session, policies: Policies, now: dt.datetime) -> list[dict]:
    """季通报 after a quarter ends: coverage by village or cadre unit, late units named."""
    day = policies.schedule.clock.today(now)
    if (day - period_bounds("quarter", day)[0]).days + 1 < policies.schedule.quarterly_report_day:
        return []
    quarter_end = period_bounds("quarter", day)[0] - dt.timedelta(days=1)
    label = f"{quarter_end.year}Q{quarter_of(quarter_end)}"
    by_county = county_policies(session, policies)
    rules = rules_by_county(by_county)
    staff = session.scalars(
        select(Official).where(Official.role.in_(("township", "county")), Official.active,
                               Official.region_id.is_not(None)).order_by(Official.id)
    ).all()
    out = []
    for official in staff:
        assert official.region_id is not None  # selected above
        rows = person_rule_status(session, rules, quarter_end, region_id=official.region_id)
        if not rows:
            continue
        coverage = _coverage(session, rows)
        late = [c["unit"] for c in coverage if c["done"] < c["total"]]
        report: dict[str, object] = {"quarter": label, "coverage": coverage, "late_units": late}
        policy = by_county.get(_county_id(session, official.region_id)) or by_county[None]
        if policy.pairing_quotas:
            report["pairing_quota_short"] = _quota_short(session, policy, official.region_id,
                                                         quarter_end)
        out.append(message("quarterly_report", official,
                           f"quarterly_report:{official.id}:{label}", report=report))
    return out


def _subtree(session: Session, region_id: int) -> list[int]:
    children = select(Region.id).where(Region.parent_id == region_id)
    grandchildren = select(Region.id).where(Region.parent_id.in_(children))
    return [region_id, *session.scalars(children), *session.scalars(grandchildren)]


def _county_id(session: Session, region_id: int | None) -> int | None:
    while region_id is not None:
        region = session.get(Region, region_id)
        if region is None or region.level == "county":
            return region_id
        region_id = region.parent_id
    return None


def _quota_short(session: Session, policy: Policy, region_id: int, day: dt.date) -> list[dict]:
    """Cadres of the region pairing with fewer households than their rank asks (岳阳: 处级 4 …)."""
    quotas = dict(policy.pairing_quotas)
    open_pairings = (
        select(Assignment.official_id, func.count().label("n"))
        .where(Assignment.kind == "pairing", Assignment.start_date <= day,
               (Assignment.end_date.is_(None)) | (Assignment.end_date >= day))
        .group_by(Assignment.official_id).subquery()
    )
    rows = session.execute(
        select(Official.name, Official.rank, func.coalesce(open_pairings.c.n, 0))
        .outerjoin(open_pairings, open_pairings.c.official_id == Official.id)
        .where(Official.role == "cadre", Official.active,
               Official.region_id.in_(_subtree(session, region_id)))
        .order_by(Official.id)
    ).all()
    return [
        {"name": name, "rank": rank, "pairings": n, "quota": quotas.get(rank or "其他", 1)}
        for name, rank, n in rows if n < quotas.get(rank or "其他", 1)
    ]


def _coverage(session: Session, rows: list[RuleStatus]) -> list[dict]:
    """Persons done / persons judged, by village (jurisdiction) or by the cadre's unit (pairing)."""
    official_ids = {r.official_id for r in rows}
    villages = dict(session.execute(
        select(Region.id, Region.name).where(Region.id.in_({r.village_id for r in rows}))).all())
    units = dict(session.execute(
        select(Official.id, Official.unit).where(Official.id.in_(official_ids))).all())
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        unit = units.get(r.official_id) if r.kind == "pairing" else None
        key = unit or villages.get(r.village_id, "?")
        totals[key][1] += 1
        totals[key][0] += r.status == "done"
    return [{"unit": k, "done": v[0], "total": v[1]} for k, v in sorted(totals.items())]


STREAMING_JOBS = {"digest": iter_digest}

JOBS = {
    "digest": digest,
    "festival": festival,
    "need_followup": need_followup,
    "need_escalation": need_escalation,
    "pairing_review": pairing_review,
    "quarterly_report": quarterly_report,
}
