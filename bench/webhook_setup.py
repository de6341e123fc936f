"""A database for measuring the full webhook: 16 bound officials, 100 persons each.

`prepare(url)` empties it (SQLite file removed; PostgreSQL schema of the URL's search_path dropped
and re-created), migrates and fills it, and returns the senders' openids and the persons' names.
`python -m bench webhook` prepares its databases afresh on every run: its messages are new
contacts only on a fresh database.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import text

from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.models import Assignment, ContactRecord, Official, OfficialBinding, Person, Region

SURNAMES = "张李王赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦尤许何吕施"
GIVEN = ["建国", "秀英", "桂兰", "志强", "海燕", "德明", "玉梅", "国庆", "春花", "文华"]
OFFICIALS = 16
PERSONS = 100  # per official, each official their own; the same names in every roster
HISTORY = (dt.date(2026, 3, 10), dt.date(2026, 7, 20))  # earlier contacts of every person


def person_names() -> list[str]:
    return [f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[i // len(SURNAMES) % len(GIVEN)]}" for i in range(PERSONS)]


def reset(url: str) -> None:
    parts = urlsplit(url)
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    options = parse_qs(parts.query).get("options", [""])[0]
    schema = options.split("search_path=")[-1] if "search_path=" in options else None
    if schema:
        admin = make_engine(url.split("?")[0])
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()


def prepare(url: str) -> tuple[list[str], list[str]]:
    """Fill a fresh database; (the bound senders' openids, the names every one of them has)."""
    reset(url)
    engine = make_engine(url)
    upgrade(engine)
    names = person_names()
    with session_factory(engine).begin() as s:
        county = Region(name="基准县", level="county")
        s.add(county)
        s.flush()
        town = Region(name="基准镇", level="township", parent_id=county.id)
        s.add(town)
        s.flush()
        for i in range(OFFICIALS):
            village = Region(name=f"基准{i}村", level="village", parent_id=town.id)
            s.add(village)
            s.flush()
            o = Official(name=f"委员{i}", phone=f"1380000{i:04d}", role="village_member", region_id=village.id)
            s.add(o)
            persons = [Person(name=n, village_id=village.id, disability_level=2, active=True) for n in names]
            s.add_all(persons)
            s.flush()
            s.add(OfficialBinding(openid=f"o_bench_{i}", official_id=o.id, active=True))
            s.add_all(
                Assignment(official_id=o.id, person_id=p.id, kind="jurisdiction", start_date=dt.date(2026, 1, 1))
                for p in persons
            )
            s.add_all(
                ContactRecord(person_id=p.id, official_id=o.id, channel="home_visit", status="normal",
                              contact_date=day, needs=[], voided=False)
                for p in persons for day in HISTORY
            )
    if not url.startswith("sqlite"):
        # A PostgreSQL database in use has its planner statistics (autovacuum gathers them within
        # a minute of a load like this one). Without them the generic plan PostgreSQL settles on
        # for the progress line walks the official's whole roster for the rare future-dated
        # contacts. (SQLite gathers none unless told, and the application never tells it.)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return [f"o_bench_{i}" for i in range(OFFICIALS)], names
