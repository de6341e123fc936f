"""What the dashboard shows of the verdicts: counts per village, official or rule, and pages.

Plain functions over the rows of `storage.due.iter_statuses` (the dashboard judges a region
once and keeps the rows for a minute: `bot.admin.due_status`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.due import RuleStatus, sort_rows

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


def due_counts(rows: Iterable[RuleStatus], by: str) -> dict:
    """Per village, official or rule (`by`): persons judged, all rules done, overdue on any.

    A person counts once per group; under `rule` and `official`, by their rows of that rule or
    official only.
    """
    field = GROUPS[by]
    # (group, person) -> [every row done, some row overdue]
    seen: dict[tuple, list[bool]] = {}
    for row in rows:
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


def status_page(rows: Iterable[RuleStatus], *, offset: int, limit: int,
                official_id: int | None = None,
                statuses: Iterable[str] | None = None) -> StatusPage:
    """Rows `offset … offset+limit` of the rows wanted, sorted, with the list's totals.

    An offset past the end is moved back to the last page's, as a pager would. (Rows given in
    `sort_rows`' order cost a linear pass: Python's sort finds them sorted.)
    """
    wanted = frozenset(statuses) if statuses is not None else None
    chosen = sort_rows(r for r in rows if (wanted is None or r.status in wanted)
                       and (official_id is None or r.official_id == official_id))
    if offset >= len(chosen) > 0:
        offset = (len(chosen) - 1) // limit * limit
    return StatusPage(chosen[offset:offset + limit], len(chosen), offset if chosen else 0,
                      len({r.person_id for r in chosen}))
