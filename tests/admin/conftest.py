"""Fixtures for the dashboard: a seeded county, the app, and logged-in test clients."""

from __future__ import annotations

import re

import admin_demo as demo
import pytest

from bot.app import create_app

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def ids(runtime) -> dict:
    with runtime.sessions.begin() as s:
        return demo.seed(s)


@pytest.fixture
def app(runtime, ids):
    app = create_app(runtime=runtime)
    app.config["LIANXIN_TODAY"] = demo.TODAY
    return app


def csrf_token(client, url: str = "/admin/login") -> str:
    page = client.get(url).get_data(as_text=True)
    found = CSRF_RE.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def log_in(client, username: str, password: str = demo.PASSWORD):
    token = csrf_token(client)
    return client.post(
        "/admin/login", data={"username": username, "password": password, "csrf_token": token}
    )


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
