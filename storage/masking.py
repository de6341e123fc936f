"""Masking of ID, certificate and phone numbers for replies, pages and log lines."""

from __future__ import annotations

import logging
import re

# Digits as people write them: full-width or not, in groups separated by a space, a hyphen or a
# dot ("139-8765-4321", "+86 139 8765 4321", "430626 19651127 751X"). A run is cut into groups;
# consecutive groups that together make a number are masked as one.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－　", "0123456789Xx+- ")
_RUN = re.compile(r"(?<![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])[+＋]?[0-9０-９]"
                  r"(?:[0-9０-９Xxｘ Ｘ]|[ \-－‐.　](?=[0-9０-９]))*(?![0-9A-Za-z０-９])")
_GROUP = re.compile(r"[0-9Xx]+")
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
_ID = re.compile(r"\d{17}[\dX](?:\d{2})?")
_LANDLINE = re.compile(r"(0\d{2,3})(\d{7,8})")
_LONGEST = 20  # an ID with the certificate's two digits


def _masked_number(digits: str) -> str | None:
    """The masked form of `digits` if it is a whole phone or ID number, else None."""
    if m := _MOBILE.fullmatch(digits):
        return f"{m.group(1)[:3]}****{m.group(1)[-4:]}"
    if _ID.fullmatch(digits.upper()):
        return mask_id(digits.upper())
    if m := _LANDLINE.fullmatch(digits):
        return f"{m.group(1)}-****{m.group(2)[-4:]}"
    return None


def _mask_run(run: str) -> str:
    normal = run.translate(_FULL_WIDTH)  # the same length: positions line up
    groups = [(m.start(), m.end(), m.group(0)) for m in _GROUP.finditer(normal)]
    plus = normal.startswith("+")
    out, done, i = [], 0, 0
    while i < len(groups):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j][2]
            if len(digits) > _LONGEST + 2:
                break
            masked = _masked_number(("+" if plus and i == 0 else "") + digits)
            if masked is not None:
                start = 0 if plus and i == 0 else groups[i][0]
                out.append(run[done:start] + masked)
                done, i = groups[j][1], j
                break
        i += 1
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
    """Mask every ID/certificate and phone number in free text, however it is written: the one
    function for everything a person's words pass through on the way to a reply, a push, a page
    or a log line."""
    return _RUN.sub(lambda m: _mask_run(m.group(0)), text)


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
