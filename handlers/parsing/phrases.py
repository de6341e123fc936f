"""A phrase table with leftmost-longest matching, fast enough to run on every message."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

V = TypeVar("V")


class PhraseTable(Generic[V]):
    """Exact phrases mapped to values; lookups index phrases by their first character."""

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]]) -> None:
        self._items: dict[str, V] = dict(items)
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
