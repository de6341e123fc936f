"""Resident ID numbers (GB 11643-1999) and disability certificate numbers built on them.

A second-generation 残疾人证 number is the holder's 18-character ID number followed by the
category digit and the level digit, e.g. 430626196002110013 + 4 (肢体) + 1 (一级).
"""

from __future__ import annotations

import datetime as dt

from storage.models import DISABILITY_CATEGORIES

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# 视力 1, 听力 2, 言语 3, 肢体 4, 智力 5, 精神 6, 多重 7 — the order of DISABILITY_CATEGORIES.
CATEGORY_DIGITS = {name: str(i) for i, name in enumerate(DISABILITY_CATEGORIES, start=1)}
CATEGORY_BY_DIGIT = {digit: name for name, digit in CATEGORY_DIGITS.items()}


def check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> dt.date | None:
    """The birth date inside an 18-character ID number, or None when it is not a real date."""
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_gender(id_number: str) -> str:
    """男 for an odd 17th digit, 女 for an even one."""
    return "男" if int(id_number[16]) % 2 else "女"


def make_id_number(region6: str, birth: dt.date, sequence: int) -> str:
    """A well-formed ID number (for demo data and tests); `sequence` is 0..999."""
    first17 = f"{region6}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def make_certificate_no(id_number: str, category: str, level: int) -> str:
    return f"{id_number}{CATEGORY_DIGITS[category]}{level}"
