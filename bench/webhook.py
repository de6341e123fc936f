"""`python -m bench webhook`: the machine's CPU per contact-log message against the floor, and p99.

    python -m bench webhook                               # SQLite and PostgreSQL, 3 rounds
    python -m bench webhook --databases sqlite --requests 200 --warmup 20 --rounds 1
    python -m bench webhook --in-process [--profile]      # the pipeline alone, no HTTP

One run serves, each under gunicorn with the same settings on loopback: the bare echo
(bench/webhook_echo.py: Flask + wechatpy, verify → parse → reply, no database) and the full
application once per database (bot.app on a freshly prepared database, bench/webhook_setup.py:
16 bound officials with 100 persons each). 16 closed-loop clients send signed contact logs, each
a new contact (a quarter with a need). The rounds interleave the targets, so the machine's other
load hits them alike, and each round also times the smallest write transaction on each database
(bench/write_floor.py). Per database:

    floor = the echo's machine CPU per request + the smallest write transaction's machine CPU
    ratio = the application's machine CPU per message / floor        (target ≤ 2.5)
    p99   = the application's 99th-percentile latency, 16 clients    (target < 100 ms)

Machine CPU is everything the request costs this machine (from /proc): the gunicorn workers, the
load generator, and on PostgreSQL every PostgreSQL process. The figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.webhook_load import DEFAULT_TOKEN, LOGS, Gunicorn, Result, run_load
from bench.webhook_setup import prepare
from bench.write_floor import write_transaction_cpu

TARGET_RATIO = 2.5
TARGET_P99_MS = 100.0
DEFAULT_URLS = {
    "sqlite": f"sqlite:///{Path('var/bench-webhook.db').resolve()}",
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_webhook",
}


@dataclass
class Target:
    label: str
    spec: str
    env: dict[str, str]
    postgres: bool = False
    url: str | None = None  # the database, None for the echo


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench webhook", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default: both)")
    parser.add_argument("--sqlite-url", default=DEFAULT_URLS["sqlite"])
    parser.add_argument("--postgres-url", default=DEFAULT_URLS["postgresql"],
                        help="a search_path schema in the URL is dropped and re-created")
    parser.add_argument("--requests", type=int, default=1000, help="messages per round and target")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--floor-transactions", type=int, default=2000,
                        help="write transactions per round for the floor")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of the table")
    parser.add_argument("--in-process", action="store_true",
                        help="instead: CPU and statements per message of the pipeline alone "
                        "(bench/webhook_profile.py, on the first database)")
    parser.add_argument("--profile", action="store_true", help="with --in-process: cProfile")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    urls = {"sqlite": args.sqlite_url, "postgresql": args.postgres_url}
    unknown = set(databases) - set(urls)
    if unknown or not databases:
        raise SystemExit(f"--databases: sqlite and/or postgresql, not {sorted(unknown)}")
    if args.in_process:
        from bench import webhook_profile

        webhook_profile.run(urls[databases[0]], args.requests, args.warmup, args.profile)
        return

    senders: dict[str, tuple[list[str], list[str]]] = {}
    for name in databases:
        senders[name] = prepare(urls[name])
    openids, names = next(iter(senders.values()))
    cycle = len(openids) * len(LOGS) * len(names)
    if args.warmup + args.rounds * args.requests > cycle:
        raise SystemExit(f"at most {cycle} messages per target, so each is a new contact")

    env = dict(os.environ, WECHAT_TOKEN=DEFAULT_TOKEN, LIANXIN_LOG_LEVEL="WARNING")
    targets = [Target("echo", "bench.webhook_echo:app", env)]
    targets += [
        Target(name, "bot.app:create_app()", {**env, "LIANXIN_DATABASE_URL": urls[name]},
               postgres=name == "postgresql", url=urls[name])
        for name in databases
    ]
    runs: dict[str, list[Result]] = {t.label: [] for t in targets}
    floors: dict[str, list[dict[str, float]]] = {name: [] for name in databases}
    # Fresh MsgIds on every run: nothing is a retry. Every target gets the same sequence.
    first_id = int(time.time()) * 1_000_000
    load = {"openids": openids, "names": names, "clients": args.clients}
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        servers = {}
        for t in targets:
            servers[t.label] = stack.enter_context(
                Gunicorn(t.spec, args.workers, args.threads, t.env, DEFAULT_TOKEN))
            run_load(servers[t.label].url, DEFAULT_TOKEN, label=t.label, total=args.warmup,
                     first_id=first_id, **load)
        for r in range(args.rounds):
            for t in targets:
                server = servers[t.label]
                result = run_load(
                    server.url, DEFAULT_TOKEN, label=t.label, total=args.requests,
                    first_id=first_id + args.warmup + r * args.requests,
                    server_pid=server.pid, postgres=t.postgres, **load,
                )
                runs[t.label].append(result)
                if args.json:
                    _emit({"round": r + 1, **result.summary()})
                if t.url is not None:
                    floors[t.label].append(write_transaction_cpu(t.url, args.floor_transactions))
    rows = [_summary(name, runs["echo"], runs[name], floors[name]) for name in databases]
    if args.json:
        for row in rows:
            _emit(row)
        return
    print(f"webhook, {args.clients} clients, {args.rounds} round(s) of {args.requests} messages, "
          f"gunicorn {args.workers} worker(s) × {args.threads} thread(s), "
          f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(_table(rows))


def _median(values) -> float:  # type: ignore[no-untyped-def]
    return round(statistics.median(values), 2)


def _summary(name: str, echo: list[Result], app: list[Result],
             floor: list[dict[str, float]]) -> dict[str, object]:
    echo_cpu = _median(r.cpu_ms["machine"] for r in echo)
    write_cpu = _median(f["machine"] for f in floor)
    app_cpu = _median(r.cpu_ms["machine"] for r in app)
    p99 = _median(r.percentile(0.99) for r in app)
    ratio = round(app_cpu / (echo_cpu + write_cpu), 2)
    return {
        "database": name,
        "echo_cpu_ms": echo_cpu,
        "write_transaction_cpu_ms": write_cpu,
        "floor_cpu_ms": round(echo_cpu + write_cpu, 2),
        "message_cpu_ms": app_cpu,
        **{f"message_{k}_cpu_ms": _median(r.cpu_ms[k] for r in app)
           for k in app[0].cpu_ms if k != "machine"},
        "ratio": ratio,
        "p50_ms": _median(statistics.median(r.latencies_ms) for r in app),
        "p99_ms": p99,
        "throughput_rps": _median(r.throughput for r in app),
        "echo_throughput_rps": _median(r.throughput for r in echo),
        "errors": sum(r.errors for r in app) + sum(r.errors for r in echo),
        "met": ratio <= TARGET_RATIO and p99 < TARGET_P99_MS,
    }


def _table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| database | echo CPU | write txn CPU | floor | message CPU (server / db / client) "
        f"| ratio (≤ {TARGET_RATIO}) | p99 (< {TARGET_P99_MS:.0f} ms) | errors | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        parts = " / ".join(
            f"{r[key]:.2f}" if key in r else "—"
            for key in ("message_server_cpu_ms", "message_postgres_cpu_ms", "message_client_cpu_ms")
        )
        lines.append(
            f"| {r['database']} | {r['echo_cpu_ms']:.2f} ms | {r['write_transaction_cpu_ms']:.2f} ms "
            f"| {r['floor_cpu_ms']:.2f} ms | {r['message_cpu_ms']:.2f} ms ({parts}) "
            f"| {r['ratio']:.2f}× | {r['p99_ms']:.1f} ms | {r['errors']} "
            f"| {'yes' if r['met'] else 'no'} |"
        )
    return "\n".join(lines)


def _emit(summary: dict[str, object]) -> None:
    print(json.dumps(summary, ensure_ascii=False), flush=True)
