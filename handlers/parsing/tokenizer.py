"""The project's own jieba tokenizer: loaded once, then only read.

jieba's module-level default tokenizer is shared with every other user of jieba in the process,
and adding words while other threads segment loses POS tags (and `del_word` leaks between
instances), so we never touch it. Our instance is built from jieba's dictionary trimmed to words
seen at least `MIN_FREQ` times (rare words cost start-up time and tell the parser nothing) plus
the domain words, written once to a cache directory; jieba caches its prefix dictionary there too.
Set LIANXIN_CACHE_DIR to choose the directory (default: a per-user folder under the system temp).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

import jieba

from handlers.parsing.vocabulary import EXTRA_WORDS

log = logging.getLogger(__name__)
MIN_FREQ = 20
_DOMAIN_FREQ = 5000
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def default_cache_dir() -> Path:
    configured = os.environ.get("LIANXIN_CACHE_DIR")
    if configured:
        return Path(configured)
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"lianxin-{uid}"


def _dictionary(cache_dir: Path) -> Path:
    """Our trimmed dictionary file, written on first use and reused while jieba is unchanged."""
    source = Path(jieba.__file__).with_name("dict.txt")
    stamp = f"{jieba.__version__}|{source.stat().st_size}|{MIN_FREQ}|{'/'.join(EXTRA_WORDS)}"
    path = cache_dir / f"dict-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.txt"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{word} {_DOMAIN_FREQ}\n" for word in EXTRA_WORDS]
    with source.open(encoding="utf-8") as src:
        for line in src:
            parts = line.split(" ", 2)
            if len(parts) >= 2 and int(parts[1]) >= MIN_FREQ:
                lines.append(line if line.endswith("\n") else line + "\n")
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text("".join(lines), encoding="utf-8")
    os.replace(partial, path)  # atomic: concurrent first starts never read half a file
    return path


def load(cache_dir: str | os.PathLike[str] | None = None) -> jieba.Tokenizer:
    """Build the tokenizer once per process (idempotent, thread-safe)."""
    global _tokenizer
    if _tokenizer is not None:
        return _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
            try:
                tokenizer = jieba.Tokenizer(str(_dictionary(directory)))
                tokenizer.tmp_dir = str(directory)
            except OSError:
                # A read-only cache directory costs start-up time, not correctness.
                log.warning("cannot write the parser cache in %s; using jieba's full dictionary", directory)
                tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
    return _tokenizer


def spans(text: str) -> list[tuple[int, int]]:
    """Token boundaries of `text` from one segmentation by the dictionary.

    Without jieba's HMM: the parser only asks whether a span lies inside a dictionary word, and
    the HMM only glues unknown characters together (never into dictionary words).
    """
    tokenizer = load()
    result, start = [], 0
    for token in tokenizer.cut(text, HMM=False):
        result.append((start, start + len(token)))
        start += len(token)
    return result


def is_word(text: str) -> bool:
    """True for a word of the dictionary (not a mere prefix of one)."""
    return load().FREQ.get(text, 0) > 0
