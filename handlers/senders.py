"""Officials' lookups and rosters kept between their messages, per process.

An official writes many messages a day against the same roster, and reading it (and sorting its
names for the parser) is a good part of a message's cost. A worker keeps what it read, with the
official's `roster_version` read in the same statement, and may use it for a later message only
once that message's claim has read the same version: the database's triggers change the number
whenever anything kept here changes, whoever writes. So the cache can be stale for a moment,
never wrong: a mismatch means the sender is looked up again in the message's own transaction.

It also lapses at the end of the day (rosters are "on today") and when the binding's last
inbound time kept here is older than `INBOUND_TOUCH`, so that time is still written every few
minutes through the usual lookup. Households are not kept.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from storage.bindings import INBOUND_TOUCH, Identity


@dataclass(frozen=True)
class Known:
    """An official as read by one message: sender, roster on `today`, sorted names, version."""

    identity: Identity
    roster: list[tuple[int, str]]
    names: list[str]
    version: int
    today: dt.date

    @property
    def official_id(self) -> int:
        assert self.identity.official is not None
        return self.identity.official.id


class SenderCache:
    """openid → `Known`, bounded (oldest out first); safe to share between a worker's threads.

    An entry with a roster of a hundred persons is ~15 KB: the default bound keeps a worker
    under ~30 MB however many officials write to it.
    """

    def __init__(self, size: int = 2_000) -> None:
        self._size = size
        self._known: dict[str, Known] = {}
        self._lock = threading.Lock()

    def get(self, openid: str, today: dt.date, now: dt.datetime) -> Known | None:
        known = self._known.get(openid)
        if known is None or known.today != today:
            return None
        seen = known.identity.bindings[0].last_inbound_at if known.identity.bindings else None
        if seen is None or now - seen > INBOUND_TOUCH:
            return None
        return known

    def put(self, known: Known) -> None:
        with self._lock:
            self._known.pop(known.identity.openid, None)
            while len(self._known) >= self._size:  # the oldest entry goes first
                del self._known[next(iter(self._known))]
            self._known[known.identity.openid] = known

    def drop(self, openid: str) -> None:
        with self._lock:
            self._known.pop(openid, None)

    def __len__(self) -> int:
        return len(self._known)
