"""What the dashboard shows of `storage.due`: counts per village, official or rule, and pages.

Computed on read from the same verdicts as everything else (`storage.due.iter_statuses`); a
county of 10^5 persons is one streamed statement and a pass in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.due import RulesByCounty, RuleStatus, iter_statuses, sort_rows

GROUPS = {"village": "village_id", "official": "official_id", "rule": "rule_id"}


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
    persons: int  # distinct persons in the whole list


def due_counts(session: Session, rules_by_county: RulesByCounty, today: dt.date, by: str, *,
               region_id: int | None = None, official_id: int | None = None) -> dict:
    """Per village, official or rule (`by`): persons judged, all rules done, overdue on any.

    A person counts once per group; under `rule` and `official`, by their rows of that rule or
    official only.
    """
    field = GROUPS[by]
    # (group, person) -> [every row done, some row overdue]
    seen: dict[tuple, list[bool]] = {}
    for row in iter_statuses(session, rules_by_county, today, region_id=region_id,
                             official_id=official_id):
        flags = seen.setdefault((getattr(row, field), row.person_id), [True, False])
        flags[0] = flags[0] and row.status == "done"
        flags[1] = flags[1] or row.status == "overdue"
    totals: dict = {}
    for (group, _person), (done, overdue) in seen.items():
        n = totals.setdefault(group, [0, 0, 0])
        n[0] += 1
        n[1] += done
        n[2] += overdue
    return {group: DueCounts(*n) for group, n in totals.items()}


def status_page(session: Session, rules_by_county: RulesByCounty, today: dt.date, *,
                offset: int, limit: int, region_id: int | None = None,
                official_id: int | None = None,
                statuses: Iterable[str] | None = None) -> StatusPage:
    """Rows `offset … offset+limit` of the sorted list, with its totals.

    An offset past the end is moved back to the last page's, as a pager would.
    """
    rows = sort_rows(iter_statuses(session, rules_by_county, today, region_id=region_id,
                                   official_id=official_id, statuses=statuses))
    if offset >= len(rows) > 0:
        offset = (len(rows) - 1) // limit * limit
    return StatusPage(rows[offset:offset + limit], len(rows), offset if rows else 0,
                      len({r.person_id for r in rows}))
