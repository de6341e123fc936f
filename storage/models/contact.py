"""Contact records (访视台账) and need tickets (诉求)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.cipher import Encrypted
from storage.models.base import Base, Timestamped, utcnow
from storage.models.official import Official
from storage.models.person import Person

CHANNELS = ("home_visit", "phone", "wechat", "video", "sms")
STATUSES = ("normal", "concern", "urgent", "unreachable")
NEED_CATEGORIES = (
    "rehabilitation",
    "assistive_device",
    "medical",
    "employment",
    "education",
    "subsistence",
    "subsidy",
    "housing",
    "care",
    "safety",
    "psychological",
    "certificate",
)
NEED_STATUSES = ("open", "in_progress", "resolved", "referred", "withdrawn")
OPEN_NEED_STATUSES = ("open", "in_progress")


class ContactRecord(Timestamped, Base):
    __tablename__ = "contact_records"
    __table_args__ = (
        Index("ix_contact_records_person_date", "person_id", "contact_date"),
        Index("ix_contact_records_official_date", "official_id", "contact_date"),
        Index("ix_contact_records_date", "contact_date"),
        # Migration 0003_reminders: everything the daily rule evaluation reads, in one index.
        Index("ix_contact_records_person_cover", "person_id", "contact_date", "status", "voided",
              "channel", "official_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    # Null when the message did not say how (counts as a contact, never as a home visit).
    channel: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="normal")
    contact_date: Mapped[dt.date] = mapped_column(Date)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    raw_text: Mapped[str | None] = mapped_column(Encrypted("contact_records.raw_text"))
    note: Mapped[str | None] = mapped_column(Encrypted("contact_records.note"))
    # WeChat MsgId (or another source's id); unique so a retried message is stored once.
    source_msg_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()
    official: Mapped[Official | None] = relationship()

    @property
    def successful(self) -> bool:
        return self.status != "unreachable" and not self.voided


class ContactDates(Base):
    """A person's successful contact dates, newest first: the one table derived from the ledger.

    `official_id` 0 holds everyone's contacts, any other the contacts that official made (a
    pairing rule counts only the cadre's own). `contacts` (any channel) and `visits` (home
    visits) are ISO dates separated by commas. `storage.contact_dates` writes the rows of a
    person in the same transaction as their contacts and rebuilds the table after bulk loads.
    """

    __tablename__ = "contact_dates"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    official_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contacts: Mapped[str] = mapped_column(Text, default="")
    visits: Mapped[str] = mapped_column(Text, default="")


class Need(Timestamped, Base):
    __tablename__ = "needs"
    __table_args__ = (
        Index("ix_needs_status_created", "status", "created_at"),
        Index("ix_needs_person_status", "person_id", "status"),
        Index("ix_needs_owner_status", "owner_official_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Encrypted("needs.text"))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")  # normal | urgent
    status: Mapped[str] = mapped_column(String(16), default="open")
    owner_official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    source: Mapped[str] = mapped_column(String(16), default="official")  # official | household
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact_records.id"))
    reporter_openid: Mapped[str | None] = mapped_column(String(64))
    source_msg_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(Encrypted("needs.resolution"))

    person: Mapped[Person] = relationship()
    owner: Mapped[Official | None] = relationship()


class NeedNote(Timestamped, Base):
    __tablename__ = "need_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Encrypted("need_notes.text"))
