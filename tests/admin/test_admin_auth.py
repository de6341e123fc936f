"""Login, lock-out, CSRF, cookie flags and the admin CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import admin_demo as demo
from admin_demo import csrf_token, log_in
from sqlalchemy import select

from bot.app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from storage.models import AdminUser, AuditLog, utcnow


def test_pages_need_login(app):
    client = app.test_client()
    for url in ("/admin/", "/admin/overdue", "/admin/persons", "/admin/needs", "/admin/data"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/admin/login" in response.headers["Location"]


def test_login_sets_a_hardened_session_cookie_and_audits(app, runtime):
    client = app.test_client()
    response = log_in(client, "anding")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # base_url is http in tests
    assert "安定镇" in client.get("/admin/").get_data(as_text=True)
    with runtime.sessions() as s:
        assert "admin.login" in s.scalars(select(AuditLog.action)).all()


def test_secure_cookie_when_base_url_is_https(runtime, ids):
    settings = load_settings(env={}, database_url=runtime.settings.database_url,
                             secret_key="k", base_url="https://lianxin.example")
    rt = Runtime(settings)
    try:
        response = log_in(create_app(runtime=rt).test_client(), "anding")
    finally:
        rt.dispose()
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_is_refused(app):
    client = app.test_client()
    response = log_in(client, "anding", "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码不对" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_five_failures_lock_the_account_for_fifteen_minutes(app, runtime):
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, "anding", "wrong-password").status_code == 401
    response = log_in(client, "anding")  # the right password, but locked
    assert response.status_code == 401
    assert "锁定" in response.get_data(as_text=True)
    with runtime.sessions.begin() as s:
        user = s.scalar(select(AdminUser).where(AdminUser.username == "anding"))
        assert user.locked_until > utcnow() + dt.timedelta(minutes=14)
        actions = s.scalars(select(AuditLog.action)).all()
        assert "admin.locked" in actions and "admin.login_refused_locked" in actions
        user.locked_until = utcnow() - dt.timedelta(seconds=1)  # the 15 minutes pass
    assert log_in(client, "anding").status_code == 302


def test_post_without_csrf_token_is_refused(town, ids, runtime):
    response = town.post(f"/admin/needs/{ids['need_zhang']}", data={"status": "in_progress"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    login = town.application.test_client().post(
        "/admin/login", data={"username": "anding", "password": demo.PASSWORD}
    )
    assert login.status_code == 400
    with runtime.sessions() as s:
        from storage.models import Need

        assert s.get(Need, ids["need_zhang"]).status == "open"


def test_logout_needs_csrf_and_ends_the_session(town):
    token = csrf_token(town, "/admin/")
    assert town.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert town.get("/admin/").status_code == 302


def test_next_parameter_never_leaves_the_dashboard(app):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/admin/login", data={
        "username": "anding", "password": demo.PASSWORD, "csrf_token": token,
        "next": "//evil.example/",
    })
    assert response.headers["Location"].endswith("/admin/")


def test_cli_creates_a_scoped_account(cli_env, ids, runtime):
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "admin", "create", "sanshi", "--region", "平江县/三市镇",
         "--password-stdin"],
        input="another-pass-1\n", env=cli_env, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "三市镇" in run.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "admin", "create", "x", "--region", "不存在镇",
         "--password-stdin"],
        input="another-pass-1\n", env=cli_env, capture_output=True, text=True, check=False,
    )
    assert bad.returncode != 0 and "没有名为" in bad.stderr
    with runtime.sessions() as s:
        user = s.scalar(select(AdminUser).where(AdminUser.username == "sanshi"))
        assert user.region_id == ids["sanshi"] and not user.can_view_private
        assert user.password_hash != "another-pass-1"
