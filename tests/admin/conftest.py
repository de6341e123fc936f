"""Fixtures for the dashboard: a seeded county, the app, and logged-in test clients."""

from __future__ import annotations

import admin_demo as demo
import pytest
from admin_demo import log_in

from bot.app import create_app


@pytest.fixture
def ids(runtime) -> dict:
    with runtime.sessions.begin() as s:
        return demo.seed(s)


@pytest.fixture
def app(runtime, ids):
    app = create_app(runtime=runtime)
    app.config["LIANXIN_TODAY"] = demo.TODAY
    return app


@pytest.fixture
def town(app):
    client = app.test_client()
    assert log_in(client, "anding").status_code == 302
    return client


@pytest.fixture
def county(app):
    client = app.test_client()
    assert log_in(client, "pingjiang").status_code == 302
    return client
