"""Region names for export rows and the villages under a region filter, loaded once per export."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.export import texts
from storage.models import COUNTY, TOWNSHIP, Region


class UnknownRegion(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(texts.UNKNOWN_REGION.format(name=name))


class RegionNames:
    def __init__(self, session: Session) -> None:
        self._regions = {
            r.id: (r.name, r.level, r.parent_id)
            for r in session.execute(select(Region.id, Region.name, Region.level, Region.parent_id))
        }

    def path(self, region_id: int | None) -> dict[str, str]:
        """{"county": …, "township": …, "village": …} for a region, blank where absent."""
        names = {"county": "", "township": "", "village": ""}
        while region_id is not None and region_id in self._regions:
            name, level, region_id = self._regions[region_id]
            names[level] = name
        return names

    def villages_under(self, names: list[str]) -> list[int]:
        """Every village at or below the regions with these names (several may share a name)."""
        roots = set()
        for name in names:
            found = {rid for rid, (n, _, _) in self._regions.items() if n == name}
            if not found:
                raise UnknownRegion(name)
            roots |= found
        children: dict[int | None, list[int]] = {}
        for rid, (_, _, parent) in self._regions.items():
            children.setdefault(parent, []).append(rid)
        villages, stack = [], list(roots)
        while stack:
            rid = stack.pop()
            if self._regions[rid][1] not in (COUNTY, TOWNSHIP):
                villages.append(rid)
            stack.extend(children.get(rid, []))
        return sorted(set(villages))
