"""Regions by name, loaded once per import; missing ones are created county → township → village."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.models import COUNTY, TOWNSHIP, VILLAGE, Region


class RegionIndex:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._ids: dict[tuple[int | None, str], int] = {}
        self.created = 0
        for region_id, parent_id, name in session.execute(
            select(Region.id, Region.parent_id, Region.name)
        ):
            self._ids[(parent_id, name)] = region_id

    def find(self, county: str, township: str = "", village: str = "") -> int | None:
        """The most specific region named, or None when any part of the path does not exist."""
        region_id = self._ids.get((None, county))
        for name in (township, village):
            if region_id is None or not name:
                break
            region_id = self._ids.get((region_id, name))
        return region_id

    def ensure(self, county: str, township: str = "", village: str = "") -> int:
        """The most specific region named, creating whatever part of the path is missing."""
        region_id = self._ensure(None, county, COUNTY)
        if township:
            region_id = self._ensure(region_id, township, TOWNSHIP)
            if village:
                region_id = self._ensure(region_id, village, VILLAGE)
        return region_id

    def _ensure(self, parent_id: int | None, name: str, level: str) -> int:
        key = (parent_id, name)
        if key not in self._ids:
            self._ids[key] = self.session.execute(
                insert(Region).values(name=name, level=level, parent_id=parent_id).returning(Region.id)
            ).scalar_one()
            self.created += 1
        return self._ids[key]
