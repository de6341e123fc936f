"""Cell values as people type them, turned into typed values; a bad value raises ValueError
whose message (Chinese) says what is wrong."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from storage.models import DISABILITY_CATEGORIES, RANKS, ROLES
from storage.roster import texts

_TRUE = {"是", "y", "yes", "1", "√", "✓", "✔", "true", "t", "有", "对"}
_FALSE = {"否", "n", "no", "0", "×", "✗", "✘", "x", "false", "f", "无", "不是"}
_LEVELS = {
    "一": 1, "二": 2, "三": 3, "四": 4,
    "1": 1, "2": 2, "3": 3, "4": 4,
    "ⅰ": 1, "ⅱ": 2, "ⅲ": 3, "ⅳ": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4,
}
_CATEGORY_ALIASES = {"视力": "视力", "视": "视力", "盲": "视力", "听力": "听力", "听": "听力",
                     "聋": "听力", "言语": "言语", "语言": "言语", "肢体": "肢体", "肢": "肢体",
                     "智力": "智力", "智": "智力", "精神": "精神", "精": "精神", "多重": "多重",
                     "综合": "多重"}
_ROLE_ALIASES = {
    "专职委员": "village_member", "村专职委员": "village_member", "残协专职委员": "village_member",
    "村(社区)专职委员": "village_member", "委员": "village_member",
    "帮扶干部": "cadre", "帮扶人": "cadre", "帮扶责任人": "cadre", "干部": "cadre",
    "乡镇": "township", "乡镇干部": "township", "乡镇残联": "township", "街道": "township",
    "乡镇(街道)": "township",
    "县": "county", "县级": "county", "县残联": "county", "县(区)": "county", "区": "county",
    **{code: code for code in ROLES},
}
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def text(value: Any) -> str:
    """A cell as stripped text; numbers Excel stored as floats lose their '.0'."""
    if value is None:
        return ""
    if value.__class__ is str and value.isascii():  # the common case, and NFKC would not change it
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def boolean(value: Any) -> bool:
    raw = text(value).lower()
    if raw == "":
        return False
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(texts.BAD_BOOL.format(value=raw))


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))  # an Excel serial day number
    raw = text(value)
    match = _DATE_PARTS.match(raw)
    if match is None and re.fullmatch(r"\d{8}", raw):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", raw)
    if match is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T][\d:.]+", raw):
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", raw)
    try:
        if match is None:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(texts.BAD_DATE.format(value=raw)) from None


def level(value: Any) -> int:
    raw = text(value).lower().replace("级", "").replace("残疾", "").strip()
    if raw in _LEVELS:
        return _LEVELS[raw]
    raise ValueError(texts.BAD_LEVEL.format(value=text(value)))


def category(value: Any) -> str:
    raw = text(value).removesuffix("类").removesuffix("残疾").removesuffix("残")
    if raw in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[raw]
    if raw.isdigit() and 1 <= int(raw) <= len(DISABILITY_CATEGORIES):
        return DISABILITY_CATEGORIES[int(raw) - 1]
    raise ValueError(texts.BAD_CATEGORY.format(value=text(value)))


def gender(value: Any) -> str:
    raw = text(value)
    if raw in ("男", "男性", "m", "M"):
        return "男"
    if raw in ("女", "女性", "f", "F"):
        return "女"
    raise ValueError(texts.BAD_GENDER.format(value=raw))


def phone(value: Any) -> str:
    raw = text(value)
    compact = re.sub(r"[\s()（）]", "", raw).removeprefix("+86").removeprefix("0086")
    if _MOBILE.match(compact.replace("-", "")):
        return compact.replace("-", "")
    if _LANDLINE.match(compact):
        return compact
    raise ValueError(texts.BAD_PHONE.format(value=raw))


def role(value: Any) -> str:
    raw = text(value)
    if raw in _ROLE_ALIASES:
        return _ROLE_ALIASES[raw]
    raise ValueError(texts.BAD_ROLE.format(value=raw))


def rank(value: Any) -> str:
    raw = text(value).replace("干部", "")
    if raw in RANKS:
        return raw
    for name in RANKS[:2]:  # 正处级/副处级 -> 处级, 正科级/副科级 -> 科级
        if raw.endswith(name):
            return name
    raise ValueError(texts.BAD_RANK.format(value=raw))


def region_name(value: Any) -> str:
    return re.sub(r"\s+", "", text(value))
