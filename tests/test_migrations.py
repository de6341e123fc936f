"""`db upgrade` from the schema of 2026-12-03 (0008, trigger-kept tables) with data in it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text

from storage.db import make_engine
from storage.migrate import downgrade, upgrade
from tests.conftest import PG_URL, _with_search_path

OLD_TABLES = {"assignment_summary", "contact_summary", "contact_month_tallies",
              "latest_contact_tallies", "village_tallies", "roster_versions"}
DATA_TABLES = ("regions", "persons", "officials", "assignments", "contact_records")


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    """An empty database of its own (a schema on PostgreSQL), not yet migrated."""
    if not PG_URL:
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield eng
        eng.dispose()
        return
    schema = f"lianxin_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(_with_search_path(PG_URL, schema))
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _triggers(engine: Engine) -> set[str]:
    """Every trigger but the audit log's append-only guards (kept by design)."""
    return {t for t in _all_triggers(engine) if not t.startswith("audit_log_")}


def _all_triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return set(conn.execute(text(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
            )).scalars())
        return set(conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())


def _load_old_data(engine: Engine) -> None:
    """A village, two officials, two persons and their contacts, written as 0008's app did."""
    D = dt.date.fromisoformat
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO regions (id, name, level) VALUES"
                          " (1, '平江县', 'county'), (2, '安定镇', 'township'),"
                          " (3, '五里村', 'village')"))
        conn.execute(text("UPDATE regions SET parent_id = id - 1 WHERE id > 1"))
        conn.execute(text(
            "INSERT INTO persons (id, name, village_id, dibao, tekun, multi_disabled,"
            " elderly_carer, living_alone, poverty_monitoring, special_hardship, active,"
            " updated_at) VALUES (:id, :name, 3, false, false, false, false, false, false,"
            " :hardship, true, CURRENT_TIMESTAMP)"),
            [{"id": 1, "name": "张三", "hardship": False}, {"id": 2, "name": "李四", "hardship": True}])
        conn.execute(text("INSERT INTO officials (id, name, phone, role, active) VALUES"
                          " (1, '赵红梅', '13800000001', 'village_member', true),"
                          " (2, '周文', '13800000002', 'cadre', true)"))
        conn.execute(text("INSERT INTO assignments (id, official_id, person_id, kind, start_date)"
                          " VALUES (1, 1, 1, 'jurisdiction', :s), (2, 1, 2, 'jurisdiction', :s),"
                          " (3, 2, 2, 'pairing', :s)"), {"s": D("2026-11-25")})
        conn.execute(text(
            "INSERT INTO contact_records (person_id, official_id, channel, status, contact_date,"
            " needs, voided) VALUES (:p, :o, :ch, :st, :d, '[]', :v)"),
            [{"p": 1, "o": 1, "ch": "home_visit", "st": "normal", "d": D("2026-11-03"), "v": False},
             {"p": 1, "o": 1, "ch": "phone", "st": "normal", "d": D("2026-11-20"), "v": False},
             {"p": 2, "o": 2, "ch": "phone", "st": "normal", "d": D("2026-10-09"), "v": False},
             {"p": 2, "o": 1, "ch": "home_visit", "st": "unreachable", "d": D("2026-11-21"),
              "v": False},
             {"p": 2, "o": 1, "ch": "home_visit", "st": "normal", "d": D("2026-11-22"), "v": True}])


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                for t in DATA_TABLES}


def test_upgrade_from_0008_keeps_every_row_and_drops_the_trigger_machinery(engine):
    upgrade(engine, "0008_roster_versions")
    _load_old_data(engine)
    assert _triggers(engine)  # the old schema's summaries were kept by triggers
    before = _counts(engine)

    upgrade(engine)

    assert _counts(engine) == before
    tables = set(inspect(engine).get_table_names())
    assert not tables & OLD_TABLES
    assert _triggers(engine) == set()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT person_id, official_id, contacts, visits"
                                 " FROM contact_dates ORDER BY person_id, official_id")).all()
    # failed attempts and voided records are not contacts; official 0 holds everyone's
    assert [tuple(r) for r in rows] == [
        (1, 0, "2026-11-20,2026-11-03", "2026-11-03"),
        (1, 1, "2026-11-20,2026-11-03", "2026-11-03"),
        (2, 0, "2026-10-09", ""),
        (2, 2, "2026-10-09", ""),
    ]


def test_downgrade_restores_the_old_tables_and_upgrade_again(engine):
    upgrade(engine, "0008_roster_versions")
    _load_old_data(engine)
    old_triggers = _triggers(engine)
    upgrade(engine)
    downgrade(engine, "0008_roster_versions")
    assert set(inspect(engine).get_table_names()) >= OLD_TABLES
    assert _triggers(engine) == old_triggers
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM contact_summary")).scalar_one() > 0
    upgrade(engine)
    assert _triggers(engine) == set()
