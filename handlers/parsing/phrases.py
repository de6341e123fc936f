"""A phrase table with leftmost-longest matching, fast enough to run on every message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class PhraseTable(Generic[V]):
    """Exact phrases mapped to values; lookups index phrases by their first character."""

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]], trie: bool = False) -> None:
        """`trie=True` compiles the phrases into one trie-shaped regex, so that a scan runs in
        the regex engine (worth it for large fixed tables, not for per-roster ones)."""
        self._items: dict[str, V] = dict(items)
        self._trie = re.compile(_trie_pattern(self._items)) if trie and self._items else None
        lengths: dict[str, set[int]] = {}
        for phrase in self._items:
            if phrase:
                lengths.setdefault(phrase[0], set()).add(len(phrase))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        # Jumping between characters that can start a phrase is done by the regex engine in C.
        chars = "".join(sorted(self._lengths))
        self._starts = re.compile(f"[{re.escape(chars)}]") if chars else None

    def __contains__(self, phrase: str) -> bool:
        return phrase in self._items

    def get(self, phrase: str) -> V | None:
        return self._items.get(phrase)

    def longest_at(self, text: str, i: int) -> tuple[str, V] | None:
        """The longest phrase starting at `text[i]`, with its value."""
        for length in self._lengths.get(text[i], ()):
            piece = text[i : i + length]
            if len(piece) == length and piece in self._items:
                return piece, self._items[piece]
        return None

    def scan(self, text: str) -> list[tuple[int, int, V]]:
        """Non-overlapping matches, leftmost first, each the longest at its start."""
        if self._trie is not None:
            items = self._items
            return [(m.start(), m.end(), items[m.group()]) for m in self._trie.finditer(text)]
        found: list[tuple[int, int, V]] = []
        if self._starts is None:
            return found
        search, pos = self._starts.search, 0
        while (m := search(text, pos)) is not None:
            i = m.start()
            hit = self.longest_at(text, i)
            if hit is None:
                pos = i + 1
            else:
                found.append((i, i + len(hit[0]), hit[1]))
                pos = i + len(hit[0])
        return found

    def longest_ending_at(self, text: str, end: int, max_len: int = 6) -> str | None:
        """The longest phrase that ends exactly at `end` (used for cues before a word)."""
        for length in range(min(max_len, end), 0, -1):
            piece = text[end - length : end]
            if piece in self._items:
                return piece
        return None


def _trie_pattern(phrases: Iterable[str]) -> str:
    """A regex matching the longest of `phrases` at each position: "没人(?:接|照顾)?"."""
    trie: dict[str, dict] = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)
