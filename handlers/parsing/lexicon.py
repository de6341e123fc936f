"""One longest-match table over the whole vocabulary, and the hits it finds in a message."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from handlers.parsing import vocabulary as v
from handlers.parsing.phrases import PhraseTable


@dataclass(frozen=True)
class Entry:
    need: str | None = None
    channel: str | None = None  # phone/wechat/video/sms/home_visit
    home: str | None = None  # "strong" or "weak" for in-person words
    status: str | None = None  # unreachable/reached/normal/difficulty/no_need/calm
    urgent: bool = False
    verb: bool = False  # says a contact happened, not how
    neutral: bool = False  # shadows the need words inside it
    clause_final: bool = False  # counts only before a clause break or the end


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    word: str
    entry: Entry


@cache
def table() -> PhraseTable[Entry]:
    entries: dict[str, Entry] = {}

    def put(words: tuple[str, ...], **fields: object) -> None:
        for word in words:
            entries[word] = replace(entries.get(word, Entry()), **fields)  # type: ignore[arg-type]

    put(v.HOME_WEAK, channel="home_visit", home="weak")
    put(v.HOME_STRONG, channel="home_visit", home="strong")
    for channel, words in v.REMOTE.items():
        put(words, channel=channel)
    put(v.CONTACT_VERBS, verb=True)
    put(v.DIFFICULTY, status="difficulty")
    put(v.NORMAL, status="normal")
    put(v.UNREACHABLE, status="unreachable")
    put(v.AT_THE_DOOR, status="unreachable", channel="home_visit", home="weak")
    put(v.CLAUSE_FINAL, status="unreachable", clause_final=True)
    put(v.REACHED, status="reached")
    put(v.NO_NEED, status="no_need")
    for need, words in v.NEEDS.items():
        put(words, need=need)
    put(v.URGENT, urgent=True)
    put(v.CALM, status="calm", urgent=False)
    put(v.NEUTRAL, neutral=True, need=None, status=None)
    # Every "没X" is also written "没有X" (没人照顾 / 没有人照顾, 没饭吃 / 没有饭吃), and in south-
    # western dialect "没得X" (没得人接, 没得饭吃); "都没X" and "一直没X" are still "没X".
    for word, entry in list(entries.items()):
        if word.startswith("没") and not word.startswith(("没有", "没得")):
            for longer in ("没有" + word[1:], "没得" + word[1:]):
                if longer not in entries:
                    entries[longer] = entry
    return PhraseTable(entries, trie=True)


@cache
def cue_tables() -> dict[str, PhraseTable[bool]]:
    """Cue phrases before/after need words, as tables for the longest match at a boundary."""
    before = {w: False for w in v.LACKS} | {w: True for w in (*v.HAS_BENEFIT, *v.DONE_BEFORE)}
    declined = dict.fromkeys(v.DECLINED, True)
    after = {w: False for w in v.UNMET_AFTER} | {w: True for w in v.MET_AFTER}
    return {"before": PhraseTable(before), "declined": PhraseTable(declined), "after": PhraseTable(after)}


_BREAKS = frozenset(" ,.;:!?。\n~")


def scan(text: str) -> list[Hit]:
    """Vocabulary hits; spaces inside a phrase are ignored ("家中 无人"), positions are `text`'s."""
    if " " not in text:
        hits = [Hit(s, e, text[s:e], entry) for s, e, entry in table().scan(text)]
    else:
        keep = [i for i, ch in enumerate(text) if ch != " "]
        compact = "".join(text[i] for i in keep)
        hits = [Hit(keep[s], keep[e - 1] + 1, compact[s:e], entry)
                for s, e, entry in table().scan(compact)]
    return [h for h in hits if not h.entry.clause_final or h.end == len(text) or text[h.end] in _BREAKS]
