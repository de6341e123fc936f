"""CPU and SQL statements per message of the full pipeline, in-process (no HTTP, no gunicorn).

    python bench/webhook_cpu.py sqlite:///$PWD/var/bench-webhook.db --messages 2000
    python bench/webhook_cpu.py 'postgresql://…?options=-csearch_path%3Dbench_webhook' --profile

The database is one freshly prepared by bench/webhook_setup.py; the messages are
webhook_bench.py's (same senders, names and texts), so each records a new contact. The replies
are counted by kind, so a run that only asked back is visible. `process_time` counts only this
process's CPU, so neighbours' load changes the figures less than wall time (caches and frequency
still move them a little); the statement count comes from `before_cursor_execute`. On PostgreSQL
the CPU of the server's processes (read from /proc, all of them: on this machine they serve only
the benchmark) is given per message too, as the server shares the machine with the webhook.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.cpu_accounting import cpu_seconds, postgres_pids  # noqa: E402
from bench.webhook_bench import contact_log  # noqa: E402
from bench.webhook_setup import OFFICIALS, person_names  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.conversation import conversation_of  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers.context import Incoming  # noqa: E402
from storage.models import utcnow  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--batch", type=int, default=100, help="messages per CPU sample")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args()

    runtime = Runtime(Settings(database_url=args.url))
    conv = conversation_of(create_app(runtime=runtime))
    statements = [0]
    def count(*_args: object) -> None:
        statements[0] += 1

    event.listen(runtime.engine, "before_cursor_execute", count)
    names = person_names()
    openids = [f"o_bench_{i}" for i in range(OFFICIALS)]
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

    for i in range(args.warmup):
        one(i)
    kinds.clear()
    statements[0] = 0
    samples, walls = [], []
    backends = postgres_pids()
    backend = cpu_seconds(backends)
    profiler = cProfile.Profile() if args.profile else None
    for start in range(args.warmup, args.warmup + args.messages, args.batch):
        began, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(start, start + args.batch):
            one(i)
        if profiler:
            profiler.disable()
        samples.append((time.process_time() - began) / args.batch * 1000)
        walls.append((time.perf_counter() - wall) / args.batch * 1000)
    backend = (cpu_seconds(backends) - backend) / args.messages * 1000
    print(f"median_cpu_ms_per_message={statistics.median(samples):.2f}  "
          f"median_wall_ms_per_message={statistics.median(walls):.2f}  "
          f"postgres_cpu_ms_per_message={backend:.2f}  "
          f"sql_statements_per_message={statements[0] / args.messages:.1f}")
    for text, n in kinds.most_common(8):
        print(f"  {n:6d}  {text}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"wt-webhook|handlers|storage", 40)
        stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
