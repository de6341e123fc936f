"""Login, lock-out, CSRF, cookie flags and the admin CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import admin_demo as demo
from admin_demo import csrf_token, log_in
from sqlalchemy import select

from bot.app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from storage.models import AdminUser, AuditLog


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


def test_unknown_user_and_wrong_password_get_the_same_answer(app):
    wrong = log_in(app.test_client(), "anding", "wrong-password")
    unknown = log_in(app.test_client(), "nobody-here", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    message = lambda r: re.search(r'role="alert">([^<]+)<', r.get_data(as_text=True))  # noqa: E731
    assert message(wrong).group(1) == message(unknown).group(1)


def _from(app, address: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_stranger_cannot_lock_the_real_user_out(app):
    stranger = _from(app, "203.0.113.9")
    for _ in range(8):
        assert log_in(stranger, "anding", "wrong-password").status_code == 401
    # the stranger's address is now throttled for that account, even with the right password
    assert log_in(stranger, "anding").status_code == 401
    # the real user, elsewhere, logs in at once
    assert log_in(_from(app, "198.51.100.7"), "anding").status_code == 302


def test_one_address_spraying_many_accounts_is_throttled(app):
    sprayer = _from(app, "203.0.113.10")
    for n in range(20):
        log_in(sprayer, f"user{n}", "wrong-password")
    assert log_in(sprayer, "anding").status_code == 401  # throttled before any check
    assert log_in(_from(app, "198.51.100.8"), "anding").status_code == 302


def test_logout_ends_the_session_cookie_everywhere(app):
    first, second = _from(app, "198.51.100.20"), _from(app, "198.51.100.21")
    assert log_in(first, "anding").status_code == 302
    assert log_in(second, "anding").status_code == 302
    stolen = first.get_cookie("session")
    assert second.get("/admin/").status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      first.get("/admin/").get_data(as_text=True)).group(1)
    assert first.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    # the other browser's cookie, and a copy of the first one, no longer work
    assert second.get("/admin/").status_code == 302
    replay = app.test_client()
    replay.set_cookie(stolen.key, stolen.value)
    assert replay.get("/admin/").status_code == 302


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
