"""Toneless, fuzzy pinyin readings of single characters, for matching names by sound.

pypinyin's character table is a large Python module that takes a noticeable part of a second to
import, so the readings we need are extracted once into a marshal file next to the jieba cache and
loaded from there afterwards (a few milliseconds).
"""

from __future__ import annotations

import marshal
import os
import threading
import unicodedata
from pathlib import Path

_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_VERSION = 1
_lock = threading.Lock()
_readings: dict[str, tuple[str, ...]] | None = None


def fuzz(syllable: str) -> str:
    """Merge the sounds people confuse in names: zh/z, ch/c, sh/s, ing/in, eng/en."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[2:]
            break
    if syllable.endswith("ng") and syllable[-3:-2] in ("i", "e"):
        syllable = syllable[:-1]
    return syllable


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _build() -> dict[str, tuple[str, ...]]:
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, tuple[str, ...]] = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if "\u4e00" <= char <= "\u9fff":
            table[char] = tuple(sorted({fuzz(_toneless(r)) for r in readings.split(",")}))
    return table


def load(cache_dir: Path) -> dict[str, tuple[str, ...]]:
    global _readings
    if _readings is not None:
        return _readings
    with _lock:
        if _readings is None:
            path = cache_dir / f"pinyin-v{_VERSION}.marshal"
            try:
                _readings = marshal.loads(path.read_bytes())
            except (OSError, ValueError, EOFError):
                table = _build()
                try:
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    partial = path.with_suffix(f".{os.getpid()}.tmp")
                    partial.write_bytes(marshal.dumps(table))
                    os.replace(partial, path)
                except OSError:
                    pass  # no cache: the next process builds the table again
                _readings = table
    return _readings


def readings(char: str) -> tuple[str, ...]:
    if _readings is None:
        from handlers.parsing.tokenizer import default_cache_dir

        load(default_cache_dir())
    assert _readings is not None
    return _readings.get(char, ())
