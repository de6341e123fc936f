"""Normalisation of raw chat text before anything looks at it."""

from __future__ import annotations

import re
import unicodedata

# Brackets, hashtags and decoration carry no meaning for the parser: 【访视】, #访视#, （入户）.
_DECORATION = re.compile(r"[【】\[\]()（）「」『』《》<>〈〉#＃*＊|｜\"'“”‘’]")
_SPACES = re.compile(r"[ \t\u3000\u00a0\u200b\ufeff]+")
# Characters trimmed from both ends, so surrounding punctuation never changes a result.
EDGE = " \n\r\t,.;:!~、。，；：！…-—_·`^=+/\\"


def normalize(text: str) -> str:
    """NFKC (full-width digits and punctuation to ASCII), lower case, decoration removed."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = _DECORATION.sub(" ", s)
    s = _SPACES.sub(" ", s)
    s = re.sub(r" *\n[\s]*", "\n", s)
    return s.strip(EDGE)
