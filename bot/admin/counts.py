"""The overview's numbers for one village (or a sum of villages), and the rates shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields


@dataclass
class Counts:
    persons: int = 0
    special: int = 0
    visited: int = 0  # persons with a successful home visit in the period
    contacted: int = 0  # persons with any successful contact in the period
    ruled: int = 0  # persons some policy rule applies to
    rules_done: int = 0  # of those, persons whose every rule is done
    overdue: int = 0  # persons overdue on at least one rule
    open_needs: int = 0
    urgent_needs: int = 0
    festival_targets: int = 0  # persons with an official assigned
    festival_done: int = 0  # of those, contacted in the last festival's window

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def visit_rate(self) -> float | None:
        return self.rate(self.visited, self.persons)

    @property
    def contact_rate(self) -> float | None:
        return self.rate(self.contacted, self.persons)

    @property
    def done_rate(self) -> float | None:
        return self.rate(self.rules_done, self.ruled)

    @property
    def festival_rate(self) -> float | None:
        return self.rate(self.festival_done, self.festival_targets)


def total(rows: Iterable[Counts]) -> Counts:
    out = Counts()
    for row in rows:
        out.add(row)
    return out
