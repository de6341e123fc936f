"""How a contact was made: in person, phone, WeChat, video or SMS — or not said.

An explicit in-person word (入户, 上门, 走访, 去…家, 去…屋里/屋头) wins; otherwise a remote channel (电话, 微信,
视频, 短信); otherwise a bare visit word (访视, 看望) means a home visit. A channel that follows a
plan word (明天再去家里看看) is not what happened and is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from handlers.parsing.lexicon import Hit
from handlers.parsing.vocabulary import NOT_DONE, PLANNED

# "去老胡家", "到胡志强家里": going to someone's home; 家长/家属/家庭 are not a home.
_TO_HOME = re.compile(
    r"(?:去了?|到了?|来到|进了?)[^\s,;。!?\n]{0,6}?家(?![长属庭具乡务人])"
    r"|(?:去了?|到了?|来到|进了?|在)[^\s,;。!?\n]{0,6}?屋(?:里|头|头里)(?!没)"  # 屋里/屋头: home, in dialect
)
_CLAUSE_BREAK = re.compile(r"[,;。!?\n]")
_PLANNED = re.compile("|".join(map(re.escape, PLANNED)))


def _planned(text: str, start: int) -> bool:
    """A plan (明天再去家里) or a denial (没有入户): not how the contact happened."""
    before = _CLAUSE_BREAK.split(text[max(0, start - 6) : start])[-1]
    return before.rstrip(" ").endswith(NOT_DONE) or bool(_PLANNED.search(before))


def channel(text: str, hits: Sequence[Hit], start: int = 0, end: int | None = None) -> str | None:
    """The channel said in text[start:end] (hits are already limited to that part)."""
    end = len(text) if end is None else end
    strong = weak = False
    remote: str | None = None
    for hit in hits:
        entry = hit.entry
        if entry.channel is None or _planned(text, hit.start):
            continue
        if entry.home == "strong":
            strong = True
        elif entry.home == "weak":
            weak = True
        elif remote is None or entry.channel == "video":
            remote = entry.channel  # 微信视频 / 微信video: a video call made over WeChat is video
    if not strong:
        strong = any(not _planned(text, m.start()) for m in _TO_HOME.finditer(text, start, end))
    if strong:
        return "home_visit"
    return remote or ("home_visit" if weak else None)


def mentions_contact(text: str, hits: Sequence[Hit]) -> bool:
    """Any word saying a contact was made or attempted (with or without the channel)."""
    return any(h.entry.channel or h.entry.verb for h in hits) or bool(_TO_HOME.search(text))
