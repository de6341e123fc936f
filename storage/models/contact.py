"""Contact records (访视台账) and need tickets (诉求)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, String
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
NEED_STATUSES = ("open", "in_progress", "resolved", "referred")
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


class ContactSummary(Base):
    """The newest successful contact dates of a person, kept exact by database triggers.

    Migration 0004_contact_summary creates it with the triggers; `storage.contact_summary`
    rebuilds it after bulk loads that bypass them. `official_id` 0 means any official.
    """

    __tablename__ = "contact_summary"
    __table_args__ = ({"sqlite_with_rowid": False},)

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    official_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Newest first: a1..a4 any channel, h1..h4 home visits only.
    a1: Mapped[dt.date | None] = mapped_column(Date)
    a2: Mapped[dt.date | None] = mapped_column(Date)
    a3: Mapped[dt.date | None] = mapped_column(Date)
    a4: Mapped[dt.date | None] = mapped_column(Date)
    h1: Mapped[dt.date | None] = mapped_column(Date)
    h2: Mapped[dt.date | None] = mapped_column(Date)
    h3: Mapped[dt.date | None] = mapped_column(Date)
    h4: Mapped[dt.date | None] = mapped_column(Date)


class AssignmentSummary(Base):
    """What the due engine reads of one assignment, kept exact by database triggers.

    Migration 0006_assignment_summary creates it with the triggers; `storage.assignment_summary`
    explains the columns. Never written by the application. The primary key puts an official's
    rows together (SQLite keeps the rows in it), which is the order the daily digest walks.
    """

    __tablename__ = "assignment_summary"
    __table_args__ = (
        Index("ix_assignment_summary_person_id", "person_id"),
        Index("ix_assignment_summary_village_id", "village_id"),
        {"sqlite_with_rowid": False},
    )

    official_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    assignment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    person_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    person_name: Mapped[str] = mapped_column(String(64))
    village_id: Mapped[int]
    hardship: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)
    last_any: Mapped[dt.date | None] = mapped_column(Date)
    # Newest first, the dates that count for this assignment: a1..a4 any channel, h1..h4 home
    # visits (by anyone; for a pairing, by the paired cadre).
    a1: Mapped[dt.date | None] = mapped_column(Date)
    a2: Mapped[dt.date | None] = mapped_column(Date)
    a3: Mapped[dt.date | None] = mapped_column(Date)
    a4: Mapped[dt.date | None] = mapped_column(Date)
    h1: Mapped[dt.date | None] = mapped_column(Date)
    h2: Mapped[dt.date | None] = mapped_column(Date)
    h3: Mapped[dt.date | None] = mapped_column(Date)
    h4: Mapped[dt.date | None] = mapped_column(Date)


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
