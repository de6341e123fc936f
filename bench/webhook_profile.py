"""CPU and SQL statements per message of the full pipeline, in-process (no HTTP, no gunicorn).

    python -m bench webhook --in-process [--databases postgresql] [--requests 2000] [--profile]

On a freshly prepared database (bench/webhook_setup.py) with bench/webhook_load.py's messages
(same senders, names and texts), so each records a new contact. The replies are counted by kind,
so a run that only asked back is visible. `process_time` counts only this process's CPU; the
statement count comes from `before_cursor_execute`. On PostgreSQL the CPU of every PostgreSQL
process (from /proc) is given per message too.
"""

from __future__ import annotations

import collections
import cProfile
import pstats
import statistics
import time

from sqlalchemy import event

from bench.cpu_accounting import cpu_seconds, postgres_pids
from bench.webhook_load import contact_log
from bench.webhook_setup import prepare
from bot.app import create_app
from bot.conversation import conversation_of
from bot.runtime import Runtime
from bot.settings import load_settings
from handlers.context import Incoming
from storage.models import utcnow

BATCH = 100  # messages per CPU sample


def run(url: str, messages: int, warmup: int, profile: bool) -> None:
    openids, names = prepare(url)
    batch = min(BATCH, messages)
    runtime = Runtime(load_settings(env={}, database_url=url))
    conv = conversation_of(create_app(runtime=runtime))
    statements = [0]
    def count(*_args: object) -> None:
        statements[0] += 1

    event.listen(runtime.engine, "before_cursor_execute", count)
    first = int(time.time()) * 1_000_000  # fresh MsgIds: nothing is a retry
    kinds: collections.Counter[str] = collections.Counter()

    def one(i: int) -> None:
        openid, text = contact_log(i, openids, names)
        msg_id = str(first + i)
        reply = conv.handle(Incoming(
            openid=openid, dedupe_key=msg_id, kind="text",
            received_at=utcnow(), text=text, msg_id=msg_id,
        ))
        body = reply.text or ""
        kinds["duplicate?" if "是重复发送吗" in body else "logged" if body.startswith("已记录") else body[:20]] += 1

    for i in range(warmup):
        one(i)
    kinds.clear()
    statements[0] = 0
    samples, walls = [], []
    backends = postgres_pids()
    backend = cpu_seconds(backends)
    profiler = cProfile.Profile() if profile else None
    for start in range(warmup, warmup + messages, batch):
        began, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(start, start + batch):
            one(i)
        if profiler:
            profiler.disable()
        samples.append((time.process_time() - began) / batch * 1000)
        walls.append((time.perf_counter() - wall) / batch * 1000)
    backend = (cpu_seconds(backends) - backend) / messages * 1000
    print(f"median_cpu_ms_per_message={statistics.median(samples):.2f}  "
          f"median_wall_ms_per_message={statistics.median(walls):.2f}  "
          f"postgres_cpu_ms_per_message={backend:.2f}  "
          f"sql_statements_per_message={statements[0] / messages:.1f}")
    for text, n in kinds.most_common(8):
        print(f"  {n:6d}  {text}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"bot|handlers|storage", 40)
        stats.sort_stats("tottime").print_stats(25)

