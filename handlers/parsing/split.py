"""Several contacts in one message: "张三 电话 正常；李四 入户 要轮椅", one per line, or "张三、李四都正常".

A message is cut at ；/;/。/newline, and a piece again at commas, only where each side names a
different roster person; pieces naming nobody stay with the piece before them ("上门看望吴秀兰，
家中无人" is one contact). Names joined by 、/和/跟 share one piece and each gets its own record.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.parsing.names import Mention

# Clause ends, and list numbering ("1.张三 … 2.李四 …") but not a date like 11.20.
_HARD = re.compile(r"[;。\n]|(?<![0-9.])[0-9]{1,2}[.、)](?![0-9])")
_COMMA = re.compile(r",")
_JOINER = re.compile(r"^[\s、,和跟与及同还有以及]*$")


@dataclass(frozen=True)
class Part:
    start: int
    end: int
    people: tuple[Mention, ...]  # the person(s) this part is about; several when listed together


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    bounds, last = [], start
    for m in pattern.finditer(text, start, end):
        bounds.append((last, m.start()))
        last = m.end()
    bounds.append((last, end))
    return bounds


def _who(mentions: Sequence[Mention], start: int, end: int) -> list[Mention]:
    return [m for m in mentions if start <= m.start < end]


def _distinct(mentions: Sequence[Mention]) -> int:
    return len({m.key for m in mentions})


def _listed(text: str, mentions: Sequence[Mention]) -> tuple[Mention, ...]:
    """The first mention and any joined to it by 、/和/跟: the people a part is about."""
    group = [mentions[0]]
    for m in mentions[1:]:
        if m.key != group[-1].key and _JOINER.match(text[group[-1].end : m.start]):
            group.append(m)
        else:
            break
    return tuple(group)


def _at_spaces(text: str, start: int, end: int, who: Sequence[Mention]) -> list[tuple[int, int]]:
    """"张三 电话 正常 李四 电话 关机": cut before a name that follows a space and is not listed
    together with the name before it."""
    cuts = [
        later.start for earlier, later in itertools.pairwise(who)
        if later.key != earlier.key and text[later.start - 1] in " 、"
        and not _JOINER.match(text[earlier.end : later.start])
    ]
    bounds = [start, *cuts, end]
    return list(itertools.pairwise(bounds))


def parts(text: str, mentions: Sequence[Mention]) -> list[Part]:
    """The contacts of a message, in order; one part when it is about one person."""
    pieces: list[tuple[int, int]] = []
    for s, e in _pieces(text, 0, len(text), _HARD):
        commas = _pieces(text, s, e, _COMMA)
        named = [c for c in commas if _who(mentions, *c)]
        if len(named) >= 2 and _distinct([_who(mentions, *c)[0] for c in named]) >= 2:
            pieces.extend(commas)
        else:
            pieces.extend(_at_spaces(text, s, e, _who(mentions, s, e)))
    merged: list[list[int]] = []
    for s, e in pieces:
        if merged and not _who(mentions, s, e):
            merged[-1][1] = e
        elif merged and not _who(mentions, merged[-1][0], merged[-1][1]):
            merged[-1][1] = e  # a leading piece naming nobody (昨天入户：) belongs to the first person
        else:
            merged.append([s, e])
    result = []
    for s, e in merged:
        who = _who(mentions, s, e)
        result.append(Part(s, e, _listed(text, who) if who else ()))
    return result
