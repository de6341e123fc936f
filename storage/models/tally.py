"""Per-village counters behind the dashboard overview, kept exact by database triggers.

Migration 0007_overview_tallies creates them with their triggers; `storage.overview_tallies`
rebuilds them after bulk loads that bypass the triggers. Rows whose counters all reached zero
may stay; readers sum them like any other. `village_id` is a region id, deliberately without a
foreign key (derived data; a row left at zero must not stop a village from being deleted).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class ContactMonthTally(Base):
    """Successful, non-voided contacts per village (the person's current one) and month."""

    __tablename__ = "contact_month_tallies"
    __table_args__ = ({"sqlite_with_rowid": False},)

    village_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    contacts: Mapped[int]
    home_visits: Mapped[int]


class LatestContactTally(Base):
    """Active persons per village whose newest successful contact (home visit) is in the month."""

    __tablename__ = "latest_contact_tallies"
    __table_args__ = ({"sqlite_with_rowid": False},)

    village_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month_start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    contacted: Mapped[int]  # by the month of contact_summary.a1 (official 0)
    visited: Mapped[int]  # by the month of contact_summary.h1


class VillageTally(Base):
    """Active persons of a village, special-hardship ones, ones with an open assignment; needs."""

    __tablename__ = "village_tallies"
    __table_args__ = ({"sqlite_with_rowid": False},)

    village_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    persons: Mapped[int]
    special: Mapped[int]
    assigned: Mapped[int]
    open_needs: Mapped[int]  # any person's, active or not, like the needs board
    urgent_needs: Mapped[int]
