"""The leader lock and the scheduler process: one leader, a standby that takes over."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

from sqlalchemy import select

from scheduler.leader import make_leader_lock
from storage.models import OutboxMessage


def test_one_leader_and_takeover_after_the_leader_stops(runtime):
    from bot.runtime import Runtime

    other = Runtime(runtime.settings)
    try:
        clock = [dt.datetime(2026, 4, 1, 2, 0)]
        first = make_leader_lock(runtime.sessions, "a")
        second = make_leader_lock(other.sessions, "b")
        for lock in (first, second):
            lock.clock = lambda: clock[0]
        assert first.hold() is True
        assert second.hold() is False
        assert first.hold() is True  # renewing
        clock[0] += dt.timedelta(seconds=31)  # the leader stopped renewing
        assert second.hold() is True
        assert first.hold() is False
        second.release()
        assert first.hold() is True
        first.release()
    finally:
        other.dispose()


def _start(env, log_path):
    out = open(log_path, "w")  # noqa: SIM115 - closed when the process is reaped
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "scheduler", "--leader-ttl", "4", "--standby-poll",
         "0.3"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    out.close()
    return proc


def _wait(predicate, timeout=40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_two_scheduler_processes_queue_once_and_standby_takes_over(
    runtime, world, cli_env, tmp_path
):
    member = world.official("赵红梅")
    p = world.person("张三")
    world.assign(member, p, start="2020-01-01")  # overdue whatever today is
    env = dict(cli_env, LIANXIN_DIGEST_HOUR="0")  # catch-up runs today's digest at start
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start(env, path) for path in logs]

    def leaders():
        return [i for i, path in enumerate(logs) if ": leader" in path.read_text()]

    def digests():
        with runtime.sessions() as s:
            return s.scalars(select(OutboxMessage.dedupe_key)
                             .where(OutboxMessage.kind == "digest")).all()

    try:
        assert _wait(lambda: len(leaders()) >= 1 and len(digests()) >= 1)
        time.sleep(1.5)
        assert len(leaders()) == 1
        assert len(digests()) == 1
        (leader,) = leaders()
        procs[leader].kill()  # no clean release: the standby must notice on its own
        procs[leader].wait(30)
        assert _wait(lambda: len(leaders()) == 2), [p.read_text() for p in logs]
        time.sleep(1)
        assert len(digests()) == 1  # the new leader's catch-up queued nothing twice
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)
