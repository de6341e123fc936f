"""Login and logout pages."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from bot.admin import bp, texts
from bot.admin.accounts import LOCK_MINUTES, MAX_FAILURES, attempt_login
from bot.admin.web import _load_user, writing
from storage.audit import audit


def _safe_next(target: str | None) -> str:
    """Only paths inside the dashboard; never another host (open redirect)."""
    if (target and target.startswith("/admin") and not target.startswith("//")
            and target.isprintable() and "\\" not in target):  # no CR/LF, no tricks
        return target
    return url_for("admin.overview")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("admin.overview"))
        return render_template("admin/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    with writing() as s:
        result = attempt_login(s, username, password)
    if result.user_id is None:
        if result.locked_until is not None:
            message = texts.LOGIN_LOCKED.format(limit=MAX_FAILURES, minutes=LOCK_MINUTES)
        else:
            message = texts.LOGIN_FAILED
        return render_template(
            "admin/login.html", error=message, username=username, next=request.form.get("next", "")
        ), 401
    user = _load_user(str(result.user_id))
    session.clear()
    login_user(user)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    with writing() as s:
        audit(s, current_user.actor, "admin.logout", "admin_user", current_user.id)
    logout_user()
    session.clear()
    flash(texts.LOGGED_OUT)
    return redirect(url_for("admin.login"))
