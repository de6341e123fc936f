"""What a staff account may see: its township, or its county and everything below it.

Every page, export and object URL goes through a Scope; an object outside it is answered 404, so
another township's data is neither shown nor confirmed to exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import COUNTY, TOWNSHIP, VILLAGE, Assignment, Official, Person, Region


class OutOfScope(LookupError):
    """The object does not exist or is outside the account's region."""


@dataclass(frozen=True)
class Node:
    id: int
    name: str
    level: str
    parent_id: int | None


@dataclass(frozen=True)
class Scope:
    root: Node
    nodes: dict[int, Node] = field(repr=False)
    parent_name: str = ""  # the county of a township account

    @property
    def county_level(self) -> bool:
        return self.root.level == COUNTY

    @property
    def townships(self) -> list[Node]:
        return sorted((n for n in self.nodes.values() if n.level == TOWNSHIP), key=lambda n: n.id)

    @property
    def village_ids(self) -> list[int]:
        return sorted(n.id for n in self.nodes.values() if n.level == VILLAGE)

    def villages_of(self, region_id: int | None) -> list[int]:
        """Village ids under `region_id` (default: the whole scope); OutOfScope if not ours."""
        if region_id is None:
            return self.village_ids
        node = self.node(region_id)
        if node.level == VILLAGE:
            return [node.id]
        if node.level == TOWNSHIP:
            return sorted(n.id for n in self.nodes.values() if n.parent_id == node.id)
        return self.village_ids

    def villages_in(self, region_id: int | None) -> list[Node]:
        return [self.nodes[v] for v in self.villages_of(region_id)]

    def node(self, region_id: int) -> Node:
        try:
            return self.nodes[region_id]
        except KeyError:
            raise OutOfScope(region_id) from None

    def path(self, region_id: int) -> str:
        """'安定镇 / 五里村' (the part below the account's root)."""
        names, node = [], self.nodes.get(region_id)
        while node is not None and node.id != self.root.id:
            names.append(node.name)
            node = self.nodes.get(node.parent_id) if node.parent_id else None
        return " / ".join(reversed(names)) or self.root.name


def scope_for_region(session: Session, region_id: int) -> Scope:
    root = session.get(Region, region_id)
    if root is None:
        raise OutOfScope(region_id)
    nodes = {root.id: Node(root.id, root.name, root.level, root.parent_id)}
    frontier = [root.id]
    while frontier:
        children = session.execute(
            select(Region.id, Region.name, Region.level, Region.parent_id).where(
                Region.parent_id.in_(frontier)
            )
        ).all()
        frontier = []
        for rid, name, level, parent_id in children:
            nodes[rid] = Node(rid, name, level, parent_id)
            if level != VILLAGE:  # villages have no children; skip a query over all of them
                frontier.append(rid)
    parent = root.parent.name if root.parent is not None else ""
    return Scope(Node(root.id, root.name, root.level, root.parent_id), nodes, parent)


def person_in_scope(session: Session, scope: Scope, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.village_id not in scope.nodes:
        raise OutOfScope(person_id)
    return person


def officials_in_scope(scope: Scope):
    """A select of official ids: working in the region, or holding an open assignment in it."""
    assigned = (
        select(Assignment.official_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.end_date.is_(None), Person.village_id.in_(scope.village_ids))
    )
    return select(Official.id).where(
        or_(Official.region_id.in_(list(scope.nodes)), Official.id.in_(assigned))
    )


def official_in_scope(session: Session, scope: Scope, official_id: int) -> Official:
    found = session.scalar(
        select(Official).where(Official.id == official_id, Official.id.in_(officials_in_scope(scope)))
    )
    if found is None:
        raise OutOfScope(official_id)
    return found
