"""The daily reminder run at province scale: the digest job over every person and rule.

    python -m bench reminders --sizes 10000,100000,1000000 \
        [--dialects sqlite,postgresql] [--pg postgresql://postgres@127.0.0.1:5432/test]

Target (issue #14): 10^6 persons / 10^7 contacts in ≤ 15 s and < 500 MB, on both databases.

For each size N it builds a fresh migrated database (a SQLite file; a PostgreSQL schema) holding
N persons, N/10 officials (one village member per 500 persons, the rest paired cadres), a
jurisdiction assignment per person, pairings for about N/10 persons, and 10 contact records per
person over the last two years (COPY on PostgreSQL, executemany batches on SQLite), then
`lianxin db rebuild`'s `storage.contact_dates.rebuild` as after any bulk load. Then, in a
fresh subprocess (so its peak RSS is the evaluation's own), it times the full daily evaluation —
`scheduler.jobs.iter_digest`, every rule of the policy for every person, overdue and due-soon rows
turned into messages — against a plain `SELECT person_id, count(*) FROM contact_records GROUP BY
person_id` over the same table, alternating, and prints medians, the ratio and the peak RSS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TODAY = dt.date(2026, 11, 20)
PERSONS_PER_VILLAGE = 500
CHANNELS = ["home_visit", "home_visit", "phone", "phone", "wechat", "video", "sms", None]
CONTACT_INDEXES = ("ix_contact_records_person_date", "ix_contact_records_official_date",
                   "ix_contact_records_date", "ix_contact_records_person_cover")


def _rows(n: int, seed: int = 7):
    """Regions, officials, persons, assignments and contacts as tuples, deterministically."""
    rnd = random.Random(seed)
    villages = max(1, n // PERSONS_PER_VILLAGE)
    townships = max(1, villages // 20)
    counties = max(1, townships // 10)
    regions = [(c + 1, f"县{c}", "county", None) for c in range(counties)]
    t0 = counties + 1
    regions += [(t0 + t, f"镇{t}", "township", 1 + t % counties) for t in range(townships)]
    v0 = t0 + townships
    regions += [(v0 + v, f"村{v}", "village", t0 + v % townships) for v in range(villages)]
    members = villages
    cadres = max(1, n // 10 - members)
    officials = [(i + 1, f"委员{i}", f"1{i:010d}", "village_member", None, v0 + i)
                 for i in range(members)]
    officials += [(members + i + 1, f"干部{i}", f"2{i:010d}", "cadre",
                   ("处级", "科级", "其他")[i % 3], t0) for i in range(cadres)]
    persons, assignments, contacts = [], [], []
    aid = cid = 0
    for pid in range(1, n + 1):
        village = (pid - 1) // PERSONS_PER_VILLAGE % villages
        hardship = rnd.random() < 0.15
        persons.append((pid, f"人{pid}", v0 + village, hardship))
        member = village + 1
        aid += 1
        assignments.append((aid, member, pid, "jurisdiction", dt.date(2024, 1, 1)))
        cadre = None
        if pid % 10 == 0:
            cadre = members + 1 + (pid // 10) % cadres
            aid += 1
            assignments.append((aid, cadre, pid, "pairing", dt.date(2025, 3, 1)))
        for _ in range(10):
            cid += 1
            who = cadre if cadre and rnd.random() < 0.4 else member
            day = TODAY - dt.timedelta(days=rnd.randrange(730))
            status = "unreachable" if rnd.random() < 0.05 else "normal"
            contacts.append((cid, pid, who, rnd.choice(CHANNELS), status, day,
                             rnd.random() < 0.01))
    return regions, officials, persons, assignments, contacts


def load_sqlite(path: Path, n: int) -> None:
    import sqlite3

    regions, officials, persons, assignments, contacts = _rows(n)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    # Load without the contact indexes, then build them from the migrated definitions.
    ddl = [sql for (name, sql) in con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name = 'contact_records'") if name in CONTACT_INDEXES]
    for name in CONTACT_INDEXES:
        con.execute(f"DROP INDEX {name}")
    now = "2026-11-20 00:00:00.000000"
    con.executemany("INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, ?, ?)", regions)
    con.executemany(
        "INSERT INTO officials (id, name, phone, role, rank, region_id, active, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?)", [(*o, now) for o in officials])
    con.executemany(
        "INSERT INTO persons (id, name, village_id, special_hardship, dibao, tekun,"
        " multi_disabled, elderly_carer, living_alone, poverty_monitoring, active, updated_at,"
        " created_at) VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 1, ?, ?)",
        [(*p, now, now) for p in persons])
    con.executemany(
        "INSERT INTO assignments (id, official_id, person_id, kind, start_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)", [(*a[:4], a[4].isoformat(), now) for a in assignments])
    batch = 200_000
    for i in range(0, len(contacts), batch):
        con.executemany(
            "INSERT INTO contact_records (id, person_id, official_id, channel, status,"
            " contact_date, voided, needs, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '[]', ?)",
            [(*c[:5], c[5].isoformat(), c[6], now) for c in contacts[i : i + batch]])
    con.commit()
    for sql in ddl:
        con.execute(sql)
    con.commit()
    con.close()
    _rebuild(f"sqlite:///{path}")


def _rebuild(url: str) -> None:
    """What `lianxin db rebuild` does after a bulk load: contact_dates from the contacts."""
    from storage.contact_dates import rebuild
    from storage.db import make_engine, session_factory

    engine = make_engine(url)
    with session_factory(engine).begin() as session:
        rebuild(session)
    engine.dispose()


def _copy(cur, table: str, columns: str, rows) -> None:
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buf = io.StringIO()
        for i, row in enumerate(rows):
            buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            if i % 100_000 == 99_999:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())


def load_postgres(url: str, schema: str, n: int) -> None:
    import psycopg

    regions, officials, persons, assignments, contacts = _rows(n)
    now = "2026-11-20 00:00:00"
    with psycopg.connect(url, options=f"-csearch_path={schema}") as con, con.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s"
                    " AND tablename = 'contact_records' AND indexname = ANY(%s)",
                    (schema, list(CONTACT_INDEXES)))
        ddl = [row[0] for row in cur.fetchall()]
        for name in CONTACT_INDEXES:
            cur.execute(f"DROP INDEX {name}")
        _copy(cur, "regions", "id, name, level, parent_id", regions)
        _copy(cur, "officials", "id, name, phone, role, rank, region_id, active, created_at",
              ((*o, True, now) for o in officials))
        _copy(cur, "persons", "id, name, village_id, special_hardship, dibao, tekun,"
              " multi_disabled, elderly_carer, living_alone, poverty_monitoring, active,"
              " updated_at, created_at",
              ((*p, False, False, False, False, False, False, True, now, now) for p in persons))
        _copy(cur, "assignments", "id, official_id, person_id, kind, start_date, created_at",
              ((*a, now) for a in assignments))
        _copy(cur, "contact_records", "id, person_id, official_id, channel, status,"
              " contact_date, voided, needs, created_at",
              ((*c, "[]", now) for c in contacts))
        for sql in ddl:
            cur.execute(sql)
    _rebuild(_schema_url(url, schema))
    # VACUUM (outside a transaction) sets the visibility map, as autovacuum would in production.
    with psycopg.connect(url, options=f"-csearch_path={schema}", autocommit=True) as con:
        for table in ("regions", "officials", "persons", "assignments", "contact_records",
                      "contact_dates"):
            con.execute(f"VACUUM ANALYZE {table}")


def measure(url: str, policy: str, repeat: int) -> dict:
    """Run in a fresh process: alternate the GROUP BY scan and the daily evaluation."""
    from sqlalchemy import text

    from bot.runtime import Runtime
    from bot.settings import load_settings
    from scheduler.jobs import iter_digest
    from scheduler.policies import load_policies

    rt = Runtime(load_settings(env={}, database_url=url))
    policies = load_policies(default=policy)
    now = policies.schedule.clock.at(TODAY, 8)
    scans, evals, scan_cpu, eval_cpu, messages = [], [], [], [], 0
    for _ in range(repeat):
        with rt.read_sessions() as s:
            t, c = time.perf_counter(), time.process_time()
            result = s.execute(
                text("SELECT person_id, count(*) FROM contact_records GROUP BY person_id"),
                execution_options={"stream_results": True, "yield_per": 5000})
            for _ in result:
                pass
            scans.append(time.perf_counter() - t)
            scan_cpu.append(time.process_time() - c)
        with rt.read_sessions() as s:
            t, c = time.perf_counter(), time.process_time()
            messages = listed = 0
            for m in iter_digest(s, policies, now):  # as the daily job consumes it
                messages += 1
                listed += len(m["persons"])
            evals.append(time.perf_counter() - t)
            eval_cpu.append(time.process_time() - c)
    rt.dispose()
    # CPU seconds of this process (all of SQLite's work; only the client side of PostgreSQL's):
    # on a loaded machine the wall-clock ratio wanders, this one much less.
    return {
        "scan_s": statistics.median(scans), "eval_s": statistics.median(evals),
        "scan_all": scans, "eval_all": evals, "messages": messages, "listed": listed,
        "scan_cpu_s": statistics.median(scan_cpu), "eval_cpu_s": statistics.median(eval_cpu),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss is not it: Linux carries the parent's
    peak across fork and exec, and the parent here held the generated rows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n: int, dialect: str, args) -> dict:
    from sqlalchemy import text

    from storage.db import make_engine
    from storage.migrate import upgrade

    t = time.perf_counter()
    if args.reuse:
        url = _existing(n, dialect, args)
        if url:
            # A database loaded by an older version gets the newer migrations first.
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            return _measure_in_subprocess(url, n, dialect, args, load_s=float("nan"))
    if dialect == "sqlite":
        path = Path(args.sqlite_dir) / f"bench_{n}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        load_sqlite(path, n)
    else:
        schema = f"bench_{n}"
        admin = make_engine(args.pg)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = _schema_url(args.pg, schema)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        load_postgres(args.pg, schema, n)
    return _measure_in_subprocess(url, n, dialect, args, time.perf_counter() - t)


def _schema_url(pg: str, schema: str) -> str:
    sep = "&" if "?" in pg else "?"
    return f"{pg}{sep}options=-csearch_path%3D{schema}"


def _url(n: int, dialect: str, args) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{Path(args.sqlite_dir) / f'bench_{n}.db'}"
    return _schema_url(args.pg, f"bench_{n}")


def _existing(n: int, dialect: str, args) -> str | None:
    """The URL of an already loaded database of this size (for --reuse), else None."""
    from sqlalchemy import text

    from storage.db import make_engine

    if dialect == "sqlite" and not (Path(args.sqlite_dir) / f"bench_{n}.db").exists():
        return None
    url = _url(n, dialect, args)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM persons")).scalar()
    except Exception:
        return None
    finally:
        engine.dispose()
    return url if count == n else None


def _measure_in_subprocess(url: str, n: int, dialect: str, args, load_s: float) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.reminders", "--measure", url, "--policy", args.policy,
         "--repeat", str(args.repeat)],
        capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(persons=n, dialect=dialect, load_s=load_s)
    result["ratio"] = result["eval_s"] / result["scan_s"]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench reminders",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--dialects", default="postgresql,sqlite")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite-dir", default=os.environ.get("TMPDIR", "/tmp"))
    parser.add_argument("--policy", default="yueyang_2023")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true",
                        help="Measure an already loaded database of a size instead of rebuilding.")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.policy, args.repeat)))
        return
    print("| dialect | persons | contacts | load s | GROUP BY scan s | daily evaluation s | ratio |"
          " digests | listed | peak RSS MB | client CPU ratio | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in args.sizes.split(",")):
        for dialect in args.dialects.split(","):
            r = run_size(n, dialect, args)
            print(f"| {dialect} | {n:,} | {10 * n:,} | {r['load_s']:.1f} | {r['scan_s']:.2f} |"
                  f" {r['eval_s']:.2f} | {r['ratio']:.2f} | {r['messages']:,} | {r['listed']:,} |"
                  f" {r['peak_rss_mb']:.0f} | {r['eval_cpu_s'] / r['scan_cpu_s']:.2f} |"
                  f" {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
