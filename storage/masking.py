"""Masking of ID, certificate and phone numbers for replies, pages and log lines."""

from __future__ import annotations

import logging
import re

# 18-digit ID (last may be X), optionally followed by the certificate's category+level digits;
# 11-digit mobile numbers; landlines with area code.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(\d{2})?(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?\d{3,4}(\d{4})(?!\d)")


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
    """Mask every ID/certificate and phone number found in free text."""
    text = _ID_RE.sub(lambda m: mask_id(m.group(0)), text)
    text = _MOBILE_RE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    return _LANDLINE_RE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks numbers in the formatted message before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the logging module's business
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install_log_masking() -> None:
    """Mask numbers in every log record of the process, whichever handler writes it.

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
