"""A name written by an official that is not on their roster: where else, within their scope, it is.

Only the official's own region and the regions below it are searched (a village member sees their
village, a township official its villages): nothing outside that scope is ever revealed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Official, Person, Region


def _subtree(session: Session, root: int) -> set[int]:
    found, frontier = {root}, [root]
    while frontier:
        children = (
            set(session.scalars(select(Region.id).where(Region.parent_id.in_(frontier)))) - found
        )
        found |= children
        frontier = list(children)
    return found


def villages_with_name(session: Session, official_id: int, name: str) -> list[str]:
    """Names of the villages, within the official's region scope, where an active person is
    called exactly `name`; empty when the official has no region or nobody is found."""
    region_id = session.scalar(select(Official.region_id).where(Official.id == official_id))
    if region_id is None:
        return []
    scope = _subtree(session, region_id)
    rows = session.scalars(
        select(Region.name)
        .join(Person, Person.village_id == Region.id)
        .where(Person.name == name, Person.active.is_(True), Person.village_id.in_(scope))
        .distinct()
        .order_by(Region.name)
    )
    return list(rows)
