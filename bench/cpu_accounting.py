"""CPU seconds used by other processes of this machine, read from /proc (Linux).

The benchmarks share 2 cores with the server they measure and, on PostgreSQL, with the database
server: a request's cost to the machine is the CPU of all three, which throughput alone hides.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()  # fields after the command name
    except OSError:  # gone meanwhile, or no /proc
        return None


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU so far of `pids` (those still alive)."""
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICK


def _pids() -> list[int]:
    try:
        return [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers of its master)."""
    return [p for p in _pids() if (fields := _stat(p)) is not None and fields[1] == str(pid)]


def postgres_pids() -> list[int]:
    """This machine's PostgreSQL processes (backends and background workers)."""
    found = []
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().startswith("postgres"):
                    found.append(pid)
        except OSError:
            continue
    return found
