"""Masking of ID, certificate and phone numbers for replies, pages and log lines."""

from __future__ import annotations

import logging
import re

# A run of digit groups as people write numbers: full-width or ASCII digits, at most three
# separator characters (spaces, hyphens and dashes of any width, dots, slashes, brackets) between
# groups, an optional leading + and an ID's X. The groups are judged after normalising.
_DIGIT = r"[0-9０-９]"
_SEP = r"[\s\-‐‑‒–—―−－.．·・/／()（）]"
_RUN_RE = re.compile(rf"(?<![0-9０-９])[+＋]?{_DIGIT}(?:{_SEP}{{0,3}}[0-9０-９XxＸｘ])*")
# Digits, or an X on its own: "…751X" is an ID, "13987654321x" a mobile and a letter.
_GROUP_RE = re.compile(r"[0-9０-９]+|[XxＸｘ]")
# After normalising: a mobile (with 86 or 0086 before it or not), an 18-character ID (a
# certificate number adds two digits, category and level).
_MOBILE_RE = re.compile(r"(?:0086|86)?(1[3-9]\d)\d{4}(\d{4})")
_ID_RE = re.compile(r"\d{17}[\dX](?:\d{2})?")
_SHORTEST, _LONGEST = 11, 20
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?\d{3,4}(\d{4})(?!\d)")
# Full-width digits and letters to ASCII (NFKC would also fold every other character).
_HALF = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")


def normalise_number(text: str) -> str:
    """The digits (and an ID's X) of a written number: full width folded, separators dropped."""
    return "".join(_GROUP_RE.findall(text)).translate(_HALF).replace("x", "X")


def _masked_number(digits: str) -> str | None:
    """The masked form of a whole mobile or ID number, or None when `digits` is neither."""
    mobile = _MOBILE_RE.fullmatch(digits)
    if mobile:
        return f"{mobile.group(1)}****{mobile.group(2)}"
    if _ID_RE.fullmatch(digits):
        return mask_id(digits)
    return None


def _matches_from(groups: list[tuple[int, int, str]], i: int) -> list[tuple[int, str]]:
    """(last group, masked form) of every number made of groups i..j, shortest first."""
    found, joined = [], ""
    for j in range(i, len(groups)):
        joined += groups[j][2]
        if len(joined) > _LONGEST:
            break
        masked = _masked_number(joined)
        if masked is not None:
            found.append((j, masked))
    return found


def _masked_run(match: re.Match[str]) -> str:
    run = match.group()
    return run if len(run) < _SHORTEST else _mask_run(run)


def _mask_run(run: str) -> str:
    """Mask each mobile or ID made of whole consecutive groups of one run.

    Where groups read both as a mobile and as a longer ID, the ID wins unless the groups after
    the mobile are themselves a number (two numbers written side by side).
    """
    groups = [(m.start(), m.end(), m.group().translate(_HALF).upper()) for m in _GROUP_RE.finditer(run)]
    out, done, i = [], 0, 0
    while i < len(groups):
        found = _matches_from(groups, i)
        if not found:
            i += 1
            continue
        j, masked = found[-1]
        if len(found) > 1 and _matches_from(groups, found[0][0] + 1):
            j, masked = found[0]
        start = 0 if i == 0 and run[:1] in "+＋" else groups[i][0]
        out.append(run[done:start])
        out.append(masked)
        done = groups[j][1]
        i = j + 1
    out.append(run[done:])
    return "".join(out)


def mask_phone(phone: str | None) -> str:
    """13812340001 -> 138****0001; anything shorter keeps only its last 4 characters."""
    if not phone:
        return ""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "****"


def mask_id(number: str | None) -> str:
    """An ID or certificate number keeps its first 6 and last 4 characters."""
    if not number:
        return ""
    n = number.strip()
    if len(n) <= 10:
        return "*" * len(n)
    return f"{n[:6]}{'*' * (len(n) - 10)}{n[-4:]}"


def mask_text(text: str) -> str:
    """Mask every ID/certificate and phone number in a person's words, however written:
    `139-8765-4321`, `139 8765 4321`, `+86 139…`, full-width `１３９…`, an ID in groups
    `430626 19651127 751X`. The one function for replies, pushes, pages and log lines."""
    if not text:
        return text
    text = _RUN_RE.sub(_masked_run, text)
    return _LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)


def sanitize_log(message: str) -> str:
    """A log line's text: numbers masked, line breaks escaped (user input cannot start a forged
    line), and the query string of a /wechat request (signature, nonce, openid …) left out."""
    message = mask_text(message)
    message = _WECHAT_QUERY.sub(r"\1", message)
    return message.replace("\r", "\\r").replace("\n", "\\n")


_WECHAT_QUERY = re.compile(r"(/wechat)\?[^\s\"']*")


class MaskingFilter(logging.Filter):
    """A logging filter that sanitizes the formatted message (`sanitize_log`) before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the logging module's business
            return True
        clean = sanitize_log(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def install_log_masking() -> None:
    """Sanitize every log record of the process, whichever handler writes it.

    A record factory rather than handler filters: gunicorn, werkzeug and Flask bring their own
    handlers, some created after start-up.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "lianxin_masking", False):
        return

    def factory(*args, **kwargs):  # type: ignore[no-untyped-def]
        record = current(*args, **kwargs)
        MaskingFilter().filter(record)
        return record

    factory.lianxin_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
