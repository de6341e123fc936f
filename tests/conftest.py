"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when configured).

`LIANXIN_TEST_DATABASE_URL=postgresql://…` runs the suite against PostgreSQL: the session gets
its own schema (dropped at the end), and tables are emptied between tests, so repeated runs
against the same server pass. Otherwise each test gets a fresh copy of a migrated SQLite file.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Base

PG_URL = os.environ.get("LIANXIN_TEST_DATABASE_URL", "")


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def _db_template(tmp_path_factory) -> Iterator[str]:
    """A migrated database: a template file for SQLite, a fresh schema for PostgreSQL."""
    if PG_URL:
        schema = f"lianxin_test_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _with_search_path(PG_URL, schema)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        try:
            yield url
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()  # the last connection closing checkpoints the WAL into the file
        yield str(path)


@pytest.fixture
def database_url(_db_template: str, tmp_path: Path) -> Iterator[str]:
    """URL of an empty, migrated database for this test."""
    if PG_URL:
        engine = make_engine(_db_template)
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        yield _db_template
    else:
        path = tmp_path / "lianxin.db"
        shutil.copyfile(_db_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(env={}, database_url=database_url, secret_key="test-secret")


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime(settings)
    yield rt
    rt.dispose()


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str]:
    """Environment for running `lianxin` as a subprocess against this test's database."""
    env = dict(os.environ)
    env["LIANXIN_DATABASE_URL"] = database_url
    env.pop("LIANXIN_TEST_DATABASE_URL", None)
    return env
