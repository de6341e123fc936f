"""What the smallest PostgreSQL statements cost this machine: the floor under a webhook message.

    python bench/postgres_floor.py [postgresql://postgres@127.0.0.1:5432/test] [--n 3000]

psycopg 3 on loopback, in a scratch table it drops afterwards. For each case: CPU per execution of
every PostgreSQL process (from /proc) and of this client, and wall time. Compare with the echo's
machine CPU per request from bench/webhook_bench.py: half the echo's throughput leaves twice that.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.cpu_accounting import cpu_seconds, postgres_pids  # noqa: E402

TABLE = "bench_postgres_floor"


def measure(label: str, once: Callable[[int], object], n: int) -> None:
    pids = postgres_pids()
    server, wall, client = cpu_seconds(pids), time.perf_counter(), time.process_time()
    for i in range(n):
        once(i)
    server = (cpu_seconds(pids) - server) / n * 1000
    client = (time.process_time() - client) / n * 1000
    wall = (time.perf_counter() - wall) / n * 1000
    print(f"{label:44s} postgres_cpu_ms={server:.3f}  client_cpu_ms={client:.3f}  wall_ms={wall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="?", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"CREATE TABLE {TABLE} (k text PRIMARY KEY, reply text, at timestamptz DEFAULT now())")

        def transaction(i: int) -> None:
            with conn.transaction():
                conn.execute(f"INSERT INTO {TABLE} (k) VALUES (%s)", (f"t{i}",))
                conn.execute(f"UPDATE {TABLE} SET reply = %s WHERE k = %s", ("好", f"t{i}"))

        try:
            measure("SELECT 1", lambda i: conn.execute("SELECT 1").fetchone(), args.n)
            measure("one INSERT, autocommit",
                    lambda i: conn.execute(f"INSERT INTO {TABLE} (k) VALUES (%s)", (f"a{i}",)), args.n)
            measure("BEGIN; INSERT; UPDATE; COMMIT", transaction, args.n)
            conn.execute("SET synchronous_commit = off")
            measure("the same, synchronous_commit = off", lambda i: transaction(i + args.n), args.n)
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")


if __name__ == "__main__":
    main()
