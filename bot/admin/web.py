"""Request plumbing shared by the dashboard's views: sessions, scope, today, paging, guards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, current_app, g, render_template, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session

from bot.admin import bp, texts
from bot.admin.due_status import VerdictCache, Verdicts
from bot.admin.person_data import shown_text
from bot.admin.scope import OutOfScope, Scope, scope_for_region
from storage.db import plan_for_parameters
from storage.models import AdminUser

login_manager = LoginManager()
csrf = CSRFProtect()
PUBLIC_ENDPOINTS = {"admin.login", "admin.static"}
PAGE_SIZE = 50


@dataclass(frozen=True)
class StaffUser(UserMixin):
    id: int
    username: str
    display_name: str
    region_id: int
    can_view_private: bool

    def get_id(self) -> str:
        return str(self.id)

    @property
    def actor(self) -> str:
        return f"admin:{self.id}"


def set_up_app(app: Flask) -> None:
    runtime = app.extensions["lianxin"]
    # CSRF is checked for the dashboard's forms only (below); the WeChat webhook has its own
    # signature check and must accept WeChat's POSTs.
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=runtime.settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=runtime.settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
    )
    app.extensions["lianxin.verdicts"] = VerdictCache()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = texts.LOGIN_REQUIRED
    login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    with reading() as s:
        user = s.get(AdminUser, int(user_id))
        if user is None or not user.active:
            return None
        return StaffUser(
            user.id, user.username, user.display_name or user.username, user.region_id,
            bool(user.can_view_private),
        )


def runtime():
    return current_app.extensions["lianxin"]


@contextmanager
def reading() -> Iterator[Session]:
    with runtime().read_sessions() as s:
        plan_settings(s)
        yield s


def plan_settings(session: Session) -> None:
    """PostgreSQL settings for the dashboard's transaction (this transaction only).

    JIT spends ~300 ms compiling the grouped dashboard queries that then run in tens of
    milliseconds. And psycopg prepares a statement on its fifth run on a connection, after
    which PostgreSQL may switch to a generic plan that ignores the village list and dates:
    the overview's queries then took 5-10 times longer from the tenth request on, so every
    dashboard statement is planned for its own parameters (planning costs about a millisecond).
    """
    plan_for_parameters(session)


@contextmanager
def writing() -> Iterator[Session]:
    with runtime().sessions.begin() as s:
        plan_settings(s)
        yield s


def verdicts(session: Session, region_id: int) -> Verdicts:
    """The region's due verdicts today, judged at most a minute ago (`due_status`)."""
    cache: VerdictCache = current_app.extensions["lianxin.verdicts"]
    return cache.get(session, runtime().settings, today(), region_id)


def today() -> dt.date:
    """Today under LIANXIN_TIMEZONE; tests pin it with app.config['LIANXIN_TODAY']."""
    pinned = current_app.config.get("LIANXIN_TODAY")
    return pinned if pinned else runtime().clock.today()


def scope(session: Session) -> Scope:
    if "scope" not in g:
        g.scope = scope_for_region(session, current_user.region_id)
    return g.scope


def in_scope(fn, *args: Any):
    """Call a scope lookup; anything outside the account's region is a 404."""
    try:
        return fn(*args)
    except OutOfScope:
        abort(404)


def int_arg(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else default


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def page_from_request(total: int, size: int = PAGE_SIZE) -> Page:
    number = max(1, int_arg("page", 1) or 1)
    return Page(min(number, max(1, -(-total // size))), size, total)


@bp.before_request
def _guard():
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def _no_store(response):
    # Pages name disabled persons; keep them out of shared caches and the back-button cache.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@bp.errorhandler(CSRFError)
def _csrf_refused(error):
    return render_template("admin/message.html", title="提交被拒绝", message=texts.CSRF_REFUSED), 400


@bp.errorhandler(404)
def _not_found(error):
    return render_template("admin/message.html", title="没有找到", message=texts.NOT_FOUND), 404


@bp.app_template_filter("local_hm")
def local_hm(at: dt.datetime) -> str:
    """A naive UTC time as HH:MM in the configured time zone."""
    return at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(runtime().settings.timezone)).strftime("%H:%M")


@bp.app_template_filter("shown")
def shown(text: str | None) -> str:
    """A person's words as this account may see them: numbers masked without full view rights."""
    return shown_text(text, bool(getattr(current_user, "can_view_private", False)))


@bp.app_template_filter("pct")
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@bp.app_context_processor
def _labels():
    return {"T": texts}
