"""Roster names in free text: exact, given name, 老/小 + surname, surname + title, then sound.

Only the sender's roster counts: a name that is not in it is not a person. Matching order is
exact full name (张三), given name (小燕 → 李小燕), 老胡/小李/胡大爷 when that surname is unique in the
roster (else every bearer becomes a candidate), and only when none of those is found, a window
that sounds like a roster name in toneless, fuzzy pinyin (章三 → 张三, 刘德民 → 刘德明) or is a
one-character typo of a name of three or more characters (胡志祥 → 胡志强).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from handlers.parsing import pinyin
from handlers.parsing.phrases import PhraseTable
from handlers.parsing.vocabulary import COMPOUND_SURNAMES, KIN_TITLES, SURNAMES

Spans = Sequence[tuple[int, int]]


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    names: tuple[str, ...]  # one name, or the candidates when ambiguous
    written: str | None = None  # what was written, when it is not (exactly) a roster name to accept

    @property
    def key(self) -> tuple[tuple[str, ...], str | None]:
        """Who this mention is about: two mentions with the same key are the same person."""
        return self.names, self.written

    @property
    def person(self) -> str | None:
        return self.names[0] if len(self.names) == 1 and self.written is None else None


def surname_of(name: str) -> str:
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


@dataclass(frozen=True)
class RosterIndex:
    names: tuple[str, ...]
    exact: PhraseTable[str]
    aliases: PhraseTable[tuple[str, ...]]
    by_first_char: dict[str, tuple[str, ...]]
    given_names: frozenset[str]


@lru_cache(maxsize=256)
def index(roster: tuple[str, ...]) -> RosterIndex:
    """Lookup tables for one roster; cached because a sender's roster rarely changes."""
    names = tuple(dict.fromkeys(n.strip() for n in roster if n and n.strip()))
    aliases: dict[str, list[str]] = {}

    def add(alias: str, name: str) -> None:
        if alias not in names and name not in aliases.setdefault(alias, []):
            aliases[alias].append(name)

    for name in names:
        surname = surname_of(name)
        given = name[len(surname):]
        if len(given) >= 2:
            add(given, name)
        if len(surname) == 2:
            add(surname, name)  # 欧阳, 司马: a compound surname alone is already a name
        if len(given) == 1:
            add(surname + "老" + given, name)  # 赵老六, 王老五
        if len(name) >= 2:
            for prefix in ("老", "小", "阿"):
                add(prefix + surname, name)
            for title in KIN_TITLES:
                add(surname + title, name)
    first: dict[str, list[str]] = {}
    for name in names:
        first.setdefault(name[0], []).append(name)
    return RosterIndex(
        names=names,
        exact=PhraseTable((n, n) for n in names),
        aliases=PhraseTable((a, tuple(ns)) for a, ns in aliases.items()),
        by_first_char={c: tuple(ns) for c, ns in first.items()},
        given_names=frozenset(n[len(surname_of(n)):] for n in names),
    )


def _inside_word(start: int, end: int, tokens: Spans, is_word: Callable[[str], bool], text: str) -> bool:
    """True when [start, end) lies strictly inside one dictionary word: 国庆 in 国庆节, 小孙 in 小孙子."""
    for ts, te in tokens:
        if ts <= start and end <= te and (te - ts) > (end - start):
            return is_word(text[ts:te])
        if ts >= end:
            break
    return False


def find_named(
    text: str,
    roster: RosterIndex,
    tokens: Callable[[], Spans],
    is_word: Callable[[str], bool],
) -> list[Mention]:
    """Exact names and aliases, leftmost first; a space inside a name ("张 三") is ignored."""
    keep = [i for i, ch in enumerate(text) if ch != " "]
    compact = "".join(text[i] for i in keep) if len(keep) < len(text) else text

    def span(s: int, e: int) -> tuple[int, int]:
        return keep[s], keep[e - 1] + 1

    exact = roster.exact.scan(compact)
    found = [Mention(*span(s, e), (n,)) for s, e, n in exact]
    masked = compact
    for s, e, _ in exact:
        masked = masked[:s] + "\0" * (e - s) + masked[e:]
    exact_found = bool(found)
    for s, e, names in roster.aliases.scan(masked):
        start, end = span(s, e)
        alias = compact[s:e]
        # "国庆期间入户走访张三": a given name that is also a word yields to a full name.
        if exact_found and alias in roster.given_names and is_word(alias):
            continue
        if _inside_word(start, end, tokens(), is_word, text):
            continue
        # "郑翠萍" with only 段翠萍 on the roster: a different surname before the given name is
        # another person's name, never silently corrected; the roster bearers become candidates.
        before = text[start - 1] if start > 0 else ""
        if alias in roster.given_names and before in SURNAMES and all(n[0] != before for n in names):
            found.append(Mention(start - 1, end, names, written=before + alias))
            continue
        found.append(Mention(start, end, names))
    found.sort(key=lambda m: m.start)
    return found


# --- sound-alike matching -----------------------------------------------------------------------

@lru_cache(maxsize=20000)
def syllables(char: str) -> frozenset[str]:
    """Toneless readings of a Chinese character, with zh/z, ch/c, sh/s, in/ing, en/eng merged."""
    return frozenset(pinyin.readings(char))


def _sounds_like(a: str, b: str) -> bool:
    return a == b or bool(syllables(a) & syllables(b))


def _similar(window: str, name: str) -> bool:
    """A homophone of the whole name, or a one-character typo of a name of three or more
    characters that keeps its surname's sound; a surname that sounds different is never a match."""
    same = sum(a == b for a, b in zip(window, name, strict=True))
    if same == len(name) or same == 0:
        return False
    if all(_sounds_like(a, b) for a, b in zip(window, name, strict=True)):
        return True
    # A one-character typo, only for names long enough that two right characters identify them.
    return len(name) >= 3 and same == len(name) - 1 and _sounds_like(window[0], name[0])


def find_sound_alike(
    text: str,
    roster: RosterIndex,
    blocked: Spans,
    is_word: Callable[[str], bool],
) -> list[Mention]:
    """Windows that sound like (or are a typo of) a roster name, outside `blocked` spans."""
    free = [("\u4e00" <= ch <= "\u9fff") for ch in text]
    for s, e in blocked:
        for i in range(max(s, 0), min(e, len(text))):
            free[i] = False
    lengths = sorted({len(n) for n in roster.names if len(n) >= 2}, reverse=True)
    sounds: dict[str, list[str]] = {}
    for name in roster.names:
        for syl in syllables(name[0]):
            sounds.setdefault(syl, []).append(name)
    found: list[Mention] = []
    i = 0
    while i < len(text):
        if not free[i]:
            i += 1
            continue
        candidates = set(roster.by_first_char.get(text[i], ()))
        for syl in syllables(text[i]):
            candidates.update(sounds.get(syl, ()))
        hit: Mention | None = None
        for length in lengths:
            window = text[i : i + length]
            if len(window) < length or not all(free[i : i + length]):
                continue
            # A dictionary word (前期 for 钱七) is a word, unless it begins with the very surname (李斯).
            common = is_word(window)
            names = tuple(n for n in roster.names if n in candidates and len(n) == length
                          and (not common or window[0] == n[0]) and _similar(window, n))
            if names:
                hit = Mention(i, i + length, names)
                break
        if hit is not None:
            found.append(hit)
            i = hit.end
        else:
            i += 1
    return found


def suggest(name: str, roster: Sequence[str], limit: int = 3) -> list[str]:
    """Roster names closest to `name` in sound and spelling, for "您是不是说…" replies."""
    from rapidfuzz import fuzz, process

    def spelled(text: str) -> str:
        return " ".join(min(syllables(c), default=c) for c in text)

    choices = {n: spelled(n) for n in roster}
    ranked = process.extract(spelled(name), choices, scorer=fuzz.ratio, limit=limit, score_cutoff=75)
    return [key for _, _, key in ranked]


# A name standing alone: between separators, list joiners (和/跟/与/及 next to a separator or a
# known name, blanked out as \0), the start or the end of the message.
_SEPARATORS = re.compile(r"[\s、,;。!?:()\0]+|(?<=[\s、,\0])(?:和|跟|与|及|还有)|(?:和|跟|与|及)(?=[\s、,\0])")
_CJK = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
_NOT_IN_NAMES = re.compile(r"[了的吗呢啊吧么着是在有过都也就还很太没不去来说好]")
# 贾庄, 周医生, 王书记: a place or a worker's title, not a person on anybody's list.
_NOT_A_PERSON = re.compile(
    r"(?:[庄村屯镇乡组社寨湾沟坪坝街路院楼号家店厂场站所局市县区省]|医生|大夫|书记|主任|老师|村长|组长|队长|会计"
    r"|所长|站长|院长|干部|镇长|乡长|师傅|专干)$"
)


def find_unknown(text: str, known: Spans, blocked: Spans, is_word: Callable[[str], bool]) -> list[Mention]:
    """Words that look like a person's name but match nobody on the roster ("张三" in "林娟、张三和
    常卫东"): a common surname and one or two characters, standing alone, not a dictionary word,
    not touching a `blocked` span (vocabulary, dates); `known` roster names separate like commas.
    They are named back, never dropped."""
    masked = list(text)
    for spans, mark in ((known, "\0"), (blocked, "\1")):
        for s, e in spans:
            for i in range(max(s, 0), min(e, len(text))):
                masked[i] = mark
    flat = "".join(masked)
    found: list[Mention] = []
    last = 0
    for m in [*_SEPARATORS.finditer(flat), None]:
        end = m.start() if m is not None else len(flat)
        piece = flat[last:end]
        if _CJK.match(piece) and (piece[0] in SURNAMES or piece[:2] in COMPOUND_SURNAMES) and not (
            _NOT_IN_NAMES.search(piece) or _NOT_A_PERSON.search(piece) or is_word(piece) or is_word(piece[:2])
        ):
            found.append(Mention(last, end, (), written=piece))
        if m is not None:
            last = m.end()
    return found
