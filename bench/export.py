"""Export streaming: memory stays flat from 100,000 to 1,000,000 contact records (SQLite).

    python -m bench export [--small 100000] [--large 1000000]

Two databases are filled directly with sqlite3 (that part is not measured), then each export
runs as a `python -m bot.cli export contacts` subprocess; peak RSS is that child's ru_maxrss.
The baseline is the 100,000-record export in the same run: flat memory means an RSS ratio near
1 while the time ratio is near 10.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PERSONS = 20_000
OFFICIALS = 200


def fill(db: Path, contacts: int) -> None:
    env = dict(os.environ, LIANXIN_DATABASE_URL=f"sqlite:///{db}")
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env,
                   check=True, capture_output=True)
    rng = random.Random(1)
    con = sqlite3.connect(db)
    now = "2026-11-22 00:00:00"
    con.execute("INSERT INTO regions (id, name, level, parent_id) VALUES (1, '平江县', 'county', NULL)")
    con.execute("INSERT INTO regions (id, name, level, parent_id) VALUES (2, '安定镇', 'township', 1)")
    con.executemany(
        "INSERT INTO regions (id, name, level, parent_id) VALUES (?, ?, 'village', 2)",
        [(10 + v, f"第{v}村") for v in range(80)],
    )
    con.executemany(
        "INSERT INTO officials (id, name, phone, role, region_id, active, created_at)"
        " VALUES (?, ?, ?, 'village_member', ?, 1, ?)",
        [(o, f"委员{o}", f"138{o:08d}", 10 + o % 80, now) for o in range(1, OFFICIALS + 1)],
    )
    con.executemany(
        "INSERT INTO persons (id, name, village_id, dibao, tekun, multi_disabled, elderly_carer,"
        " living_alone, poverty_monitoring, special_hardship, active, created_at, updated_at)"
        " VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 1, ?, ?)",
        [(p, f"人{p}", 10 + p % 80, now, now) for p in range(1, PERSONS + 1)],
    )
    start = dt.date(2024, 1, 1)
    channels = ["home_visit", "phone", "wechat", None]
    batch = []
    for i in range(1, contacts + 1):
        batch.append((i, rng.randint(1, PERSONS), rng.randint(1, OFFICIALS), rng.choice(channels),
                      rng.choice(["normal", "concern", "unreachable"]),
                      (start + dt.timedelta(rng.randrange(1000))).isoformat(),
                      json.dumps(["medical"] if i % 7 == 0 else []), "身体还好，电话13812345678",
                      f"m{i}", now))
        if len(batch) == 50_000:
            _insert(con, batch)
            batch = []
    _insert(con, batch)
    con.commit()
    con.close()


def _insert(con: sqlite3.Connection, batch: list) -> None:
    con.executemany(
        "INSERT INTO contact_records (id, person_id, official_id, channel, status, contact_date,"
        " needs, note, source_msg_id, voided, created_at) VALUES (?,?,?,?,?,?,?,?,?,0,?)",
        batch,
    )


def export(db: Path, fmt: str, out: Path) -> tuple[float, int]:
    code = (
        "import resource, runpy, sys; sys.argv = ['lianxin', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('bot.cli', run_name='__main__')\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    env = dict(os.environ, LIANXIN_DATABASE_URL=f"sqlite:///{db}")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, "export", "contacts", "--format", fmt, "--out", str(out)],
        env=env, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or "RSS" not in done.stderr:
        raise SystemExit(done.stderr[-2000:])
    return elapsed, int(done.stderr.rsplit("RSS", 1)[1].split()[0]) // 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench export",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,json,xlsx")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        figures: dict[tuple[str, int], tuple[float, int]] = {}
        for count in (args.small, args.large):
            db = work / f"c{count}.db"
            fill(db, count)
            for fmt in args.formats.split(","):
                out = work / f"out{count}.{'jsonl' if fmt == 'json' else fmt}"
                figures[(fmt, count)] = export(db, fmt, out)
                with open(out, "rb") as f:
                    lines = sum(1 for _ in f) if fmt != "xlsx" else None
                print(f"{fmt:>4} {count:>8} records: {figures[(fmt, count)][0]:6.1f} s, "
                      f"peak RSS {figures[(fmt, count)][1]} MB, "
                      f"{out.stat().st_size / 1e6:.0f} MB written"
                      + (f", {lines} lines" if lines is not None else ""))
        for fmt in args.formats.split(","):
            (t1, m1), (t2, m2) = figures[(fmt, args.small)], figures[(fmt, args.large)]
            print(f"{fmt:>4} ratio {args.large}/{args.small}: time x{t2 / t1:.1f}, RSS x{m2 / m1:.2f}")
