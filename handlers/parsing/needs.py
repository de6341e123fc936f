"""Needs and status of one contact (or one household message) from its vocabulary hits.

A need word counts unless the words around it say it is met or declined: 低保已经办好了,
已享受两项补贴, 家里有低保, 不需要轮椅. Lacking something is a need (还没有残疾证). Status:
unreachable (a failed attempt) wins, then urgent, then concern (any need or difficulty), then normal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from handlers.parsing.lexicon import Hit, cue_tables
from handlers.parsing.vocabulary import BENEFITS, DECLINED, DONE_BEFORE, INFORMED

_CLAUSE_BREAK = re.compile(r"[,;。!?\n]")
_DECLINED_OR_INFORMED = re.compile("|".join(map(re.escape, (*DECLINED, *INFORMED))))
_FILLERS = " 都也还早就均全部我他她们的事情"
# "房子已经改造好了", "轮椅已配发到位": already + a few characters + done.
_DONE = re.compile(r"(?:已经|已)[^,;。!?\s]{0,4}?(?:好了|完了|完成|到位|落实|解决|办理|到账|领取|享受|办好|配好|修好|收到)")
_JOINED = re.compile(r"[ 和、与及跟以]*$")


@dataclass(frozen=True)
class Assessment:
    needs: tuple[str, ...]
    status: str
    signals: bool  # any need, difficulty, urgency or status word at all


def _clause_before(text: str, start: int, width: int = 6) -> str:
    window = text[max(0, start - width) : start]
    parts = _CLAUSE_BREAK.split(window)
    return parts[-1]


def _met(text: str, hit: Hit) -> bool:
    """True when the need named by `hit` is already met or declined."""
    cues = cue_tables()
    before = _clause_before(text, hit.start)
    if _DECLINED_OR_INFORMED.search(before):
        return True
    stripped = before.rstrip(" ")
    cue = cues["before"].longest_ending_at(stripped, len(stripped))
    if cue is not None:
        if cue in DONE_BEFORE:
            return True
        if not cues["before"].get(cue):
            return False  # 还没有残疾证: lacking it is the need
        if hit.entry.need in BENEFITS:
            return True
    i = hit.end
    while i < len(text) and text[i] in _FILLERS:
        i += 1
    if _DONE.match(text, i):
        return True
    if i < len(text):
        after = cues["after"].longest_at(text, i)
        if after is not None:
            return after[1]
    return False


def _met_flags(text: str, hits: Sequence[Hit]) -> list[bool]:
    """Met-or-declined per hit; "低保和护理补贴都在正常享受" carries the last word's state back."""
    flags = [bool(h.entry.need or h.entry.urgent) and _met(text, h) for h in hits]
    for i in range(len(hits) - 2, -1, -1):
        here, after = hits[i], hits[i + 1]
        if here.entry.need and after.entry.need and _JOINED.match(text, here.end, after.start):
            flags[i] = flags[i] or flags[i + 1]
    return flags


def assess(
    text: str,
    hits: Sequence[Hit],
    whole_token: Callable[[int, int], bool],
    household: bool = False,
) -> Assessment:
    needs: set[str] = set()
    urgent = unreachable = difficulty = calm = False
    signals = False
    met = _met_flags(text, hits)
    for hit, is_met in zip(hits, met, strict=True):
        entry = hit.entry
        if entry.neutral:
            continue
        if len(hit.word) == 1 and not whole_token(hit.start, hit.end):
            continue  # 药 in 药店, 哭 in 哭笑不得
        if entry.status == "calm":
            calm = signals = True
            continue
        if entry.need is not None and not is_met:
            needs.add(entry.need)
        if entry.urgent and not is_met:
            urgent = True
        if entry.status == "unreachable":
            unreachable = True
        elif entry.status == "reached":
            unreachable = False  # the failure was followed by a success
        elif entry.status == "difficulty":
            difficulty = True
        if entry.need or entry.urgent or entry.status:
            signals = True
    if unreachable and not household:
        status = "unreachable"
    elif urgent and not calm:
        status = "urgent"
    elif needs or difficulty:
        status = "concern"
    else:
        status = "normal"
    return Assessment(tuple(sorted(needs)), status, signals)
