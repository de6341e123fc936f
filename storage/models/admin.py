"""Dashboard accounts for township and county staff."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, Timestamped
from storage.models.region import Region


class AdminUser(Timestamped, Base):
    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The township or county this account may see; everything below it is in scope.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    # May see full ID and phone numbers (otherwise masked).
    can_view_private: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Bumped on logout and on a password change: every earlier session cookie stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    region: Mapped[Region] = relationship()


class LoginFailure(Base):
    """A failed dashboard login: the throttles per address, per account and address, per account."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_ip_at", "ip", "at"),
                      Index("ix_login_failures_username_at", "username", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
