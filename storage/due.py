"""Who is done, due soon, due or overdue under each contact rule — set-based SQL for everyone.

The definitions are DESIGN.md's ("What due and overdue mean"). Period bounds are the same for
every person on a day, so they are computed in Python (`storage.periods`) and bound as
parameters; one query per assignment kind joins the open assignments to the successful contacts
and counts, per assignment, the qualifying contacts of every rule of that kind with conditional
sums. The statuses are computed in SQL too, so a caller that only wants overdue rows gets only
those back. The SQL is plain enough to run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from storage.periods import checkpoints, overdue_since

KINDS = ("jurisdiction", "pairing")
STATUSES = ("overdue", "due_soon", "due", "done")


@dataclass(frozen=True)
class Rule:
    """At least `count` qualifying contacts per calendar `period` for each person of `kind`."""

    id: str
    label: str
    kind: str  # jurisdiction | pairing
    period: str  # month | quarter | year
    count: int = 1
    home_visit_only: bool = False
    hardship_only: bool = False
    lead_days: int = 14
    paced_by_quarter: bool = False


@dataclass(frozen=True)
class RuleStatus:
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


def _county_condition(rule: Rule, rules_by_county: Mapping[int | None, Sequence[Rule]], i: int):
    """SQL condition and parameters restricting rule `i` to the counties whose list holds it."""
    with_rule = [c for c, rules in rules_by_county.items() if c is not None and rule in rules]
    without = [c for c, rules in rules_by_county.items() if c is not None and rule not in rules]
    if rule in rules_by_county.get(None, ()):
        if not without:
            return "1 = 1", {}
        names = {f"r{i}_x{j}": c for j, c in enumerate(without)}
        cond = "(county_id IS NULL OR county_id NOT IN ({}))".format(
            ", ".join(":" + n for n in names)
        )
        return cond, names
    if not with_rule:
        return "1 = 0", {}
    names = {f"r{i}_c{j}": c for j, c in enumerate(with_rule)}
    return "county_id IN ({})".format(", ".join(":" + n for n in names)), names


def _kind_query(
    kind: str,
    rules: list[Rule],
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    official_id: int | None,
    region_id: int | None,
    statuses: Iterable[str] | None,
):
    params: dict[str, object] = {"kind": kind, "today": today, "yes": True, "no": False}
    sums, selects = [], []
    for i, rule in enumerate(rules):
        cp = checkpoints(rule.period, rule.count, rule.paced_by_quarter, today)
        qualifies = "c.id IS NOT NULL" + (" AND c.channel = 'home_visit'" if rule.home_visit_only else "")
        params.update({
            f"r{i}_cur_from": cp.cur_from, f"r{i}_prev_from": cp.prev_from,
            f"r{i}_prev_to": cp.prev_to, f"r{i}_cur_req": cp.cur_required,
            f"r{i}_prev_req": cp.prev_required,
            f"r{i}_open": "due_soon" if (cp.cur_end - today).days <= rule.lead_days else "due",
        })
        sums.append(f"""
            SUM(CASE WHEN {qualifies} AND c.contact_date >= :r{i}_cur_from
                      AND c.contact_date >= a.start_date THEN 1 ELSE 0 END) AS r{i}_cur,
            SUM(CASE WHEN {qualifies} AND c.contact_date >= :r{i}_prev_from
                      AND c.contact_date <= :r{i}_prev_to
                      AND c.contact_date >= a.start_date THEN 1 ELSE 0 END) AS r{i}_prev,
            SUM(CASE WHEN {qualifies} AND c.contact_date > :r{i}_prev_to
                     THEN 1 ELSE 0 END) AS r{i}_since,
            MAX(CASE WHEN {qualifies} THEN c.contact_date END) AS r{i}_last""")
        county_cond, county_params = _county_condition(rule, rules_by_county, i)
        params.update(county_params)
        hardship = " AND hardship = :yes" if rule.hardship_only else ""
        status_sql = f"""CASE
                WHEN start_date <= :r{i}_prev_to AND r{i}_prev < :r{i}_prev_req
                     AND r{i}_since = 0 THEN 'overdue'
                WHEN r{i}_cur >= :r{i}_cur_req THEN 'done'
                ELSE :r{i}_open END"""
        selects.append(f"""
            SELECT * FROM (
                SELECT person_id, person_name, official_id, assignment_id, start_date,
                       {i} AS rule_index, {status_sql} AS status,
                       r{i}_last AS last_contact, r{i}_cur AS done_count
                FROM agg WHERE {county_cond}{hardship}
            ) s{i}""")
    own = " AND c.official_id = a.official_id" if kind == "pairing" else ""
    where = ""
    if official_id is not None:
        where += " AND a.official_id = :official_id"
        params["official_id"] = official_id
    if region_id is not None:
        where += " AND (v.id = :region_id OR v.parent_id = :region_id OR t.parent_id = :region_id)"
        params["region_id"] = region_id
    status_filter = ""
    if statuses is not None:
        wanted = sorted(set(statuses))
        status_filter = " WHERE status IN ({})".format(", ".join(f":st{j}" for j in range(len(wanted))))
        params.update({f"st{j}": s for j, s in enumerate(wanted)})
    sql = f"""
        WITH agg AS MATERIALIZED (
            SELECT a.id AS assignment_id, a.person_id AS person_id, p.name AS person_name,
                   a.official_id AS official_id, a.start_date AS start_date,
                   p.special_hardship AS hardship, t.parent_id AS county_id,
                   {",".join(sums)}
            FROM assignments a
            JOIN persons p ON p.id = a.person_id
            JOIN regions v ON v.id = p.village_id
            LEFT JOIN regions t ON t.id = v.parent_id
            LEFT JOIN contact_records c
                   ON c.person_id = a.person_id AND c.voided = :no
                  AND c.status <> 'unreachable' AND c.contact_date <= :today{own}
            WHERE a.kind = :kind AND a.start_date <= :today
              AND (a.end_date IS NULL OR a.end_date >= :today) AND p.active = :yes{where}
            GROUP BY a.id, a.person_id, p.name, a.official_id, a.start_date,
                     p.special_hardship, t.parent_id
        )
        SELECT * FROM ({" UNION ALL ".join(selects)}) u{status_filter}"""
    # Typed dates, so SQLite compares them in the same text form the ORM stores.
    dates = [bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, dt.date)]
    return text(sql).bindparams(*dates), params


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])  # SQLite returns dates from MAX() as text


def person_rule_status(
    session: Session,
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    *,
    official_id: int | None = None,
    region_id: int | None = None,
    statuses: Iterable[str] | None = None,
) -> list[RuleStatus]:
    """Every (person, assignment, rule) judged on `today`; overdue first, most overdue first.

    `rules_by_county` maps a county region id to its rules; the `None` key holds the rules of
    every county not listed. `statuses` limits the rows returned (filtered in SQL).
    """
    distinct: list[Rule] = []
    for rules in rules_by_county.values():
        distinct.extend(r for r in rules if r not in distinct)
    out: list[RuleStatus] = []
    for kind in KINDS:
        rules = [r for r in distinct if r.kind == kind]
        if not rules:
            continue
        query, params = _kind_query(
            kind, rules, rules_by_county, today, official_id, region_id, statuses
        )
        for row in session.execute(query, params).mappings():
            out.append(_status_row(rules[row["rule_index"]], row, today))
    out.sort(key=_order)
    return out


def _status_row(rule: Rule, row, today: dt.date) -> RuleStatus:
    cp = checkpoints(rule.period, rule.count, rule.paced_by_quarter, today)
    last = _as_date(row["last_contact"])
    start = _as_date(row["start_date"])
    days = 0
    if row["status"] == "overdue":
        assert start is not None
        days = (today - overdue_since(rule.period, rule.paced_by_quarter, start, last, cp.prev_to)).days
    return RuleStatus(
        person_id=row["person_id"], person_name=row["person_name"],
        official_id=row["official_id"], assignment_id=row["assignment_id"],
        rule_id=rule.id, rule_label=rule.label, kind=rule.kind, status=row["status"], last_contact=last,
        days_overdue=days, done_count=int(row["done_count"] or 0), required=cp.cur_required,
    )


def _order(row: RuleStatus):
    return (
        STATUSES.index(row.status), -row.days_overdue,
        row.last_contact or dt.date.min, row.person_name, row.person_id, row.rule_id,
    )


@dataclass(frozen=True)
class Progress:
    rule_id: str
    rule_label: str
    done: int
    total: int


def progress(
    session: Session, rules: Sequence[Rule], today: dt.date, official_id: int
) -> list[Progress]:
    """Per rule: persons done / persons covered in the current period, for one official."""
    rows = person_rule_status(session, {None: rules}, today, official_id=official_id)
    result = []
    for rule in rules:
        mine = [r for r in rows if r.rule_id == rule.id]
        done = sum(1 for r in mine if r.status == "done")
        result.append(Progress(rule.id, rule.label, done, len(mine)))
    return result
