"""What kind of message it is, apart from logging a contact: bind, help, undo, resolve, queries."""

from __future__ import annotations

import re

from handlers.parsing import intent_words as v

# An official's 6 digits, or a contact card's 12 symbols, typed in groups, in any case.
_BIND = re.compile(r"绑定\s*(?:码|验证码)?\s*(?:是|为)?\s*[:：]?\s*"
                   r"((?<![0-9A-Za-z])[0-9]{6}(?![0-9A-Za-z])"
                   r"|[0-9A-Za-z]{4}(?:[ \-－]?[0-9A-Za-z]{4}){2}(?![0-9A-Za-z]))")
_HELP = re.compile("|".join(v.HELP_PATTERNS))
_UNDO = re.compile("|".join(v.UNDO_PATTERNS))
_PERSON_QUERY = re.compile("|".join(v.PERSON_QUERY_PATTERNS))
_KINDS = tuple((kind, re.compile(pattern)) for kind, pattern in v.QUERY_KINDS)
_PERIODS = tuple((period, re.compile(pattern)) for period, pattern in v.PERIODS)
_PROGRESS = re.compile("|".join(v.PROGRESS))
_RESOLVE = re.compile("^(?:" + "|".join(v.RESOLVE_PREFIXES) + r")[\s:,]*")
_QUERY_VERB = re.compile("^(?:" + "|".join(v.QUERY_VERBS) + ")")
_ONLY_DIGITS_OR_YES_NO = re.compile(r"^(?:[0-9]+|是|否|对|不对|不是|好|嗯|ok)$")


def bind(text: str) -> tuple[bool, str | None]:
    """(is a bind request, the code if given: 6 digits, or a card's 12 symbols in groups)."""
    if "绑定" not in text:
        return False, None
    m = _BIND.search(text)
    return True, (m.group(1) if m else None)


def is_help(text: str) -> bool:
    return text in v.HELP_EXACT or bool(_HELP.search(text))


def is_exact_help(text: str) -> bool:
    return text in v.HELP_EXACT


def is_undo(text: str) -> bool:
    return bool(_UNDO.search(text))


def resolve_rest(text: str) -> int | None:
    """Where the rest begins when the message closes a need (已解决 张三 轮椅), else None."""
    m = _RESOLVE.match(text)
    return m.end() if m else None


def is_reply_token(text: str) -> bool:
    """Bare digits or yes/no: answers to a pending question, which the webhook handles."""
    return bool(_ONLY_DIGITS_OR_YES_NO.match(text))


def starts_with_query_verb(text: str) -> bool:
    return bool(_QUERY_VERB.match(text))


def asks_about_person(text: str) -> bool:
    return bool(_PERSON_QUERY.search(text))


def query_kind(text: str) -> str | None:
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return None


def period(text: str) -> str | None:
    for name, pattern in _PERIODS:
        if pattern.search(text):
            return name
    return None


def asks_progress(text: str) -> bool:
    return bool(_PROGRESS.search(text))


def thanks(text: str) -> bool:
    return any(word in text for word in v.THANKS)


def asking(text: str) -> bool:
    return any(word in text for word in v.ASKING)


_COMPLAINT = re.compile("|".join(v.COMPLAINT))
_SMALL_TALK_TRIM = re.compile(r"[\s,，。.!！~～?？、啊呀呢哈]+")


def complaint(text: str) -> bool:
    """A household's complaint about a worker (not about their own difficulties)."""
    return bool(_COMPLAINT.search(text))


def small_talk(text: str) -> str | None:
    """"greeting", "thanks" or "ack" for a short message that is only that; else None."""
    core = _SMALL_TALK_TRIM.sub("", text).lower()
    if not core or len(core) > 12:
        return None
    if thanks(core) and len(core) <= 8:
        return "thanks"
    if core in {g.lower() for g in v.GREETINGS} or any(core.startswith(g) for g in ("你好", "您好")):
        return "greeting"
    if core in {a.lower() for a in v.ACKNOWLEDGEMENTS}:
        return "ack"
    return None
