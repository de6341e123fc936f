"""The smallest write transaction a webhook message needs, and what it costs the machine.

A message is answered exactly once, so at the very least it claims its MsgId and stores its
reply in one transaction: `BEGIN; INSERT; UPDATE; COMMIT` on a one-row key. This runs that
through storage.db's engine (the application's driver, pragmas and transaction handling) on a
scratch table, dropped afterwards, and gives the CPU per transaction of this process (`client`;
on SQLite that is the database too) and of every PostgreSQL process (`postgres`).
"""

from __future__ import annotations

import time

from sqlalchemy import Engine, text

from bench.cpu_accounting import cpu_seconds, postgres_pids
from storage.db import make_engine

TABLE = "bench_write_floor"


def write_transaction_cpu(url: str, n: int) -> dict[str, float]:
    """CPU per transaction, in ms: `client`, `postgres` (PostgreSQL only) and `machine`."""
    engine = make_engine(url)
    try:
        return _measure(engine, n)
    finally:
        engine.dispose()


def _measure(engine: Engine, n: int) -> dict[str, float]:
    postgres = engine.dialect.name == "postgresql"
    insert = text(f"INSERT INTO {TABLE} (k) VALUES (:k)")
    update = text(f"UPDATE {TABLE} SET reply = :reply WHERE k = :k")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        conn.exec_driver_sql(f"CREATE TABLE {TABLE} (k varchar(40) PRIMARY KEY, reply text)")
    stamp = time.time_ns()
    try:
        with engine.connect() as conn:
            pids = postgres_pids() if postgres else []
            server, client = cpu_seconds(pids), time.process_time()
            for i in range(n):
                key = f"{stamp}-{i}"
                with conn.begin():
                    conn.execute(insert, {"k": key})
                    conn.execute(update, {"k": key, "reply": "好"})
            used = {"client": time.process_time() - client}
            if postgres:
                used["postgres"] = cpu_seconds(pids) - server
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
    used["machine"] = sum(used.values())
    return {k: v / n * 1000 for k, v in used.items()}

