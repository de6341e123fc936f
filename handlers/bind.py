"""绑定: officials with a one-time code, households with the code or QR scene of a contact card."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers import texts
from handlers.context import Reply, Turn
from storage import bind_failures
from storage.audit import audit
from storage.bindings import bind_household, bind_official, find_code
from storage.models import Official, Person, utcnow

SCENE_PREFIX = "hh:"  # permanent QR scene of a contact card: hh:<household code>


def scene_for_code(code: str) -> str:
    return f"{SCENE_PREFIX}{code}"


def code_from_scene(scene: str | None) -> str | None:
    if scene and scene.startswith(SCENE_PREFIX):
        return scene[len(SCENE_PREFIX):]
    return None


def handle(turn: Turn, parsed: Any) -> Reply:
    code = getattr(parsed, "bind_code", None)
    if not code:
        return Reply(texts.BIND_NO_CODE)
    return bind_with_code(turn, code)


def bind_with_code(turn: Turn, code: str) -> Reply:
    now = utcnow()
    if bind_failures.locked(turn.session, turn.openid, now):
        return Reply(texts.BIND_LOCKED)  # not even a right code, and nothing more counted
    found = find_code(turn.session, code)
    if found is None or (found.expires_at is not None and found.expires_at <= now):
        return _wrong(turn, code, now)
    if found.purpose == "official":
        official = turn.session.get(Official, found.official_id)
        current = turn.identity.official
        if current is not None and official is not None and current.id == official.id:
            return Reply(texts.BIND_OFFICIAL_AGAIN.format(name=official.name))
        if found.used_at is not None or official is None or not official.active:
            return _wrong(turn, code, now)
        found.used_at = now
        bind_official(turn.session, turn.openid, official.id)
        audit(turn.session, turn.actor, "binding.official", "official", official.id, openid_tail=turn.openid[-6:])
        return Reply(texts.BIND_OFFICIAL_OK.format(name=official.name, unit=official.unit or official.position or ""))
    person = turn.session.get(Person, found.person_id)
    if person is None or not person.active:
        return _wrong(turn, code, now)
    if not bind_household(turn.session, turn.openid, person.id):
        return Reply(texts.BIND_HOUSEHOLD_AGAIN.format(name=person.name))
    audit(turn.session, f"wechat:{turn.openid[-8:]}", "binding.household", "person", person.id)
    return Reply(texts.BIND_HOUSEHOLD_OK.format(name=person.name))


def _wrong(turn: Turn, code: str, now: dt.datetime) -> Reply:
    bind_failures.record_failure(turn.session, turn.openid, now)
    left = bind_failures.MAX_FAILURES - bind_failures.failures(turn.session, turn.openid, now)
    if left <= 0:
        return Reply(texts.BIND_LOCKED)
    return Reply(texts.BIND_BAD_CODE.format(code=code[:20], left=left))
