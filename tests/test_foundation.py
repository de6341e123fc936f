"""The skeleton: settings, migrations, SQLite pragmas, health, audit log immutability."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from bot.app import create_app
from bot.settings import load_settings
from storage.models import AuditLog, Base


def test_settings_read_prefixed_environment():
    s = load_settings(
        env={
            "LIANXIN_DATABASE_URL": "sqlite:////tmp/x.db",
            "LIANXIN_DIGEST_HOUR": "7",
            "WECHAT_TOKEN": "tok",
            "WECHAT_API_BASE_URL": "http://127.0.0.1:9",
        }
    )
    assert s.database_url == "sqlite:////tmp/x.db"
    assert s.digest_hour == 7
    assert s.wechat_token == "tok"
    assert s.wechat_api_base_url == "http://127.0.0.1:9"
    assert load_settings(env={"WECHAT_ENCODING_AES_KEY": "k"}).wechat_encoding_aes_key == "k"


def test_migrations_create_every_model_table(runtime):
    tables = set(inspect(runtime.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(runtime):
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with runtime.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@pytest.mark.parametrize("every", [1, 10_000])
def test_sqlite_checkpoints_after_commits_outside_the_writer_lock(tmp_path, monkeypatch, every):
    """No automatic checkpoint inside a commit; ours copies the WAL back every N commits."""
    from storage import db

    monkeypatch.setattr(db, "CHECKPOINT_EVERY_COMMITS", every)
    path = tmp_path / "c.db"
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (b BLOB)")
    with engine.begin() as conn:
        for _ in range(3):  # 3 MB, past SQLite's automatic threshold of 1,000 pages
            conn.exec_driver_sql("INSERT INTO t VALUES (zeroblob(1048576))")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    in_file = path.stat().st_size  # the connection is still open (pooled): no checkpoint on close
    assert in_file > 3_000_000 if every == 1 else in_file < 100_000
    engine.dispose()


def test_postgresql_replaces_a_pooled_connection_that_died_while_idle(runtime, monkeypatch):
    """No ping per checkout; a connection idle for a while is pinged, and replaced if dead."""
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("a server that can drop connections")
    from storage import db

    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    engine = db.make_engine(runtime.settings.database_url)
    with engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with runtime.engine.connect() as admin:
        assert admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
    with engine.connect() as conn:  # the pooled one is gone: a new one, not an error
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    engine.dispose()


def test_audit_log_is_append_only(runtime):
    with runtime.sessions.begin() as s:
        s.add(AuditLog(actor="cli", action="test", entity="person", entity_id=1))
    with pytest.raises(DBAPIError), runtime.sessions.begin() as s:
        s.execute(text("UPDATE audit_log SET action = 'changed'"))
    with pytest.raises(DBAPIError), runtime.sessions.begin() as s:
        s.execute(text("DELETE FROM audit_log"))
    with runtime.sessions() as s:
        assert s.scalars(select(AuditLog.action)).all() == ["test"]


def test_healthz_reports_database(runtime):
    client = create_app(runtime=runtime).test_client()
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok"}


def test_cli_db_upgrade_is_idempotent(cli_env):
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=cli_env, capture_output=True, text=True, check=True,
        )
        assert "数据库已迁移" in out.stdout
