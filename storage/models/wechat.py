"""WeChat side: bindings of openids, binding codes, inbound dedupe, conversation state, tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.cipher import Encrypted
from storage.models.base import Base, Timestamped


class OfficialBinding(Timestamped, Base):
    """An official's WeChat account. One active openid per official and per openid."""

    __tablename__ = "official_bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # For the 48-hour customer-service window.
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class HouseholdBinding(Timestamped, Base):
    """A household member's or guardian's openid linked to one person; one openid may have several."""

    __tablename__ = "household_bindings"
    __table_args__ = (Index("uq_household_bindings_openid_person", "openid", "person_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class BindingCode(Timestamped, Base):
    """A code to bind an openid: one-time 6 digits for officials; the printed card code for a person."""

    __tablename__ = "binding_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Encrypted; found by `code_hash` (storage.cipher.lookup_hash), unique.
    code: Mapped[str] = mapped_column(Encrypted("binding_codes.code"))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # official | household
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The permanent QR code WeChat made for this code's scene (what the printed card encodes).
    qr_url: Mapped[str | None] = mapped_column(Encrypted("binding_codes.qr_url"))


class InboundMessage(Timestamped, Base):
    """One row per WeChat message or event; its unique key makes retries idempotent."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    # The reply given the first time, so a retry gets the same answer.
    reply: Mapped[str | None] = mapped_column(Encrypted("inbound_messages.reply"))


class ConversationState(Base):
    """Short-lived pending question (e.g. which 张 did you mean), readable by any worker."""

    __tablename__ = "conversation_states"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SharedValue(Base):
    """Small shared values with an expiry: the WeChat access token, leader locks."""

    __tablename__ = "shared_values"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Encrypted("shared_values.value"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class BindFailure(Base):
    """A wrong binding code sent by an openid: the rate limit and the guessing alarm read these."""

    __tablename__ = "bind_failures"
    __table_args__ = (Index("ix_bind_failures_openid_at", "openid", "at"),
                      Index("ix_bind_failures_at", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
