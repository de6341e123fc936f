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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

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


class RuleStatus(NamedTuple):
    """One person judged by one rule through one assignment (a tuple: a province makes many)."""

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


def _qualifies(rule: Rule) -> str:
    """SQL: contact `c` counts for `rule` on assignment `a` (c's own filters are in the join)."""
    cond = "c.channel = 'home_visit'" if rule.home_visit_only else "1 = 1"
    if rule.kind == "pairing":
        cond += " AND c.official_id = a.official_id"
    return cond


def _history_qualifies(rule: Rule) -> str:
    cond = " AND h.channel = 'home_visit'" if rule.home_visit_only else ""
    if rule.kind == "pairing":
        cond += " AND h.official_id = x.official_id"
    return cond


def _query(
    rules: list[Rule],
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    official_id: int | None,
    region_id: int | None,
    statuses: Iterable[str] | None,
    by_official: bool = False,
):
    """One statement for every rule: a single pass over the contacts of the open assignments.

    Contacts are joined only from the oldest window any rule looks at, so the pass reads the
    last year or so, not the whole history. One row comes back per assignment, with a status,
    last contact and count per rule (NULL status where the rule does not apply). A person with
    no qualifying contact in the window gets their last contact from an indexed lookup, and only
    when the row is wanted.
    """
    params: dict[str, object] = {"today": today, "yes": True, "no": False}
    # Counties matter only when their rules differ, or a region is asked for.
    same_everywhere = None in rules_by_county and len(
        {tuple(r) for r in rules_by_county.values()}) == 1
    if same_everywhere:
        rules_by_county = {None: rules_by_county[None]}
    by_region = region_id is not None or not same_everywhere
    wanted = sorted(set(statuses)) if statuses is not None else None
    if wanted is not None:
        params.update({f"st{j}": st for j, st in enumerate(wanted)})
        wanted_sql = "({})".format(", ".join(f":st{j}" for j in range(len(wanted))))
    sums, status_cols, out_cols, filters = [], [], [], []
    window_from = today
    for i, rule in enumerate(rules):
        cp = checkpoints(rule.period, rule.count, rule.paced_by_quarter, today)
        window_from = min(window_from, cp.prev_from)
        q = _qualifies(rule)
        params.update({
            f"r{i}_kind": rule.kind,
            f"r{i}_cur_from": cp.cur_from, f"r{i}_prev_from": cp.prev_from,
            f"r{i}_prev_to": cp.prev_to, f"r{i}_cur_req": cp.cur_required,
            f"r{i}_prev_req": cp.prev_required,
            f"r{i}_open": "due_soon" if (cp.cur_end - today).days <= rule.lead_days else "due",
        })
        sums.append(f"""
            SUM(CASE WHEN c.contact_date >= :r{i}_cur_from AND c.contact_date >= a.start_date
                      AND {q} THEN 1 ELSE 0 END) AS r{i}_cur,
            SUM(CASE WHEN c.contact_date <= :r{i}_prev_to AND c.contact_date >= :r{i}_prev_from
                      AND c.contact_date >= a.start_date AND {q} THEN 1 ELSE 0 END) AS r{i}_prev,
            MAX(CASE WHEN {q} THEN c.contact_date END) AS r{i}_last""")
        if rule.paced_by_quarter:
            # The year so far (cur) and "since the last checkpoint" differ only for paced quotas.
            sums.append(f"""
            SUM(CASE WHEN c.contact_date > :r{i}_prev_to AND {q} THEN 1 ELSE 0 END) AS r{i}_since""")
        since = f"r{i}_since" if rule.paced_by_quarter else f"r{i}_cur"
        county_cond, county_params = _county_condition(rule, rules_by_county, i)
        params.update(county_params)
        hardship = " AND hardship = :yes" if rule.hardship_only else ""
        status_cols.append(f"""CASE WHEN kind = :r{i}_kind AND {county_cond}{hardship} THEN CASE
                    WHEN start_date <= :r{i}_prev_to AND r{i}_prev < :r{i}_prev_req
                         AND {since} = 0 THEN 'overdue'
                    WHEN r{i}_cur >= :r{i}_cur_req THEN 'done'
                    ELSE :r{i}_open END END AS s{i}""")
        listed = f"s{i} IN {wanted_sql}" if wanted is not None else f"s{i} IS NOT NULL"
        filters.append(listed)
        out_cols.append(f"""s{i}, CASE WHEN {listed} THEN COALESCE(r{i}_last, (
                    SELECT MAX(h.contact_date) FROM contact_records h
                    WHERE h.person_id = x.person_id AND h.contact_date < :window_from
                      AND h.voided = :no AND h.status <> 'unreachable'{_history_qualifies(rule)}
                )) END AS l{i}, r{i}_cur AS d{i}""")
    params["window_from"] = window_from
    kinds = sorted({r.kind for r in rules})
    params.update({f"k{j}": k for j, k in enumerate(kinds)})
    where = " AND a.kind IN ({})".format(", ".join(f":k{j}" for j in range(len(kinds))))
    if official_id is not None:
        where += " AND a.official_id = :official_id"
        params["official_id"] = official_id
    if region_id is not None:
        where += " AND (v.id = :region_id OR v.parent_id = :region_id OR t.parent_id = :region_id)"
        params["region_id"] = region_id
    regions = ("            JOIN regions v ON v.id = p.village_id\n"
               "            LEFT JOIN regions t ON t.id = v.parent_id\n") if by_region else ""
    county_col, group_t = ("t.parent_id", ", t.id") if by_region else ("NULL", "")
    order = "\n        ORDER BY official_id" if by_official else ""
    sql = f"""
        SELECT person_id, person_name, official_id, assignment_id, start_date,
               {", ".join(out_cols)}
        FROM (
          SELECT agg.*, {", ".join(status_cols)}
          FROM (
            SELECT a.id AS assignment_id, a.person_id AS person_id, p.name AS person_name,
                   a.official_id AS official_id, a.kind AS kind, a.start_date AS start_date,
                   p.special_hardship AS hardship, {county_col} AS county_id,
                   {",".join(sums)}
            FROM assignments a
            JOIN persons p ON p.id = a.person_id
{regions}            LEFT JOIN contact_records c
                   ON c.person_id = a.person_id AND c.contact_date >= :window_from
                  AND c.contact_date <= :today AND c.voided = :no AND c.status <> 'unreachable'
            WHERE a.start_date <= :today AND (a.end_date IS NULL OR a.end_date >= :today)
              AND p.active = :yes{where}
            GROUP BY a.id, p.id{group_t}
          ) agg
        ) x
        WHERE {" OR ".join(filters)}{order}"""
    # Typed dates, so SQLite compares them in the same text form the ORM stores.
    dates = [bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, dt.date)]
    return text(sql).bindparams(*dates), params


@lru_cache(maxsize=4096)
def _parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return _parse_date(value)  # SQLite returns dates from MAX() as text


def iter_person_rule_status(
    session: Session,
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    *,
    official_id: int | None = None,
    region_id: int | None = None,
    statuses: Iterable[str] | None = None,
    by_official: bool = False,
) -> Iterator[RuleStatus]:
    """Like `person_rule_status`, streamed from the database (grouped by official if asked).

    For a province the rows do not all fit comfortably in memory; a daily job walks them one
    official at a time.
    """
    distinct: list[Rule] = []
    for rules in rules_by_county.values():
        distinct.extend(r for r in rules if r not in distinct)
    if not distinct:
        return
    query, params = _query(distinct, rules_by_county, today, official_id, region_id, statuses,
                           by_official)
    if session.get_bind().dialect.name == "postgresql" and official_id is None:
        # One hash aggregate over every open assignment: let it stay in memory for this query.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        # Streamed through a server-side cursor, but every row is wanted: plan for all of them.
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    wanted = set(statuses) if statuses is not None else set(STATUSES)
    windows = [checkpoints(r.period, r.count, r.paced_by_quarter, today) for r in distinct]
    per_rule = list(enumerate(zip(distinct, windows, strict=True)))
    result = session.execute(query, params,
                             execution_options={"stream_results": True, "yield_per": 5000})
    for row in result:
        person_id, name, oid, aid, start = row[:5]
        for i, (rule, cp) in per_rule:
            status = row[5 + 3 * i]
            if status not in wanted:
                continue
            last = _as_date(row[6 + 3 * i])
            days = 0
            if status == "overdue":
                since = overdue_since(rule.period, rule.paced_by_quarter, _as_date(start), last,
                                      cp.prev_to)
                days = (today - since).days
            yield RuleStatus(person_id, name, oid, aid, rule.id, rule.label, rule.kind,
                             _STATUS[status], last, days, int(row[7 + 3 * i] or 0),
                             cp.cur_required)


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
    return sort_rows(iter_person_rule_status(
        session, rules_by_county, today,
        official_id=official_id, region_id=region_id, statuses=statuses,
    ))


_STATUS = {status: status for status in STATUSES}  # one shared str per status
_RANK = {status: i for i, status in enumerate(STATUSES)}


def sort_rows(rows: Iterable[RuleStatus]) -> list[RuleStatus]:
    """Overdue first, most overdue first; then due soon, due, done."""
    return sorted(rows, key=_order)


def _order(row: RuleStatus):
    return (
        _RANK[row.status], -row.days_overdue,
        row.last_contact or dt.date.min, row.person_name, row.person_id, row.rule_id,
        row.assignment_id,  # two officials' rows of one rule: a fixed order, not arrival order
    )


@dataclass(frozen=True)
class Progress:
    rule_id: str
    rule_label: str
    done: int
    total: int


def progress(
    session: Session,
    rules: Sequence[Rule] | Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    official_id: int,
) -> list[Progress]:
    """Per rule: persons done / persons covered in the current period, for one official.

    `rules` is a list (the same for every county) or a `rules_by_county` mapping.
    """
    by_county = rules if isinstance(rules, Mapping) else {None: rules}
    rows = person_rule_status(session, by_county, today, official_id=official_id)
    distinct: list[Rule] = []
    for county_rules in by_county.values():
        distinct.extend(r for r in county_rules if r not in distinct)
    result = []
    for rule in distinct:
        mine = [r for r in rows if r.rule_id == rule.id]
        if mine or not isinstance(rules, Mapping):
            done = sum(1 for r in mine if r.status == "done")
            result.append(Progress(rule.id, rule.label, done, len(mine)))
    return result
