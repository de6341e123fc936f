"""Server time of the dashboard's county overview and overdue pages on a generated province.

    python bench/dashboard_bench.py --url postgresql://postgres@127.0.0.1:5432/test --persons 1000000

Generates (once; `--reuse` keeps an existing schema) a province of `--persons` people in counties
of 10,000 (15 townships x 20 villages each), one village member per village, 150 cadres per
county pairing 5% of the people, about four contacts per person over the last year and a few
open needs; then times, in-process through Flask's test client (server time, no network), the
county overview (this quarter) and an overdue-list page, median of 20 each, next to a baseline
page (the login form) measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bot.app import create_app  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

TODAY = dt.date(2026, 11, 20)
PER_COUNTY, TOWNSHIPS, VILLAGES = 10_000, 15, 20
CADRES = 150
PASSWORD = "bench-password-1"
NOW = dt.datetime(2026, 11, 20, 2, 0)


def _with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def _copy(conn, table: str, columns: list[str], rows) -> int:
    """COPY on PostgreSQL, executemany on SQLite."""
    count = 0
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    batch = []
    raw = conn.connection.driver_connection
    for row in rows:
        batch.append(tuple(int(v) if isinstance(v, bool) else v for v in row))
        if len(batch) == 20_000:
            raw.executemany(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def generate(engine, persons: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    counties = max(1, persons // PER_COUNTY)
    regions, villages = [], []
    rid = 0
    for c in range(counties):
        rid += 1
        county = rid
        regions.append((county, f"县{c:03d}", "county", None))
        for t in range(TOWNSHIPS):
            rid += 1
            township = rid
            regions.append((township, f"县{c:03d}镇{t:02d}", "township", county))
            for v in range(VILLAGES):
                rid += 1
                regions.append((rid, f"村{v:02d}", "village", township))
                villages.append((rid, county))
    per_village = persons // len(villages)
    officials, member_of = [], {}
    oid = 0
    for vid, _ in villages:
        oid += 1
        officials.append((oid, f"委员{oid}", f"13{oid:09d}", "village_member", "其他", vid, True, NOW))
        member_of[vid] = oid
    cadres_of: dict[int, list[int]] = {}
    for c_rid in (r[0] for r in regions if r[2] == "county"):
        for _ in range(CADRES):
            oid += 1
            rank = rnd.choice(("处级", "科级", "其他", "其他"))
            officials.append((oid, f"干部{oid}", f"13{oid:09d}", "cadre", rank, c_rid, True, NOW))
            cadres_of.setdefault(c_rid, []).append(oid)

    def person_rows():
        pid = 0
        for vid, _ in villages:
            for _ in range(per_village):
                pid += 1
                special = rnd.random() < 0.2
                yield (pid, f"人{pid}", vid, rnd.randint(1, 4), False, False, False, False, False,
                       False, special, True, NOW)

    def assignment_rows():
        aid, pid = 0, 0
        for vid, county in villages:
            for _ in range(per_village):
                pid += 1
                aid += 1
                yield (aid, member_of[vid], pid, "jurisdiction", dt.date(2025, 1, 1), None)
                if rnd.random() < 0.05:
                    aid += 1
                    yield (aid, rnd.choice(cadres_of[county]), pid, "pairing", dt.date(2025, 6, 1), None)

    def contact_rows():
        cid, pid = 0, 0
        for vid, _ in villages:
            for _ in range(per_village):
                pid += 1
                for _ in range(rnd.choice((1, 2, 3, 4, 5, 6, 7))):
                    cid += 1
                    day = TODAY - dt.timedelta(days=rnd.randint(0, 365))
                    channel = "home_visit" if rnd.random() < 0.35 else "phone"
                    status = "unreachable" if rnd.random() < 0.1 else "normal"
                    yield (cid, pid, member_of[vid], channel, status, day, "[]", False, NOW)

    def need_rows():
        nid = 0
        for pid in range(1, per_village * len(villages) + 1):
            if rnd.random() < 0.02:
                nid += 1
                yield (nid, pid, "medical", "看病", "urgent" if rnd.random() < 0.1 else "normal",
                       rnd.choice(("open", "in_progress", "resolved")), "official", NOW, NOW)

    started = time.perf_counter()
    with engine.begin() as conn:
        _copy(conn, "regions", ["id", "name", "level", "parent_id"], regions)
        _copy(conn, "officials", ["id", "name", "phone", "role", "rank", "region_id", "active",
                                  "created_at"], officials)
        n = _copy(conn, "persons", ["id", "name", "village_id", "disability_level", "dibao", "tekun",
                                    "multi_disabled", "elderly_carer", "living_alone",
                                    "poverty_monitoring", "special_hardship", "active",
                                    "updated_at"], person_rows())
        _copy(conn, "assignments", ["id", "official_id", "person_id", "kind", "start_date",
                                    "end_date"], assignment_rows())
        c = _copy(conn, "contact_records", ["id", "person_id", "official_id", "channel", "status",
                                            "contact_date", "needs", "voided", "created_at"],
                  contact_rows())
        _copy(conn, "needs", ["id", "person_id", "category", "text", "urgency", "status", "source",
                              "created_at", "updated_at"], need_rows())
        if conn.dialect.name == "postgresql":
            for table in ("regions", "officials", "persons", "assignments", "contact_records", "needs"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                ))
            conn.execute(text("ANALYZE"))
    print(f"generated {n} persons, {c} contacts, {len(officials)} officials in "
          f"{len(regions)} regions ({time.perf_counter() - started:.0f} s)")


def median_ms(client, url: str, runs: int) -> float:
    client.get(url)  # warm caches (templates, statement cache)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///bench/out/dashboard.db")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--schema", default="bench_dashboard")
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    url = args.url
    if url.startswith("postgresql"):
        admin = make_engine(url)
        with admin.begin() as conn:
            exists = conn.execute(text(
                "SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"), {"s": args.schema}
            ).first()
            if exists and not args.reuse:
                conn.execute(text(f'DROP SCHEMA "{args.schema}" CASCADE'))
            if not exists or not args.reuse:
                conn.execute(text(f'CREATE SCHEMA "{args.schema}"'))
        admin.dispose()
        fresh = not (exists and args.reuse)
        url = _with_schema(url, args.schema)
    else:
        path = Path(url.removeprefix("sqlite:///"))
        fresh = not (args.reuse and path.exists())
        if fresh and path.exists():
            path.unlink()
    engine = make_engine(url)
    if fresh:
        upgrade(engine)
        generate(engine, args.persons)
    engine.dispose()

    runtime = Runtime(load_settings(env={}, database_url=url, secret_key="bench"))
    from bot.admin.accounts import create_admin
    from storage.models import AdminUser, Region

    with runtime.sessions.begin() as s:
        if s.query(AdminUser).filter_by(username="bench-county").first() is None:
            county = s.query(Region).filter_by(level="county").order_by(Region.id).first()
            create_admin(s, "bench-county", PASSWORD, county)
    app = create_app(runtime=runtime)
    app.config["LIANXIN_TODAY"] = TODAY
    client = app.test_client()
    form = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    login = client.post("/admin/login", data={"username": "bench-county", "password": PASSWORD,
                                              "csrf_token": token})
    assert login.status_code == 302, login.status_code

    baseline = median_ms(app.test_client(), "/admin/login", args.runs)
    overview = median_ms(client, "/admin/?period=quarter", args.runs)
    overdue = median_ms(client, "/admin/overdue?page=2", args.runs)
    backend = runtime.engine.dialect.name
    print(f"backend={backend} persons={args.persons} runs={args.runs} (median ms, server time)")
    print(f"  baseline login form   {baseline:8.1f}")
    print(f"  county overview       {overview:8.1f}  ({overview / baseline:.0f}x baseline)")
    print(f"  overdue list, page 2  {overdue:8.1f}  ({overdue / baseline:.0f}x baseline)")
    runtime.dispose()


if __name__ == "__main__":
    main()
