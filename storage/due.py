"""Who is done, due soon, due or overdue under each contact rule — set-based SQL for everyone.

The definitions are DESIGN.md's ("What due and overdue mean"). Period bounds are the same for
every person on a day, so they are computed in Python (`storage.periods`) and bound as
parameters. One statement judges every open assignment under every rule from the person's rows
in `contact_summary` (the newest few qualifying contact dates, kept exact by triggers), so the
daily evaluation never reads the contact records themselves; only persons with a contact dated
after the evaluated day, or rules needing more contacts than the summary holds, are counted from
the contacts. The statuses are computed in SQL too, so a caller that only wants overdue rows gets
only those back. The SQL is plain enough to run unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Date, TextClause, bindparam, text
from sqlalchemy.orm import Session

from storage.due_sql import STATUSES, has_future_contacts, statement
from storage.periods import checkpoints, overdue_since

KINDS = ("jurisdiction", "pairing")


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


def distinct_rules(rules_by_county: Mapping[int | None, Sequence[Rule]]) -> list[Rule]:
    """Every rule of any county, once each, in first-seen order (the statement's rule numbers)."""
    distinct: list[Rule] = []
    for rules in rules_by_county.values():
        distinct.extend(r for r in rules if r not in distinct)
    return distinct


class ParsedDates(dict):
    """Raw date values as the driver returns them (SQLite: text) -> dates, parsed once each."""

    def __missing__(self, value):
        day = value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(
            value[:10])
        self[value] = day
        return day


class _DaysOverdue(dict):
    """(status column, raw start, raw last contact) -> days overdue on `today`, computed once."""

    def __init__(self, checkpoint: dict[int, tuple], today: dt.date, dates: ParsedDates):
        super().__init__()
        self.checkpoint, self.today, self.dates = checkpoint, today, dates

    def __missing__(self, key):
        col, start, last = key
        period, paced, prev_to = self.checkpoint[col]
        since = overdue_since(period, paced, self.dates[start], self.dates[last], prev_to)
        days = self[key] = (self.today - since).days
        return days


def _execute(session: Session, rules: list[Rule],
             rules_by_county: Mapping[int | None, Sequence[Rule]], today: dt.date,
             official_id: int | None, region_id: int | None,
             statuses: tuple[str, ...] | None, by_official: bool, counts: bool = True,
             text_dates: bool = False):
    """The engine's statement, run and streamed: (result, status columns, days overdue).

    With `text_dates` the start and last contacts come back as ISO text on PostgreSQL too (as
    SQLite stores them), which saves the driver making a date object of each.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    query, params = statement(rules, rules_by_county, today, official_id, region_id, statuses,
                              by_official and not (text_dates and postgresql),
                              has_future_contacts(session, today), counts)
    if text_dates and postgresql:
        columns = ", ".join(f"s{i}, CAST(l{i} AS TEXT), d{i}" for i in range(len(rules)))
        sql = (f"SELECT person_id, person_name, official_id, assignment_id,"
               f" CAST(start_date AS TEXT), {columns} FROM ({query.text}) q")
        if by_official:
            sql += " ORDER BY official_id"
        query = text(sql).bindparams(
            *(bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, dt.date)))
    if postgresql and official_id is None:
        # Hash joins (and, for a past day, a hash aggregate) over every open assignment: let them
        # stay in memory for this query.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
        # Streamed through a server-side cursor, but every row is wanted: plan for all of them.
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    # Row layout: person, name, official, assignment, start, then per rule status/last/count.
    columns, checkpoint = [], {}
    for i, rule in enumerate(rules):
        cp = checkpoints(rule.period, rule.count, rule.paced_by_quarter, today)
        columns.append((5 + 3 * i, rule, cp.cur_required))
        checkpoint[5 + 3 * i] = (rule.period, rule.paced_by_quarter, cp.prev_to)
    result = session.execute(query, params,
                             execution_options={"stream_results": True, "yield_per": 5000})
    dates = ParsedDates()
    return result, columns, _DaysOverdue(checkpoint, today, dates), dates


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
    if statuses is not None:
        statuses = tuple(statuses)  # read twice below
    distinct = distinct_rules(rules_by_county)
    if not distinct:
        return
    result, columns, overdue_days, dates = _execute(
        session, distinct, rules_by_county, today, official_id, region_id, statuses, by_official)
    wanted = set(statuses) if statuses is not None else set(STATUSES)
    plain = [(col, rule.id, rule.label, rule.kind, required) for col, rule, required in columns]
    # A province lists hundreds of thousands of rows: per row, only lookups in dicts that fill
    # up quickly (dates parsed once, days overdue computed once per rule, start and last).
    make = tuple.__new__
    for rows in result.partitions(500):
        for row in rows:
            for col, rule_id, label, kind, required in plain:
                status = row[col]
                if status not in wanted:
                    continue
                raw_last = row[col + 1]
                days = overdue_days[col, row[4], raw_last] if status == "overdue" else 0
                yield make(RuleStatus, (row[0], row[1], row[2], row[3], rule_id, label, kind,
                                        _STATUS[status], dates[raw_last], days,
                                        row[col + 2] or 0, required))


def iter_due_lists(
    session: Session,
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    statuses: Iterable[str],
) -> Iterator[tuple[int, list[dict]]]:
    """Per official, in official order: their rows of `statuses` as digest items, sorted.

    Each item is {"name", "status", "rule" (label), "last_contact" (ISO date or None)}, in
    `sort_rows`' order. What the daily digest sends, built without a `RuleStatus` per row: a
    province lists hundreds of thousands.
    """
    statuses = tuple(statuses)
    distinct = distinct_rules(rules_by_county)
    if not distinct:
        return
    result, columns, overdue_days, _ = _execute(
        session, distinct, rules_by_county, today, None, None, statuses, True, counts=False,
        text_dates=True)
    # status -> (its rank in sort_rows, the one shared str): one lookup per status column.
    wanted = {status: (_RANK[status], _STATUS[status]) for status in statuses}
    rule_rank = {rule.id: n for n, rule in enumerate(sorted(distinct, key=lambda r: r.id))}
    plain = [(col, rule.label, rule_rank[rule.id]) for col, rule, _ in columns]
    current, pending = None, []
    for rows in result.partitions(500):
        for row in rows:
            if row[2] != current:
                if pending:
                    pending.sort()
                    yield current, [key[-1] for key in pending]
                current, pending = row[2], []
            for col, label, rank in plain:
                found = wanted.get(row[col])
                if found is None:
                    continue
                last = row[col + 1]  # ISO text (text_dates)
                days = overdue_days[col, row[4], last] if found[0] == 0 else 0
                # sort_rows' key ("" sorts a missing last contact first, as date.min does), unique
                # before the item itself, which rides along at the end.
                pending.append((found[0], -days, last or "", row[1], row[0], rank, row[3],
                                {"name": row[1], "status": found[1], "rule": label,
                                 "last_contact": last}))
    if pending:
        pending.sort()
        yield current, [key[-1] for key in pending]


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

    `rules` is a list (the same for every county) or a `rules_by_county` mapping. One statement
    that counts in the database: the chat shows this after every contact an official logs.
    """
    by_county: Mapping[int | None, Sequence[Rule]] = (
        rules if isinstance(rules, Mapping) else {None: rules})
    distinct = distinct_rules(by_county)
    if not distinct:
        return []
    # With its second part (persons with a contact dated after today) always in: exact without
    # asking first whether there are any.
    query, params = statement(distinct, by_county, today, official_id, None, None,
                              future_contacts=True, counts=False)
    dates = tuple(k for k, v in params.items() if isinstance(v, dt.date))
    row = session.execute(_progress_query(query, len(distinct), dates), params).one()
    result = []
    for i, rule in enumerate(distinct):
        total, done = row[2 * i] or 0, row[2 * i + 1] or 0
        if total or not isinstance(rules, Mapping):
            result.append(Progress(rule.id, rule.label, done, total))
    return result


@lru_cache(maxsize=64)
def _progress_query(query: TextClause, n: int, dates: tuple[str, ...]) -> TextClause:
    """`query`'s rows counted per rule, (applies, done) for each, in one row; `dates` are the
    parameters to bind as dates (as `statement` does)."""
    counts = ", ".join(f"COUNT(s{i}), SUM(CASE WHEN s{i} = 'done' THEN 1 ELSE 0 END)"
                       for i in range(n))
    sql = f"SELECT {counts} FROM ({query.text}) q"
    return text(sql).bindparams(*(bindparam(k, type_=Date) for k in dates))
