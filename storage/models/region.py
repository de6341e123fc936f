"""Administrative regions: county → township → village."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base

COUNTY, TOWNSHIP, VILLAGE = "county", "township", "village"
LEVELS = (COUNTY, TOWNSHIP, VILLAGE)


class Region(Base):
    __tablename__ = "regions"
    __table_args__ = (
        Index("uq_regions_parent_name", "parent_id", "name", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # The county's policy preset name (see scheduler/policies.toml); null inherits the default.
    policy: Mapped[str | None] = mapped_column(String(64))

    parent: Mapped[Region | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"Region({self.id}, {self.level}, {self.name})"
