"""Staff accounts: creation, region lookup and password checks with lock-out (Flask-free)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from storage.audit import audit
from storage.models import COUNTY, TOWNSHIP, AdminUser, Region, utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 8
# Checked against when the username is unknown, so a miss costs the same time as a hit.
_DUMMY_HASH = generate_password_hash("lianxin-no-such-user")


class AccountError(ValueError):
    """A mistake the person creating the account can fix; the message says how."""


@dataclass(frozen=True)
class LoginResult:
    user_id: int | None
    locked_until: dt.datetime | None = None


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
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    audit(
        session, actor, "admin.create", "admin_user", user.id,
        username=username, region_id=region.id, can_view_private=can_view_private,
    )
    return user


def attempt_login(
    session: Session, username: str, password: str, now: dt.datetime | None = None
) -> LoginResult:
    """Check a password; count failures on the user row and lock it after MAX_FAILURES."""
    now = now or utcnow()
    user = session.scalar(select(AdminUser).where(AdminUser.username == username))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        audit(session, "anonymous", "admin.login_failed", "admin_user", None, username=username[:64])
        return LoginResult(None)
    actor = f"admin:{user.id}"
    if user.locked_until is not None and user.locked_until > now:
        audit(session, actor, "admin.login_refused_locked", "admin_user", user.id)
        return LoginResult(None, user.locked_until)
    if check_password_hash(user.password_hash, password):
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        audit(session, actor, "admin.login", "admin_user", user.id)
        return LoginResult(user.id)
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
        audit(session, actor, "admin.locked", "admin_user", user.id, minutes=LOCK_MINUTES)
        return LoginResult(None, user.locked_until)
    audit(session, actor, "admin.login_failed", "admin_user", user.id, failures=user.failed_logins)
    return LoginResult(None)
