"""The plain objects that flow between the webhook adapter and the handlers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from storage.bindings import Identity
from storage.clock import LocalClock


@dataclass(frozen=True)
class Incoming:
    """One WeChat message or event, already verified and decrypted by bot/."""

    openid: str
    dedupe_key: str
    kind: str  # text | voice | image | location | link | video | event | other
    received_at: dt.datetime  # naive UTC
    text: str | None = None  # Content, or voice Recognition
    msg_id: str | None = None
    event: str | None = None  # subscribe | unsubscribe | scan | click | …
    event_key: str | None = None  # QR scene (qrscene_ prefix already stripped)


@dataclass(frozen=True)
class Reply:
    """What to answer; None means the empty `success` answer."""

    text: str | None


@dataclass(frozen=True)
class Deps:
    """Process-wide collaborators the handlers need, passed in by bot/."""

    rules_by_county: Mapping[int | None, Sequence[Any]] = field(default_factory=dict)
    clock: LocalClock = field(default_factory=LocalClock)  # LIANXIN_TIMEZONE
    due_list_url: Callable[[int, int], str] | None = None  # (official id, link version) -> URL
    undo_window: dt.timedelta = dt.timedelta(minutes=30)
    pending_ttl: dt.timedelta = dt.timedelta(minutes=10)
    max_list: int = 10

    def today(self, at: dt.datetime) -> dt.date:
        """The local day of a naive-UTC moment (a message's arrival)."""
        return self.clock.today(at)


@dataclass
class Turn:
    """One message being handled: its transaction, sender and date."""

    session: Session
    deps: Deps
    incoming: Incoming
    identity: Identity
    today: dt.date
    _roster: list[tuple[int, str]] | None = None

    def roster(self) -> list[tuple[int, str]]:
        """(id, name) of the official's persons, read once per message."""
        if self._roster is None:
            from storage.ledger import assigned_roster

            official = self.identity.official
            self._roster = assigned_roster(self.session, official.id, self.today) if official else []
        return self._roster

    @property
    def openid(self) -> str:
        return self.incoming.openid

    @property
    def actor(self) -> str:
        if self.identity.official is not None:
            return f"official:{self.identity.official.id}"
        return f"wechat:{self.openid[-8:]}"
