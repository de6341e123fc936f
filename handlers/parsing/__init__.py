"""The message parser: free Chinese text + the sender's roster -> a typed intent (pure).

No database, Flask or network here. `load()` once at start-up (before a server forks) loads the
segmenter and vocabulary; `parse()` is then safe to call from any number of threads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from handlers.parsing.result import INTENTS, QUERIES, ParseResult

__all__ = ["INTENTS", "QUERIES", "ParseResult", "load", "parse"]

_ZONE = ZoneInfo("Asia/Shanghai")


def load() -> None:
    """Load jieba's dictionary, the vocabulary tables and pinyin data once (idempotent)."""
    from handlers.parsing import lexicon, pinyin, tokenizer

    tokenizer.load()
    pinyin.load(tokenizer.default_cache_dir())
    lexicon.table()
    lexicon.cue_tables()


def parse(
    text: str, roster: Sequence[str] = (), role: str = "official", today: dt.date | None = None
) -> ParseResult:
    """Understand one message from an official (default) or a household member."""
    from handlers.parsing.interpret import interpret

    if role not in ("official", "household"):
        raise ValueError(f"unknown role {role!r}")
    return interpret(text, roster, role, today or dt.datetime.now(_ZONE).date())
