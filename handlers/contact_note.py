"""The official's own note in a contact message: what is left once names, dates and the channel go.

"林娟 入户 老人身体不太好，住院了" → "老人身体不太好，住院了"; "昨天 电话 张三 门锁着没见到人" →
"门锁着没见到人". The ledger's 备注 column shows it; the raw message is kept beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from handlers.parsing.dates import date_spans
from handlers.parsing.lexicon import scan

_TIME_OF_DAY = re.compile(r"上午|下午|中午|晚上|早上|早晨|傍晚|凌晨|夜里")
_BREAK = re.compile(r"[\x00\s,，。;；、:：!！?？()（）\[\]【】“”\"']+")
# Words that only joined the removed parts ("看了林娟、张三和常卫东", "给张三打电话").
_FILLER = {
    "和", "跟", "与", "及", "以及", "还有", "给", "对", "向", "同", "了", "去", "去了", "到", "看", "看了", "去看",
    "去看了", "打", "打了", "通过", "用", "进行", "进行了", "在", "的", "把", "今", "分别", "一起", "等", "等人",
}


def note_of(text: str, names: Iterable[str]) -> str:
    """The clauses of `text` with the persons' names, dates, times of day and channel words removed."""
    spans = list(date_spans(text))
    spans += [m.span() for m in _TIME_OF_DAY.finditer(text)]
    for hit in scan(text):
        entry = hit.entry
        if (entry.channel or entry.verb) and entry.status is None and entry.need is None and not entry.urgent:
            spans.append((hit.start, hit.end))
    for name in {n for n in names if n}:
        spans += [m.span() for m in re.finditer(re.escape(name), text)]
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    pieces = [p for p in _BREAK.split("".join(chars)) if p and p not in _FILLER]
    return "，".join(pieces)
