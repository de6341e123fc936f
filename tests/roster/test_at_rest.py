"""Personal data at rest: a raw dump shows no ID, phone, address or words; lookups go by hash;
migration 0011 encrypts an existing database; `keys rotate` moves every value to a new key."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select, text

from bot.runtime import Runtime
from bot.settings import data_key_problem, load_settings
from storage import cipher
from storage.bindings import find_code, household_code
from storage.db import make_engine
from storage.keys import rotate, stale_counts
from storage.migrate import downgrade, upgrade
from storage.models import (
    BindingCode,
    ContactRecord,
    Guardian,
    InboundMessage,
    Need,
    Official,
    Person,
    SharedValue,
)
from storage.roster import import_officials, import_persons
from storage.shared_values import get_value, set_value
from tests.conftest import PG_URL, _with_search_path
from tests.roster.conftest import TODAY, example_rows, write_csv

NEED_WORDS = "需要一辆轮椅，家住五里村1组"
MESSAGE = "今天走访张三，电话15812340000，身体还好"
TOKEN = "ACCESS_TOKEN_secret_value_1234567890"
PLAINTEXTS = ["15812340000", "430626196002110013", "五里村1组", "13612340011", "13812340001",
              "轮椅", "身体还好", TOKEN]

ENCRYPTED = {
    "persons": ["certificate_no", "address", "phone", "hardship_description"],
    "guardians": ["phone"],
    "officials": ["phone", "office_phone"],
    "contact_records": ["raw_text", "note"],
    "needs": ["text", "resolution"],
    "binding_codes": ["code", "qr_url"],
    "inbound_messages": ["reply"],
    "shared_values": ["value"],
}


@pytest.fixture(autouse=True)
def _dev_key():
    yield
    cipher.configure(cipher.DEV_DATA_KEY)  # whatever a test configured, the next starts clean


def _dump(conn) -> str:
    """What `SELECT` of the sensitive columns shows someone holding only the database."""
    out = []
    for table, columns in ENCRYPTED.items():
        for row in conn.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):
            out.extend(str(v) for v in row if v is not None)
    return "\n".join(out)


def _fill(runtime, tmp_path) -> str:
    with runtime.sessions.begin() as s:
        import_officials(s, write_csv(tmp_path / "o.csv", example_rows("officials.csv")), TODAY)
        report = import_persons(s, write_csv(tmp_path / "p.csv", example_rows("persons.csv")), TODAY)
        assert report.errors == []
        zhang = s.scalars(select(Person).where(Person.name == "张三")).one()
        zhang.hardship_description = "独居，腿脚不便"
        official = s.scalars(select(Official).order_by(Official.id)).first()
        official.office_phone = "0730-1234567"
        contact = ContactRecord(person_id=zhang.id, official_id=official.id, channel="home_visit",
                                contact_date=TODAY, raw_text=MESSAGE, note="身体还好",
                                source_msg_id="m1")
        s.add(contact)
        s.flush()
        s.add(Need(person_id=zhang.id, category="assistive_device", text=NEED_WORDS,
                   contact_id=contact.id, resolution="已送轮椅"))
        s.add(InboundMessage(dedupe_key="k1", openid="o1", msg_type="text",
                             reply="已记录：张三 电话158****0000"))
        code = household_code(s, zhang).code
        set_value(s, "wechat_access_token", TOKEN, dt.datetime(2100, 1, 1))
    return code


def test_a_raw_dump_shows_no_plaintext_and_the_application_reads_everything(runtime, tmp_path):
    code = _fill(runtime, tmp_path)
    with runtime.engine.connect() as conn:
        dump = _dump(conn)
        raw_code = conn.execute(text("SELECT code FROM binding_codes")).scalar_one()
    for plain in [*PLAINTEXTS, code]:
        assert plain not in dump
    assert raw_code.startswith(f"v1:{cipher.keyring().current.kid}:")
    assert all(line.startswith("v1:") for line in dump.splitlines())

    with runtime.sessions.begin() as s:
        zhang = s.scalars(select(Person).where(Person.name == "张三")).one()
        assert (zhang.certificate_no, zhang.phone, zhang.address) == (
            "43062619600211001341", "15812340000", "平江县安定镇五里村1组")
        assert zhang.id_hash == cipher.lookup_hash("430626196002110013")
        assert s.scalar(select(Need.text)) == NEED_WORDS
        assert s.scalar(select(ContactRecord.raw_text)) == MESSAGE
        assert get_value(s, "wechat_access_token", dt.datetime(2026, 1, 1)) == TOKEN
        assert find_code(s, code).person_id == zhang.id
        guardian = s.scalars(
            select(Guardian).where(Guardian.phone_hash == cipher.lookup_hash("13612340011"))
        ).one()
        assert guardian.phone == "13612340011"
        with pytest.raises(TypeError):
            select(Person).where(Person.phone == "15812340000")  # would never match: refused


def test_a_value_moved_to_another_column_or_altered_does_not_decrypt():
    ring = cipher.Keyring("k" * 40)
    stored = ring.encrypt("15812340000", "persons.phone")
    assert ring.decrypt(stored, "persons.phone") == "15812340000"
    with pytest.raises(cipher.DecryptError):
        ring.decrypt(stored, "guardians.phone")
    tampered = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(cipher.DecryptError):
        ring.decrypt(tampered, "persons.phone")
    with pytest.raises(cipher.DecryptError):
        cipher.Keyring("other" * 10).decrypt(stored, "persons.phone")


def test_reimport_matches_by_hash_and_rotation_moves_everything_to_the_new_key(
    runtime, tmp_path, settings
):
    code = _fill(runtime, tmp_path)
    old_kid = cipher.keyring().current.kid
    # New key, old one still readable: the service keeps running while the rotation goes.
    rotated = Runtime(load_settings(env={}, database_url=settings.database_url,
                                    data_key="n" * 40, data_keys=cipher.DEV_DATA_KEY))
    try:
        with rotated.sessions.begin() as s:
            assert find_code(s, code) is not None  # found under the previous key's hash
            report = import_persons(
                s, write_csv(tmp_path / "p.csv", example_rows("persons.csv")), TODAY)
            assert (report.created, report.errors) == (0, [])
        with rotated.read_sessions() as s:
            assert stale_counts(s)["persons"] > 0
        counts = rotate(rotated.sessions, batch=2)
        assert counts["persons"] > 0 and counts["shared_values"] == 1
        with rotated.read_sessions() as s:
            assert set(stale_counts(s).values()) == {0}
        assert rotate(rotated.sessions)["persons"] == 0  # nothing left: a rerun is a no-op
        with rotated.engine.connect() as conn:
            dump = _dump(conn)
        assert f":{old_kid}:" not in dump
        # Only the new key now: everything reads, lookups find the rows by their new hashes.
        cipher.configure("n" * 40)
        with rotated.sessions.begin() as s:
            assert find_code(s, code) is not None
            zhang = s.scalars(select(Person).where(
                Person.id_hash == cipher.lookup_hash("430626196002110013"))).one()
            assert zhang.phone == "15812340000"
            assert s.scalar(select(Need.text)) == NEED_WORDS
            assert get_value(s, "wechat_access_token", dt.datetime(2026, 1, 1)) == TOKEN
            report = import_persons(
                s, write_csv(tmp_path / "p.csv", example_rows("persons.csv")), TODAY)
            assert (report.created, report.errors) == (0, [])
    finally:
        rotated.dispose()


def test_a_deployment_refuses_the_development_data_key():
    https = {"LIANXIN_BASE_URL": "https://lianxin.example.cn"}
    assert data_key_problem(load_settings(env=https)) is not None
    assert data_key_problem(load_settings(env={**https, "LIANXIN_DATA_KEY": "short"})) is not None
    assert data_key_problem(load_settings(env={**https, "LIANXIN_DATA_KEY": "x" * 32})) is None
    assert data_key_problem(load_settings(env={})) is None  # make run: development defaults


def test_rotate_command_refuses_the_development_key_in_a_deployment(cli_env):
    env = {**cli_env, "LIANXIN_BASE_URL": "https://lianxin.example.cn"}
    env.pop("LIANXIN_DATA_KEY", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli", "keys", "rotate"], env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0 and "LIANXIN_DATA_KEY" in done.stderr


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with no tables (its own schema on PostgreSQL)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    schema = f"lianxin_mig_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_encryption_migration_encrypts_an_existing_database(empty_database_url):
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0008_roster_versions")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO regions (id, name, level) VALUES (1, '平江县', 'county'),"
                " (2, '五里村', 'village')"))
            conn.execute(text(
                "INSERT INTO persons (id, name, certificate_no, address, phone, village_id, dibao,"
                " tekun, multi_disabled, elderly_carer, living_alone, poverty_monitoring,"
                " special_hardship, active, created_at, updated_at) VALUES"
                " (1, '张三', '43062619600211001341', '平江县安定镇五里村1组', '15812340000', 2,"
                " false, false, false, false, false, false, false, true, :t, :t),"
                " (2, '李四', NULL, NULL, NULL, 2,"
                " false, false, false, false, false, false, false, true, :t, :t)"),
                {"t": dt.datetime(2026, 1, 1)})
            conn.execute(text("INSERT INTO guardians (id, name, phone, created_at) VALUES"
                              " (1, '张小红', '13612340011', :t)"), {"t": dt.datetime(2026, 1, 1)})
            conn.execute(text(
                "INSERT INTO officials (id, name, phone, role, active, created_at) VALUES"
                " (1, '赵红梅', '13812340001', 'village_member', true, :t)"),
                {"t": dt.datetime(2026, 1, 1)})
            conn.execute(text(
                "INSERT INTO contact_records (id, person_id, official_id, status, contact_date,"
                " needs, raw_text, note, voided, created_at) VALUES (1, 1, 1, 'normal', :d, '[]',"
                " :m, '身体还好', false, :t)"),
                {"d": dt.date(2026, 1, 1), "m": MESSAGE, "t": dt.datetime(2026, 1, 1)})
            conn.execute(text(
                "INSERT INTO needs (id, person_id, category, text, urgency, status, source,"
                " created_at, updated_at) VALUES (1, 1, 'assistive_device', :w, 'normal', 'open',"
                " 'official', :t, :t)"), {"w": NEED_WORDS, "t": dt.datetime(2026, 1, 1)})
            conn.execute(text(
                "INSERT INTO binding_codes (id, code, purpose, person_id, created_at) VALUES"
                " (1, 'KQ7M2X9PAB', 'household', 1, :t)"), {"t": dt.datetime(2026, 1, 1)})
            conn.execute(text("INSERT INTO shared_values (name, value, expires_at) VALUES"
                              " ('wechat_access_token', :v, :t)"),
                         {"v": TOKEN, "t": dt.datetime(2100, 1, 1)})
        upgrade(engine)
        with engine.connect() as conn:
            dump = _dump(conn)
        for plain in [*PLAINTEXTS, "KQ7M2X9PAB"]:
            assert plain not in dump
        reader = Runtime(load_settings(env={}, database_url=empty_database_url))
        with reader.sessions.begin() as s:
            zhang = s.get(Person, 1)
            assert (zhang.certificate_no, zhang.phone, zhang.address) == (
                "43062619600211001341", "15812340000", "平江县安定镇五里村1组")
            assert zhang.id_hash == cipher.lookup_hash("430626196002110013")
            assert s.get(Person, 2).id_hash is None
            assert s.scalar(select(Need.text)) == NEED_WORDS
            assert s.scalar(select(ContactRecord.raw_text)) == MESSAGE
            assert find_code(s, "KQ7M2X9PAB").person_id == 1
            assert s.get(SharedValue, "wechat_access_token").value == TOKEN
            assert s.scalar(select(func.count()).select_from(Official).where(
                Official.phone_hash == cipher.lookup_hash("13812340001"))) == 1
            assert s.scalar(select(BindingCode.code)) == "KQ7M2X9PAB"
        reader.dispose()
        downgrade(engine, "0008_roster_versions")  # and back: the plain values return
        with engine.connect() as conn:
            assert conn.execute(text("SELECT certificate_no, phone FROM persons WHERE id = 1")
                                ).one() == ("43062619600211001341", "15812340000")
            assert conn.execute(text("SELECT text FROM needs")).scalar() == NEED_WORDS
            assert conn.execute(text("SELECT value FROM shared_values")).scalar() == TOKEN
    finally:
        engine.dispose()


def test_the_cli_upgrade_encrypts_with_the_configured_key(cli_env, tmp_path):
    if PG_URL:
        pytest.skip("the SQLite file case; PostgreSQL is covered by the migration test")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**cli_env, "LIANXIN_DATABASE_URL": url, "LIANXIN_DATA_KEY": "c" * 40}
    run = [sys.executable, "-m", "bot.cli"]
    assert subprocess.run([*run, "db", "upgrade"], env=env, capture_output=True).returncode == 0
    officials = write_csv(tmp_path / "o.csv", example_rows("officials.csv"))
    done = subprocess.run([*run, "import", "officials", str(officials)], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    with engine.connect() as conn:
        phones = conn.execute(text("SELECT phone FROM officials")).scalars().all()
    engine.dispose()
    kid = cipher.Keyring("c" * 40).current.kid
    assert phones and all(p.startswith(f"v1:{kid}:") for p in phones)
