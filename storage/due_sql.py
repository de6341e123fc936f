"""The engine's one statement: every open assignment judged under every rule, in SQL.

`statement` builds it for `storage.due` (rows streamed into `RuleStatus`) and `storage.due_views`
(the same rows grouped or paged in SQL). Period bounds come in as parameters; the statuses are a
few date comparisons on the person's `contact_summary` rows (see `storage.contact_summary`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from storage.assignment_summary import DATES
from storage.contact_summary import ANY_CHANNEL, DEPTH, HOME_VISIT
from storage.periods import checkpoints

if TYPE_CHECKING:
    from storage.due import Rule

STATUSES = ("overdue", "due_soon", "due", "done")


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


def _summary_dates(rule: Rule) -> list[str]:
    """The `assignment_summary` columns holding a rule's newest qualifying dates, newest first.

    They are the person's dates by anyone, or for a pairing the paired cadre's own (a pairing
    rule counts only the cadre's contacts); the rule applies only to assignments of its kind.
    """
    return [f"b_{c}" for c in (HOME_VISIT if rule.home_visit_only else ANY_CHANNEL)]


def _at_least(dates: list[str], n: int, *lower: str) -> str:
    """SQL: at least `n` of the (newest first) `dates` are on or after every bound in `lower`.

    With the dates sorted, that is the n-th newest date being late enough.
    """
    if n <= 0:
        return "1 = 1"
    return " AND ".join(f"{dates[n - 1]} >= {bound}" for bound in lower)


def _not_at_least(dates: list[str], n: int, *lower: str) -> str:
    if n <= 0:
        return "1 = 0"
    d = dates[n - 1]
    return "({} IS NULL OR {})".format(d, " OR ".join(f"{d} < {bound}" for bound in lower))


def _status_sql(i: int, applies: str, overdue: str, done: str) -> str:
    """SQL: rule `i`'s status from its conditions (overdue before done; NULL if not applicable)."""
    return f"""CASE WHEN {applies} THEN CASE WHEN {overdue} THEN 'overdue' WHEN {done} THEN 'done'
                    ELSE :r{i}_open END END"""


def _wanted_sql(applies: str, overdue: str, done: str, open_status: str,
                wanted: Collection[str]) -> str:
    """SQL: the rule's status is one of `wanted` — the same CASE, cut down to what decides it.

    The filter runs on every assignment, so it pays to drop branches: on most days every open
    status is `due`, and a digest (overdue, due soon) then needs only the overdue test.
    """
    outcomes = ("overdue" in wanted, "done" in wanted, open_status in wanted)
    if outcomes == (False, False, False):
        return "1 = 0"
    if outcomes == (True, True, True):
        return f"({applies})"
    if outcomes == (True, False, False):
        return f"({applies} AND {overdue})"
    o, d, rest = (1 if x else 0 for x in outcomes)
    return f"""(CASE WHEN {applies} THEN CASE WHEN {overdue} THEN {o} WHEN {done} THEN {d}
                    ELSE {rest} END ELSE 0 END = 1)"""


def statement(
    rules: list[Rule],
    rules_by_county: Mapping[int | None, Sequence[Rule]],
    today: dt.date,
    official_id: int | None,
    region_id: int | None,
    statuses: Iterable[str] | None,
    by_official: bool = False,
    future_contacts: bool = True,
    counts: bool = True,
):
    """One statement for every rule; one row per assignment with something wanted.

    Each row has a status, last contact and count per rule (`s{i}`, `l{i}`, `d{i}`), and last
    the person's `village_id`. The status
    is NULL where the rule does not apply, and may be NULL where it is not one of `statuses`;
    the last contact and count are certain only where the status is one of them.
    Assignments are read from `assignment_summary` (the newest few qualifying dates of each,
    kept by triggers): with the dates sorted, "at least k contacts since D" is "the k-th
    newest date is on or after D", so each status is a few comparisons. That is exact as long as
    no rule needs more than `DEPTH` contacts and the person has no contact dated after `today`.
    Persons with such a contact (an evaluation of a past day) — or everyone, when a rule needs
    more — are counted from the contacts of the last year or so instead, with an indexed lookup
    for the last contact of the wanted rows that have none in that window. Pass
    `future_contacts=False` when no qualifying contact is dated after `today`, to leave that
    second part out, and `counts=False` when the counts are not read (they are then NULL).
    """
    query, params = _build(
        tuple(rules), tuple((c, tuple(r)) for c, r in rules_by_county.items()), today,
        official_id is not None, region_id is not None,
        None if statuses is None else frozenset(statuses), by_official, future_contacts, counts)
    params = dict(params)
    if official_id is not None:
        params["official_id"] = official_id
    if region_id is not None:
        params["region_id"] = region_id
    return query, params


@lru_cache(maxsize=64)
def _build(
    rules: tuple[Rule, ...],
    county_rules: tuple[tuple[int | None, tuple[Rule, ...]], ...],
    today: dt.date,
    by_official_id: bool,
    by_region_id: bool,
    statuses: frozenset[str] | None,
    by_official: bool,
    future_contacts: bool,
    counts: bool,
):
    """`statement`'s SQL and parameters but the official and region: the same for every message
    of a day (the chat's progress line asks for one official's rows on every contact)."""
    rules_by_county: Mapping[int | None, Sequence[Rule]] = dict(county_rules)
    params: dict[str, object] = {"today": today, "yes": True, "no": False}
    # Counties matter only when their rules differ.
    same_everywhere = None in rules_by_county and len(
        {tuple(r) for r in rules_by_county.values()}) == 1
    if same_everywhere:
        rules_by_county = {None: rules_by_county[None]}
    wanted = set(statuses) if statuses is not None else set(STATUSES)
    summarised = all(rule.count <= DEPTH for rule in rules)
    sums, agg_status, agg_out, agg_filters = [], [], [], []
    sum_status, sum_out, sum_filters = [], [], []
    window_from = today
    for i, rule in enumerate(rules):
        cp = checkpoints(rule.period, rule.count, rule.paced_by_quarter, today)
        window_from = min(window_from, cp.prev_from)
        open_status = "due_soon" if (cp.cur_end - today).days <= rule.lead_days else "due"
        params.update({
            f"r{i}_kind": rule.kind,
            f"r{i}_cur_from": cp.cur_from, f"r{i}_prev_from": cp.prev_from,
            f"r{i}_prev_to": cp.prev_to, f"r{i}_cur_req": cp.cur_required,
            f"r{i}_prev_req": cp.prev_required, f"r{i}_open": open_status,
        })
        county_cond, county_params = _county_condition(rule, rules_by_county, i)
        params.update(county_params)
        hardship = " AND hardship = :yes" if rule.hardship_only else ""
        applies = f"kind = :r{i}_kind AND {county_cond}{hardship}"
        history = (f"h.person_id = x.person_id AND h.voided = :no AND h.status <> 'unreachable'"
                   f"{_history_qualifies(rule)}")

        # From the summary. Overdue: the last checkpoint has passed since the start, nothing
        # qualifying after it (so every date is in or before its window), and fewer than
        # required in that window. Counts come from the dates, so they stop at DEPTH: a wanted
        # done row that reaches it may have more, and its count is looked up.
        if summarised:
            dates = _summary_dates(rule)
            prev_short = _not_at_least(dates, cp.prev_required, f":r{i}_prev_from", "start_date")
            if cp.prev_required == 1:  # then short of one means nothing since the window began
                overdue = f"start_date <= :r{i}_prev_to AND {prev_short}"
            else:
                overdue = (f"start_date <= :r{i}_prev_to AND ({dates[0]} IS NULL"
                           f" OR {dates[0]} <= :r{i}_prev_to) AND {prev_short}")
            done = _at_least(dates, cp.cur_required, f":r{i}_cur_from", "start_date")
            wanted_sql = _wanted_sql(applies, overdue, done, open_status, wanted)
            sum_filters.append(wanted_sql)
            if wanted_sql == f"({applies} AND {overdue})":
                # Only overdue is wanted (a digest on most days): nothing else to tell apart.
                sum_status.append(f"CASE WHEN {wanted_sql} THEN 'overdue' END AS s{i}")
            else:
                sum_status.append(f"{_status_sql(i, applies, overdue, done)} AS s{i}")
            # How many of the dates are in the current period (capped at DEPTH), newest first
            # so that the usual answer, 0 or 1, is found after a comparison or two.
            count = "CASE {} ELSE {} END".format(" ".join(
                f"WHEN {_not_at_least(dates, k, f':r{i}_cur_from', 'start_date')} THEN {k - 1}"
                for k in range(1, DEPTH + 1)), DEPTH)
            if "done" in wanted:
                capped = _at_least(dates, DEPTH, f":r{i}_cur_from", "start_date")
                count = f"""CASE WHEN {capped} AND s{i} = 'done'
                        THEN (SELECT COUNT(*) FROM contact_records h
                              WHERE {history} AND h.contact_date >= :r{i}_cur_from
                                AND h.contact_date >= x.start_date AND h.contact_date <= :today)
                        ELSE {count} END"""
            sum_out.append(f"s{i}, {dates[0]} AS l{i}, {count if counts else 'NULL'} AS d{i}")

        # From the contacts: conditional counts over the window, then the same definitions.
        q = _qualifies(rule)
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
        overdue = (f"start_date <= :r{i}_prev_to AND r{i}_prev < :r{i}_prev_req"
                   f" AND {since} = 0")
        done = f"r{i}_cur >= :r{i}_cur_req"
        agg_status.append(f"{_status_sql(i, applies, overdue, done)} AS s{i}")
        listed = _wanted_sql(applies, overdue, done, open_status, wanted)
        agg_filters.append(listed)
        agg_out.append(f"""s{i}, CASE WHEN {listed} THEN COALESCE(r{i}_last, (
                    SELECT MAX(h.contact_date) FROM contact_records h
                    WHERE {history} AND h.contact_date < :window_from
                )) END AS l{i}, r{i}_cur AS d{i}""")
    params["window_from"] = window_from
    kinds = sorted({r.kind for r in rules})
    params.update({f"k{j}": k for j, k in enumerate(kinds)})

    def where(a: str, village: str) -> str:
        cond = " AND {}.kind IN ({})".format(a, ", ".join(f":k{j}" for j in range(len(kinds))))
        if by_official_id:
            cond += f" AND {a}.official_id = :official_id"
        if by_region_id:
            cond += f" AND {village} IN ({_REGION_VILLAGES})"
        return cond

    def regions(village: str) -> str:
        if same_everywhere:
            return ""
        return (f"            JOIN regions v ON v.id = {village}\n"
                "            LEFT JOIN regions t ON t.id = v.parent_id\n")

    county_col, group_t = ("NULL", "") if same_everywhere else ("t.parent_id", ", t.id")
    head = "SELECT person_id, person_name, official_id, assignment_id, start_date,\n              "
    parts = []
    if summarised:
        # One row per assignment, no lookups: SQLite walks the table in its primary key's
        # (official) order, so rows wanted by official need no sort.
        parts.append(f"""
        {head}{", ".join(sum_out)}, village_id
        FROM (
          SELECT y.*, {", ".join(sum_status)}
          FROM (
            SELECT b.assignment_id AS assignment_id, b.person_id AS person_id,
                   b.village_id AS village_id,
                   b.person_name AS person_name, b.official_id AS official_id, b.kind AS kind,
                   b.start_date AS start_date, b.hardship AS hardship, {county_col} AS county_id,
                   {", ".join(f"b.{d} AS b_{d}" for d in DATES)}
            FROM assignment_summary b
{regions("b.village_id")}            WHERE b.start_date <= :today AND (b.end_date IS NULL OR b.end_date >= :today)
              AND b.active = :yes{where("b", "b.village_id")}
              AND (b.last_any IS NULL OR b.last_any <= :today)
          ) y
        ) x
        WHERE {" OR ".join(sum_filters)}""")
    if future_contacts or not summarised:
        future = ("" if not summarised else """
              AND a.person_id IN (SELECT f.person_id FROM contact_records f
                  WHERE f.contact_date > :today AND f.voided = :no
                    AND f.status <> 'unreachable')""")
        parts.append(f"""
        {head}{", ".join(agg_out)}, village_id
        FROM (
          SELECT agg.*, {", ".join(agg_status)}
          FROM (
            SELECT a.id AS assignment_id, a.person_id AS person_id, p.name AS person_name,
                   p.village_id AS village_id,
                   a.official_id AS official_id, a.kind AS kind, a.start_date AS start_date,
                   p.special_hardship AS hardship, {county_col} AS county_id, {",".join(sums)}
            FROM assignments a
            JOIN persons p ON p.id = a.person_id
{regions("p.village_id")}            LEFT JOIN contact_records c
                   ON c.person_id = a.person_id AND c.contact_date >= :window_from
                  AND c.contact_date <= :today AND c.voided = :no AND c.status <> 'unreachable'
            WHERE a.start_date <= :today AND (a.end_date IS NULL OR a.end_date >= :today)
              AND p.active = :yes{where("a", "p.village_id")}{future}
            GROUP BY a.id, p.id, p.village_id{group_t}
          ) agg
        ) x
        WHERE {" OR ".join(agg_filters)}""")
    order = "\n        ORDER BY official_id" if by_official else ""
    # One space for every run of layout: the text is shorter than psycopg's limit for caching
    # a statement's conversion (4 KB), which it would otherwise redo on every execution.
    sql = " ".join(("\n        UNION ALL".join(parts) + order).split())
    # Typed dates, so SQLite compares them in the same text form the ORM stores.
    params = {k: v for k, v in params.items() if re.search(rf":{k}\b", sql)}
    typed = [bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, dt.date)]
    return text(sql).bindparams(*typed), params


# The villages of a region: the village itself, a township's, a county's.
_REGION_VILLAGES = """SELECT rv.id FROM regions rv LEFT JOIN regions rt ON rt.id = rv.parent_id
                     WHERE rv.id = :region_id OR rv.parent_id = :region_id
                        OR rt.parent_id = :region_id"""


def has_future_contacts(session: Session, today: dt.date) -> bool:
    """Whether any successful contact is dated after `today` (an indexed range, usually empty)."""
    found = session.execute(text(
        "SELECT 1 FROM contact_records WHERE contact_date > :today AND voided = :no"
        " AND status <> 'unreachable' LIMIT 1").bindparams(bindparam("today", type_=Date)),
        {"today": today, "no": False}).first()
    return found is not None
