"""What the dashboard shows of `storage.due`, grouped and paged in SQL: counts per village,
official or rule, and one sorted page of the status list.

The engine's statement (`storage.due_sql.statement`: one row per assignment, a status, last contact and
count per rule) becomes a subquery here, grouped per person and then per village or official, or
unpivoted to one row per (assignment, rule) by a join with the rule numbers and then grouped per
rule or sorted and cut to a page. A county of 100,000 people sends back a few hundred rows
instead of every status. Days overdue, which the
engine computes in Python (`storage.periods.overdue_since`), are computed in SQL with each
dialect's date functions so the page can be ordered exactly as `storage.due.sort_rows` orders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from storage.due import ParsedDates, Rule, RuleStatus, distinct_rules
from storage.due_sql import STATUSES, has_future_contacts, statement
from storage.periods import checkpoints

GROUPS = {"village": "u.village_id", "official": "u.official_id", "rule": "u.rule_no"}


@dataclass(frozen=True)
class DueCounts:
    """Persons judged by some rule, of them those with every rule done, and those overdue on any."""

    persons: int
    done: int
    overdue: int


@dataclass(frozen=True)
class StatusPage:
    rows: list[RuleStatus]
    total: int  # rows in the whole list, not only this page
    offset: int


def _period_after(dialect: str, step: str, day: str) -> str:
    """SQL: the first day of the `step` period after the one that contains `day`."""
    if dialect == "postgresql":
        months = {"month": 1, "quarter": 3, "year": 12}[step]
        return (f"CAST(date_trunc('{step}', CAST({day} AS timestamp))"
                f" + interval '{months} month' AS date)")
    if step == "month":
        return f"date({day}, 'start of month', '+1 month')"
    if step == "year":
        return f"date({day}, 'start of year', '+1 year')"
    back = f"printf('-%d months', (CAST(strftime('%m', {day}) AS INTEGER) - 1) % 3)"
    return f"date({day}, 'start of month', {back}, '+3 months')"


def _day_before(dialect: str, day: str) -> str:
    return f"({day} - 1)" if dialect == "postgresql" else f"date({day}, '-1 day')"


def _days_between(dialect: str, earlier: str, later: str) -> str:
    if dialect == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _days_overdue(dialect: str, rule: Rule, i: int) -> str:
    """SQL for `storage.periods.overdue_since` of rule `i`, as days before :today."""
    step = "quarter" if (rule.period == "year" and rule.paced_by_quarter) else rule.period
    last, start = f"x.l{i}", "x.start_date"
    after_last = _period_after(dialect, step, last)
    first = f"(CASE WHEN {last} IS NULL OR {start} > {after_last} THEN {start} ELSE {after_last} END)"
    first_end = _day_before(dialect, _period_after(dialect, step, first))
    since = f"(CASE WHEN {first_end} < :v{i}_prev_to THEN {first_end} ELSE :v{i}_prev_to END)"
    return _days_between(dialect, since, ":today")


def _unpivoted(
    session: Session,
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    official_id: int | None,
    region_id: int | None,
    statuses: Iterable[str] | None,
    with_days: bool,
) -> tuple[str, dict, list[Rule]]:
    """SQL with one row per (assignment, rule) whose status is wanted: the engine's rows, unpivoted.

    Columns: person_id, person_name, official_id, assignment_id, rule_no, status, last_contact,
    done_count, days_overdue (0 unless overdue, and only `with_days`).
    """
    rules = distinct_rules(rules_by_county)
    inner, params = statement(rules, rules_by_county, today, official_id, region_id, statuses,
                           future_contacts=has_future_contacts(session, today))
    params = dict(params)
    dialect = session.get_bind().dialect.name
    numbers = " UNION ALL ".join(f"SELECT {i} AS rule_no" for i in range(len(rules)))

    def per_rule(column) -> str:
        whens = " ".join(f"WHEN {i} THEN {column(i, rule)}" for i, rule in enumerate(rules))
        return f"CASE r.rule_no {whens} END"

    days = "0"
    if with_days:
        for i, rule in enumerate(rules):
            params[f"v{i}_prev_to"] = checkpoints(rule.period, rule.count, rule.paced_by_quarter,
                                                  today).prev_to
        days = per_rule(lambda i, rule: f"CASE WHEN x.s{i} = 'overdue' THEN "
                                        f"{_days_overdue(dialect, rule, i)} ELSE 0 END")
    wanted = sorted(set(statuses)) if statuses is not None else list(STATUSES)
    params.update({f"w{j}": st for j, st in enumerate(wanted)})
    # With days, MATERIALIZED: the engine's rows once; pulled up into this query, every mention
    # of a last contact would run the engine's correlated history lookup again. Without, pulled
    # up: counts never read a last contact, so it is never looked up.
    sql = f"""
        WITH x AS {"MATERIALIZED " if with_days else ""}({inner.text})
        SELECT * FROM (
          SELECT x.person_id AS person_id, x.person_name AS person_name,
                 x.official_id AS official_id, x.assignment_id AS assignment_id,
                 r.rule_no AS rule_no,
                 {per_rule(lambda i, rule: f"x.s{i}")} AS status,
                 {per_rule(lambda i, rule: f"x.l{i}")} AS last_contact,
                 {per_rule(lambda i, rule: f"x.d{i}")} AS done_count,
                 {days} AS days_overdue
          FROM x
          CROSS JOIN ({numbers}) r
        ) u
        WHERE u.status IN ({", ".join(f":w{j}" for j in range(len(wanted)))})"""
    return sql, params, rules


def _statement(sql: str, params: dict):
    dates = [bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, dt.date)]
    return text(sql).bindparams(*dates)


def _prepare(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # The engine's hash aggregate over every open assignment of the region stays in memory
        # for this statement only (storage.due does the same for its own).
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        # The planner takes the engine's aggregate for a few hundred rows and would run all of it
        # in every parallel worker, each then keeping a third of the result.
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))


def _restore(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Later, index-driven queries in the same transaction must not plan with that work_mem.
        session.execute(text("SET LOCAL work_mem TO DEFAULT"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather TO DEFAULT"))


def due_counts(
    session: Session,
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    by: str,
    *,
    region_id: int | None = None,
    official_id: int | None = None,
) -> dict:
    """Per village, official or rule (`by`): persons judged, all rules done, overdue on any.

    A person counts once per group: under `rule` (keys are rule ids) and `official`, their rows
    of that rule or official only. Groups with nobody judged are absent.
    """
    rules = distinct_rules(rules_by_county)
    if not rules:
        return {}
    if by == "rule":
        rows_sql, params, _ = _unpivoted(session, rules_by_county, today, official_id, region_id,
                                         None, with_days=False)
        done, late = "CASE WHEN u.status = 'done' THEN 1 ELSE 0 END", \
            "CASE WHEN u.status = 'overdue' THEN 1 ELSE 0 END"
    else:
        # Straight from the engine's one row per assignment: no rule-by-rule rows needed.
        inner, params = statement(rules, rules_by_county, today, official_id, region_id, None,
                                  future_contacts=has_future_contacts(session, today),
                                  counts=False)
        rows_sql, params = inner.text, dict(params)
        done = "CASE WHEN {} THEN 1 ELSE 0 END".format(
            " AND ".join(f"(u.s{i} IS NULL OR u.s{i} = 'done')" for i in range(len(rules))))
        late = "CASE WHEN {} THEN 1 ELSE 0 END".format(
            " OR ".join(f"u.s{i} = 'overdue'" for i in range(len(rules))))
    key = GROUPS[by]
    sql = f"""
        SELECT g, COUNT(*), SUM(all_done), SUM(any_overdue)
        FROM (
          SELECT {key} AS g, u.person_id, MIN({done}) AS all_done, MAX({late}) AS any_overdue
          FROM ({rows_sql}) u
          GROUP BY {key}, u.person_id
        ) per_person
        GROUP BY g"""
    _prepare(session)
    rows = session.execute(_statement(sql, params), params).all()
    _restore(session)
    name = (lambda g: rules[g].id) if by == "rule" else (lambda g: g)
    return {name(g): DueCounts(int(n), int(done or 0), int(late or 0)) for g, n, done, late in rows}


def status_page(
    session: Session,
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    *,
    offset: int,
    limit: int,
    region_id: int | None = None,
    official_id: int | None = None,
    statuses: Iterable[str] | None = None,
) -> StatusPage:
    """Rows `offset … offset+limit` of `person_rule_status(…)` (same rows, same order) and the total.

    An offset past the end is moved back to the last page's, as a pager would.
    """
    if not distinct_rules(rules_by_county) or (statuses is not None and not set(statuses)):
        return StatusPage([], 0, 0)
    inner, params, rules = _unpivoted(session, rules_by_county, today, official_id, region_id,
                                      statuses, with_days=True)
    dialect = session.get_bind().dialect.name
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""  # code-point order, as Python's
    # Rule ids are ordered by their Python string order, given to SQL as numbers.
    by_id = sorted(range(len(rules)), key=lambda i: rules[i].id)
    rule_rank = "CASE u.rule_no {} END".format(
        " ".join(f"WHEN {i} THEN {rank}" for rank, i in enumerate(by_id)))
    status_rank = "CASE u.status {} END".format(
        " ".join(f"WHEN '{st}' THEN {n}" for n, st in enumerate(STATUSES)))
    sql = f"""
        SELECT u.*, COUNT(*) OVER () AS total
        FROM ({inner}) u
        ORDER BY {status_rank}, u.days_overdue DESC,
                 CASE WHEN u.last_contact IS NULL THEN 0 ELSE 1 END, u.last_contact,
                 u.person_name{collate}, u.person_id, {rule_rank}, u.assignment_id
        LIMIT :limit OFFSET :offset"""
    _prepare(session)
    statement = _statement(sql, params)
    found = session.execute(statement, {**params, "limit": limit, "offset": offset}).all()
    if not found and offset > 0:
        total = session.execute(_statement(f"SELECT COUNT(*) FROM ({inner}) u", params),
                                params).scalar_one()
        offset = max(0, (total - 1) // limit * limit) if total else 0
        found = session.execute(statement, {**params, "limit": limit, "offset": offset}).all()
    _restore(session)
    required = [checkpoints(r.period, r.count, r.paced_by_quarter, today).cur_required
                for r in rules]
    rows, dates = [], ParsedDates()
    for person_id, name, oid, aid, no, status, last, done, days, _ in found:
        rule = rules[no]
        rows.append(RuleStatus(person_id, name, oid, aid, rule.id, rule.label, rule.kind, status,
                               dates[last], int(days or 0), int(done or 0), required[no]))
    return StatusPage(rows, int(found[0][-1]) if found else 0, offset)
