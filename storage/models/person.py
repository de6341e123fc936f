"""Disabled persons (登记表 fields and hardship flags) and their guardians."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.cipher import Encrypted
from storage.models.base import Base, Timestamped, utcnow
from storage.models.region import Region

DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")

# Attribute name -> 登记表/roster column header.
HARDSHIP_FLAGS = {
    "dibao": "低保",
    "tekun": "特困",
    "multi_disabled": "一户多残",
    "elderly_carer": "以老养残",
    "living_alone": "独居",
    "poverty_monitoring": "防返贫监测",
    "special_hardship": "特殊困难",
}


class Person(Timestamped, Base):
    __tablename__ = "persons"
    __table_args__ = (
        Index("ix_persons_village_name", "village_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(4))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    disability_category: Mapped[str | None] = mapped_column(String(8))
    # 1..4 (一级..四级); null for 尚未持证 persons who have not been assessed.
    disability_level: Mapped[int | None] = mapped_column(SmallInteger)
    # 20 characters: 18-character ID number + category digit + level digit. Null = 尚未持证.
    # Encrypted (storage.cipher); found by `id_hash`, the lookup hash of its first 18 characters
    # (the ID number), unique, and `phone_hash`.
    certificate_no: Mapped[str | None] = mapped_column(Encrypted("persons.certificate_no"))
    address: Mapped[str | None] = mapped_column(Encrypted("persons.address"))
    phone: Mapped[str | None] = mapped_column(Encrypted("persons.phone"))
    id_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)

    dibao: Mapped[bool] = mapped_column(Boolean, default=False)
    tekun: Mapped[bool] = mapped_column(Boolean, default=False)
    multi_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    elderly_carer: Mapped[bool] = mapped_column(Boolean, default=False)
    living_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    poverty_monitoring: Mapped[bool] = mapped_column(Boolean, default=False)
    special_hardship: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    # Free-text sections of the 登记表 (seed 003 附件2).
    family_members: Mapped[str | None] = mapped_column(Encrypted("persons.family_members"))
    policy_benefits: Mapped[str | None] = mapped_column(Encrypted("persons.policy_benefits"))
    hardship_description: Mapped[str | None] = mapped_column(Encrypted("persons.hardship_description"))
    planned_measures: Mapped[str | None] = mapped_column(Encrypted("persons.planned_measures"))
    annual_progress: Mapped[str | None] = mapped_column(Encrypted("persons.annual_progress"))

    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    village: Mapped[Region] = relationship()
    guardian_links: Mapped[list[PersonGuardian]] = relationship(back_populates="person")

    @property
    def certified(self) -> bool:
        return self.certificate_no is not None


class Guardian(Timestamped, Base):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(Encrypted("guardians.phone"))
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class PersonGuardian(Base):
    __tablename__ = "person_guardians"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    guardian_id: Mapped[int] = mapped_column(ForeignKey("guardians.id"), primary_key=True)
    relation: Mapped[str | None] = mapped_column(String(16))

    person: Mapped[Person] = relationship(back_populates="guardian_links")
    guardian: Mapped[Guardian] = relationship()
