"""A durable local spool for messages that arrive while the database cannot be reached.

WeChat does not retry a message that was answered, so a message the database could not take is
written here (one file per message, fsynced, renamed into place) and answered "已收到，稍后处理".
A drain thread replays the spool through the normal exactly-once pipeline once the database is
back, and queues the real reply as a push through the outbox. A WeChat retry of a spooled
message is answered from the spool (the same answer, nothing recorded twice). An entry that
cannot be read or keeps failing for another reason than the outage is moved to `poisoned/` and
logged, so it never blocks the rest.

The drain runs in the web process: started lazily (after gunicorn's fork) when this process
spools a message or, on its first message, finds the spool not empty; it stops when the spool
is empty. Worker processes of one machine share the spool directory; a lock file lets one of
them replay at a time.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import exc as sa_exc

from handlers.context import Incoming

log = logging.getLogger(__name__)

MAX_ENTRIES = 20_000  # about a day of a county's messages; past it WeChat is asked to retry
DRAIN_INTERVAL_S = 5.0  # between passes while the database is still away
POISON_AFTER = 3  # failures, other than the outage, before an entry is moved aside
SUFFIX = ".json"


class SpoolFull(Exception):
    """The spool holds MAX_ENTRIES messages: the message is not taken (WeChat should retry)."""


def is_outage(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (not a bug in a statement)."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError))


def _encode(incoming: Incoming) -> bytes:
    data = asdict(incoming)
    data["received_at"] = incoming.received_at.isoformat()
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _decode(raw: bytes) -> Incoming:
    data = json.loads(raw.decode("utf-8"))
    data["received_at"] = dt.datetime.fromisoformat(data["received_at"])
    return Incoming(**data)


class Spool:
    """The spool directory: `put` (webhook, outage path), `holds` (retries), `drain` (replay)."""

    def __init__(self, directory: Path, max_entries: int = MAX_ENTRIES) -> None:
        self.directory = directory
        self.poisoned = directory / "poisoned"
        self.max_entries = max_entries
        self._failures: dict[str, int] = {}

    def _path(self, dedupe_key: str) -> Path:
        return self.directory / (hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest() + SUFFIX)

    def entries(self) -> list[Path]:
        """Spooled messages, oldest first."""
        found = []
        try:
            with os.scandir(self.directory) as listing:
                for entry in listing:
                    if entry.name.endswith(SUFFIX):
                        with suppress(FileNotFoundError):  # replayed by another process meanwhile
                            found.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
        except FileNotFoundError:
            return []
        return [path for _, _, path in sorted(found)]

    def _count(self) -> int:
        try:
            with os.scandir(self.directory) as found:
                return sum(1 for entry in found if entry.name.endswith(SUFFIX))
        except FileNotFoundError:
            return 0

    def holds(self, dedupe_key: str) -> bool:
        return self._path(dedupe_key).exists()

    def put(self, incoming: Incoming) -> bool:
        """Write the message durably; False when it was already spooled (a WeChat retry)."""
        target = self._path(incoming.dedupe_key)
        if target.exists():
            return False
        if self._count() >= self.max_entries:
            raise SpoolFull(f"{self.directory}: {self.max_entries} messages")
        tmp = self.directory / f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                data = _encode(incoming)
                if os.write(fd, data) != len(data):
                    raise OSError("short write")
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, target)
            self._sync_directory()
        except OSError as exc:  # a full or broken disk: the message is not safe here
            with suppress(OSError):
                tmp.unlink()
            raise SpoolFull(f"{self.directory}: {exc}") from exc
        return True

    def _sync_directory(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def _drain_lock(self) -> Iterator[bool]:
        """One drainer per machine at a time; False when another process holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / ".drain.lock", os.O_RDONLY | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def drain(self, replay: Callable[[Incoming], None]) -> int:
        """Replay every entry, oldest first; stop at the first outage. Returns how many were done.

        `replay` must be idempotent (the pipeline's claim makes it so): an entry is removed
        only after it returned, so a crash in between replays it again.
        """
        done = 0
        with self._drain_lock() as mine:
            if not mine:
                return 0
            for path in self.entries():
                try:
                    incoming = _decode(path.read_bytes())
                except FileNotFoundError:
                    continue
                except Exception:
                    log.exception("spool: unreadable entry %s", path.name)
                    self._move_aside(path)
                    continue
                try:
                    replay(incoming)
                except Exception as exc:
                    if is_outage(exc):
                        log.info("spool: database still unreachable (%s)", type(exc).__name__)
                        return done
                    failures = self._failures.get(path.name, 0) + 1
                    self._failures[path.name] = failures
                    log.exception("spool: replay of %s failed (%s of %s)", path.name, failures,
                                  POISON_AFTER)
                    if failures >= POISON_AFTER:
                        self._move_aside(path)
                    continue
                with suppress(FileNotFoundError):
                    path.unlink()
                self._failures.pop(path.name, None)
                done += 1
            if done:
                self._sync_directory()
        return done

    def _move_aside(self, path: Path) -> None:
        self.poisoned.mkdir(parents=True, exist_ok=True)
        with suppress(FileNotFoundError):
            os.replace(path, self.poisoned / path.name)
            self._sync_directory()
        self._failures.pop(path.name, None)
        log.error("spool: entry %s moved to %s; it is not replayed", path.name, self.poisoned)


class Drainer:
    """The background thread of one process: runs while the spool has entries."""

    def __init__(self, spool: Spool, replay: Callable[[Incoming], None],
                 interval: float = DRAIN_INTERVAL_S) -> None:
        self.spool = spool
        self._replay = replay
        self._interval = interval
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stop = threading.Event()
        self._checked_pid: int | None = None

    def wake(self) -> None:
        """Make sure a drain thread runs in this process (threads do not survive a fork)."""
        with self._lock:
            alive = self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()
            if alive or self._stop.is_set():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="lianxin-spool-drain",
                                            daemon=True)
            self._thread.start()

    def first_message(self) -> None:
        """Once per process: drain what an earlier process left in the spool."""
        if self._checked_pid == os.getpid():
            return
        self._checked_pid = os.getpid()
        if self.spool.entries():
            self.wake()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.spool.drain(self._replay)
            except Exception:  # the thread must outlive any surprise; the next pass retries
                log.exception("spool: drain pass failed")
            with self._lock:
                if not self.spool.entries():
                    self._thread = None
                    return
            self._stop.wait(self._interval)


def wait_until_empty(spool: Spool, timeout: float) -> bool:
    """For tests and the CLI: True once the spool is empty, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while spool.entries():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
