"""Officials and their assignments to persons (jurisdiction or pairing), with history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.cipher import Encrypted
from storage.models.base import Base, Timestamped
from storage.models.person import Person
from storage.models.region import Region

# Role code -> the Chinese word used in rosters.
ROLES = {
    "village_member": "专职委员",
    "cadre": "帮扶干部",
    "township": "乡镇",
    "county": "县",
}
RANKS = ("处级", "科级", "其他")

JURISDICTION, PAIRING = "jurisdiction", "pairing"


class Official(Timestamped, Base):
    __tablename__ = "officials"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(4))  # 男/女: the 登记表's 帮扶人性别
    # In every due-list link (`/m/due/<token>`): bumping it revokes all links issued before.
    due_link_version: Mapped[int] = mapped_column(default=0, server_default="0")
    phone: Mapped[str] = mapped_column(Encrypted("officials.phone"))
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    unit: Mapped[str | None] = mapped_column(String(128))
    position: Mapped[str | None] = mapped_column(String(64))
    rank: Mapped[str | None] = mapped_column(String(8))
    # The most specific region the official works in (village for 专职委员, township, county).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    office_phone: Mapped[str | None] = mapped_column(Encrypted("officials.office_phone"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region | None] = relationship()


class Assignment(Timestamped, Base):
    __tablename__ = "assignments"
    __table_args__ = (
        # At most one open assignment of a kind between an official and a person.
        Index(
            "uq_assignments_open",
            "official_id",
            "person_id",
            "kind",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
        Index("ix_assignments_person_kind", "person_id", "kind"),
        # Migration 0005_open_assignments: persons with an open assignment (the overview's festival
        # targets), one index-only probe each.
        Index(
            "ix_assignments_open_person",
            "person_id",
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)

    official: Mapped[Official] = relationship()
    person: Mapped[Person] = relationship()
