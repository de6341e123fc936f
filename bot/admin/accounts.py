"""Staff accounts: creation, region lookup and password checks with lock-out (Flask-free)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from storage.audit import audit
from storage.models import COUNTY, TOWNSHIP, AdminUser, LoginFailure, Region, utcnow

MIN_PASSWORD_LENGTH = 8
# Throttles on failed logins, over WINDOW. From one address for one account: a few tries, then
# that address waits (a stranger elsewhere cannot lock the real user out). From one address for
# any account: a password sprayer waits. For one account from every address: distributed
# guessing slows to a trickle, but only for a moment at a time.
WINDOW = dt.timedelta(minutes=15)
PER_ACCOUNT_AND_ADDRESS = 5
PER_ADDRESS = 20
PER_ACCOUNT = 50
ACCOUNT_PAUSE = dt.timedelta(minutes=2)
# Checked against when the username is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = generate_password_hash("lianxin-no-such-user")


class AccountError(ValueError):
    """A mistake the person creating the account can fix; the message says how."""


@dataclass(frozen=True)
class LoginResult:
    user_id: int | None
    session_version: int = 0
    throttled: bool = False  # refused without checking the password


def resolve_region(session: Session, spec: str, county_level: bool) -> Region:
    """'安定镇', '平江县/安定镇' or (with county_level) '平江县' -> the one matching region."""
    parts = [p.strip() for p in spec.replace("／", "/").split("/") if p.strip()]
    if not parts:
        raise AccountError("请给出区域名称，例如 --region 安定镇")
    level = COUNTY if county_level else TOWNSHIP
    candidates = session.scalars(
        select(Region).where(Region.name == parts[-1], Region.level == level)
    ).all()
    if len(parts) > 1:
        candidates = [r for r in candidates if r.parent is not None and r.parent.name == parts[-2]]
    if not candidates:
        kind = "县" if county_level else "乡镇"
        raise AccountError(f"没有名为“{spec}”的{kind}；先导入花名册，或检查名称。")
    if len(candidates) > 1:
        names = "、".join(f"{r.parent.name}/{r.name}" for r in candidates if r.parent)
        raise AccountError(f"“{spec}”有多个：{names}。请写成 县/乡镇 的形式。")
    return candidates[0]


def create_admin(
    session: Session,
    username: str,
    password: str,
    region: Region,
    can_view_private: bool = False,
    display_name: str | None = None,
    actor: str = "cli",
) -> AdminUser:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")
    if session.scalar(select(AdminUser.id).where(AdminUser.username == username)) is not None:
        raise AccountError(f"用户名“{username}”已存在。")
    user = AdminUser(
        username=username,
        display_name=display_name,
        password_hash=generate_password_hash(password),
        region_id=region.id,
        can_view_private=can_view_private,
        active=True,
    )
    session.add(user)
    session.flush()
    audit(
        session, actor, "admin.create", "admin_user", user.id,
        username=username, region_id=region.id, can_view_private=can_view_private,
    )
    return user


def _throttled(session: Session, username: str, ip: str, now: dt.datetime) -> bool:
    since = now - WINDOW
    count = lambda *where: session.scalar(  # noqa: E731
        select(func.count()).select_from(LoginFailure).where(LoginFailure.at > since, *where)) or 0
    if count(LoginFailure.ip == ip) >= PER_ADDRESS:
        return True
    if count(LoginFailure.ip == ip, LoginFailure.username == username) >= PER_ACCOUNT_AND_ADDRESS:
        return True
    recent = count(LoginFailure.username == username, LoginFailure.at > now - ACCOUNT_PAUSE)
    return recent > 0 and count(LoginFailure.username == username) >= PER_ACCOUNT


def attempt_login(session: Session, username: str, password: str, ip: str,
                  now: dt.datetime | None = None) -> LoginResult:
    """Check a password under the throttles. Unknown users, wrong passwords and throttled
    tries look the same to the person trying (no account can be told to exist)."""
    now = now or utcnow()
    username, ip = username[:64], (ip or "?")[:64]
    if _throttled(session, username, ip, now):
        audit(session, "anonymous", "admin.login_throttled", "admin_user", None,
              username=username, ip=ip)
        return LoginResult(None, throttled=True)
    user = session.scalar(select(AdminUser).where(AdminUser.username == username))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(user.password_hash, password):
        user.last_login_at = now
        audit(session, f"admin:{user.id}", "admin.login", "admin_user", user.id, ip=ip)
        return LoginResult(user.id, user.session_version or 0)
    session.add(LoginFailure(username=username, ip=ip, at=now))
    audit(session, "anonymous", "admin.login_failed", "admin_user", user.id if user else None,
          username=username, ip=ip)
    return LoginResult(None)


def end_sessions(session: Session, user_id: int, actor: str) -> None:
    """Logout or a new password: every session cookie of the account issued so far stops working."""
    user = session.get(AdminUser, user_id)
    if user is not None:
        user.session_version = (user.session_version or 0) + 1
        audit(session, actor, "admin.sessions_ended", "admin_user", user_id)


def set_password(session: Session, user_id: int, password: str, actor: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位。")
    user = session.get(AdminUser, user_id)
    if user is None:
        raise AccountError("没有这个账号。")
    user.password_hash = generate_password_hash(password)
    end_sessions(session, user_id, actor)
