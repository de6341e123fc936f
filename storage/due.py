"""Who is done, due soon, due or overdue: every open assignment judged by `storage.rules`.

SQL only fetches: one statement streams the open assignments in scope (an official, a region,
a person, or everyone), each with its person and the person's `contact_dates` rows. The
verdicts are `storage.rules`' — the progress line, 逾期/待访/查询, the digest, the festival
reminders, the dashboard and the mobile page all come through `iter_statuses`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, null, or_, select
from sqlalchemy.orm import Session

from storage.contact_dates import ANYONE, Dates, parse
from storage.models import Assignment, ContactDates, Person, Region
from storage.rules import STATUSES, Checkpoints, Judgement, Rule, applies, checkpoints

RulesByCounty = Mapping[int | None, Sequence[Rule]]  # county region id -> rules; None: the rest


class RuleStatus(NamedTuple):
    """One person judged by one rule through one assignment (a tuple: a province makes many).

    `last_contact` is the newest successful contact of any kind by anyone, `last_visit` the
    newest home visit; `last_qualifying` the newest contact that counts for this rule.
    """

    person_id: int
    person_name: str
    official_id: int
    assignment_id: int
    rule_id: str
    rule_label: str
    kind: str
    status: str
    last_contact: dt.date | None
    days_overdue: int
    done_count: int
    required: int
    village_id: int
    last_visit: dt.date | None
    last_qualifying: dt.date | None
    home_visit_only: bool


def distinct_rules(rules_by_county: RulesByCounty) -> list[Rule]:
    """Every rule of any county, once each, in first-seen order."""
    distinct: list[Rule] = []
    for rules in rules_by_county.values():
        distinct.extend(r for r in rules if r not in distinct)
    return distinct


@cache
def _scope_query(by_official_id: bool, by_region: bool, by_person: bool, ordered: bool,
                 by_county: bool) -> Any:
    """The statement for a scope (built once per shape: the chat asks for an official's rows
    with every contact it logs). Without `by_county` (every county has the same rules) the
    person's county is not looked up."""
    a, p = Assignment.__table__.c, Person.__table__.c
    village, township = Region.__table__.alias("v"), Region.__table__.alias("t")
    anyone, own = ContactDates.__table__.alias("anyone"), ContactDates.__table__.alias("own")
    today = bindparam("today", type_=Assignment.__table__.c.start_date.type)
    persons = Assignment.__table__.join(Person.__table__, p.id == a.person_id)
    if by_county:
        persons = (persons.join(village, village.c.id == p.village_id)
                   .outerjoin(township, township.c.id == village.c.parent_id))
    county = township.c.parent_id if by_county else null()
    query = (
        select(a.id, a.official_id, a.person_id, a.kind, a.start_date, p.name, p.village_id,
               p.special_hardship, county, anyone.c.contacts, anyone.c.visits,
               own.c.contacts, own.c.visits)
        .select_from(
            persons
            .outerjoin(anyone, and_(anyone.c.person_id == a.person_id,
                                    anyone.c.official_id == ANYONE))
            .outerjoin(own, and_(own.c.person_id == a.person_id,
                                 own.c.official_id == a.official_id, a.kind == "pairing")))
        .where(a.start_date <= today, or_(a.end_date.is_(None), a.end_date >= today),
               p.active.is_(True))
    )
    if by_official_id:
        query = query.where(a.official_id == bindparam("official_id"))
    if by_person:
        query = query.where(a.person_id == bindparam("person_id"))
    if by_region:
        rv, rt = Region.__table__.alias("rv"), Region.__table__.alias("rt")
        villages = (select(rv.c.id).select_from(rv.outerjoin(rt, rt.c.id == rv.c.parent_id))
                    .where(or_(rv.c.id == bindparam("region_id"),
                               rv.c.parent_id == bindparam("region_id"),
                               rt.c.parent_id == bindparam("region_id"))))
        query = query.where(p.village_id.in_(villages))
    return query.order_by(a.official_id, a.id) if ordered else query


def _newest(dates: list[dt.date], today: dt.date) -> dt.date | None:
    if dates and dates[0] <= today:  # nearly always: nothing is dated after the day judged
        return dates[0]
    return next((d for d in dates if d <= today), None)


def _judged(session: Session, rules_by_county: RulesByCounty, today: dt.date, scope: dict,
            by_official: bool, cache: Dates) -> Iterator[tuple[tuple, Rule, Judgement]]:
    """(row, rule, judgement) for every rule that judges a row of the scope's statement."""
    # (county, kind, special hardship) -> the rules that judge such a row, with their
    # checkpoints of the day: worked out once, not per row.
    plans: dict[tuple[int | None, str, bool], list[tuple[Rule, Checkpoints]]] = {}

    def plan(county: int | None, kind: str, hardship: bool) -> list[tuple[Rule, Checkpoints]]:
        rules = rules_by_county.get(county, rules_by_county.get(None, ()))
        found = plans[county, kind, hardship] = [
            (rule, checkpoints(rule, today)) for rule in rules if applies(rule, kind, hardship)]
        return found

    # Counties matter only when their rules differ.
    by_county = len({tuple(rules) for rules in rules_by_county.values()}) > 1 or (
        None not in rules_by_county)
    query = _scope_query(scope.get("official_id") is not None,
                         scope.get("region_id") is not None,
                         scope.get("person_id") is not None, by_official, by_county)
    result = session.execute(query, {"today": today, **scope},
                             execution_options={"yield_per": 5_000})
    for row in result:
        kind, start, hardship, county = row[3], row[4], row[7], row[8]
        judged = plans.get((county, kind, hardship)) or plan(county, kind, hardship)
        contacts = visits = None
        for rule, cp in judged:
            if kind == "pairing":  # only the cadre's own contacts count
                dates = parse(row[12] if rule.home_visit_only else row[11], cache)
            elif rule.home_visit_only:
                dates = visits = parse(row[10], cache) if visits is None else visits
            else:
                dates = contacts = parse(row[9], cache) if contacts is None else contacts
            yield row, rule, cp.judge(start, dates)


def iter_statuses(
    session: Session,
    rules_by_county: RulesByCounty,
    today: dt.date,
    *,
    official_id: int | None = None,
    region_id: int | None = None,
    person_id: int | None = None,
    statuses: Iterable[str] | None = None,
    by_official: bool = False,
) -> Iterator[RuleStatus]:
    """Every (assignment, rule) in scope judged on `today`, streamed (by official if asked)."""
    wanted = frozenset(STATUSES if statuses is None else statuses)
    scope = {k: v for k, v in (("official_id", official_id), ("region_id", region_id),
                               ("person_id", person_id)) if v is not None}
    cache = Dates()
    for row, rule, j in _judged(session, rules_by_county, today, scope, by_official, cache):
        if j.status not in wanted:
            continue
        aid, oid, pid, kind, _start, name, village = row[:7]
        yield RuleStatus(pid, name, oid, aid, rule.id, rule.label, kind, j.status,
                         _newest(parse(row[9], cache), today), j.days_overdue, j.done,
                         j.required, village, _newest(parse(row[10], cache), today), j.last,
                         rule.home_visit_only)


_RANK = {status: i for i, status in enumerate(STATUSES)}


def _order(row: RuleStatus) -> tuple:
    return (_RANK[row.status], -row.days_overdue, row.last_contact or dt.date.min,
            row.person_name, row.person_id, row.rule_id, row.assignment_id)


def sort_rows(rows: Iterable[RuleStatus]) -> list[RuleStatus]:
    """Overdue first, most overdue first; then due soon, due, done; never contacted first."""
    return sorted(rows, key=_order)


def person_rule_status(session: Session, rules_by_county: RulesByCounty, today: dt.date,
                       **scope: Any) -> list[RuleStatus]:
    """`iter_statuses` as a sorted list (for one official, person or region at a time)."""
    return sort_rows(iter_statuses(session, rules_by_county, today, **scope))


def iter_due_lists(session: Session, rules_by_county: RulesByCounty, today: dt.date,
                   statuses: Iterable[str]) -> Iterator[tuple[int, list[RuleStatus]]]:
    """Per official, in official order: their rows of `statuses`, sorted (the daily digest)."""
    current: int | None = None
    rows: list[RuleStatus] = []
    for row in iter_statuses(session, rules_by_county, today, statuses=statuses,
                             by_official=True):
        if row.official_id != current:
            if rows and current is not None:
                yield current, sort_rows(rows)
            current, rows = row.official_id, []
        rows.append(row)
    if rows and current is not None:
        yield current, sort_rows(rows)


def unjudged(session: Session, rules_by_county: RulesByCounty, today: dt.date,
             official_id: int) -> dict[str, int]:
    """kind -> how many of the official's persons hold an assignment of that kind that no rule
    judges (a pairing under a preset without pairing rules)."""
    query = _scope_query(True, False, False, False, True)
    counts: dict[str, set[int]] = {}
    for row in session.execute(query, {"today": today, "official_id": official_id}):
        kind, hardship, county = row[3], row[7], row[8]
        rules = rules_by_county.get(county, rules_by_county.get(None, ()))
        if not any(applies(rule, kind, hardship) for rule in rules):
            counts.setdefault(kind, set()).add(row[2])
    return {kind: len(persons) for kind, persons in counts.items()}


@dataclass(frozen=True)
class Progress:
    rule_id: str
    rule_label: str
    done: int
    total: int


def progress(session: Session, rules_by_county: RulesByCounty, today: dt.date,
             official_id: int) -> list[Progress]:
    """Per rule that judges someone of the official's: persons done / persons judged."""
    done: dict[str, set[int]] = {}
    judged: dict[str, set[int]] = {}
    labels: dict[str, str] = {}
    scope = {"official_id": official_id}
    for row, rule, j in _judged(session, rules_by_county, today, scope, False, Dates()):
        judged.setdefault(rule.id, set()).add(row[2])
        if j.status == "done":
            done.setdefault(rule.id, set()).add(row[2])
        labels[rule.id] = rule.label
    order = [r.id for r in distinct_rules(rules_by_county)]
    return [Progress(rid, labels[rid], len(done.get(rid, ())), len(judged[rid]))
            for rid in order if rid in judged]
