"""Parsing WeChat's `<xml>` bodies defensively: size cap, no DTDs, no entities."""

from __future__ import annotations

from xml.parsers import expat

import xmltodict

from bot.wechat.errors import InvalidRequest

# WeChat's messages are a few KB; anything much larger is not from WeChat.
MAX_BODY_BYTES = 64 * 1024


def _forbid(*_args: object) -> None:
    raise ValueError("DTDs are not accepted")


class _NoDtdExpat:
    """expat as xmltodict calls it, but refusing any DOCTYPE.

    xmltodict already refuses entity declarations; a DOCTYPE has no business in a WeChat body
    either, and refusing it up front also stops external-DTD tricks.
    """

    @staticmethod
    def ParserCreate(*args, **kwargs):
        parser = expat.ParserCreate(*args, **kwargs)
        parser.StartDoctypeDeclHandler = _forbid
        return parser


def check_size(body: bytes | str) -> bytes:
    data = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if len(data) > MAX_BODY_BYTES:
        raise InvalidRequest(f"body of {len(data)} bytes exceeds {MAX_BODY_BYTES}")
    return data


def parse_xml_body(body: bytes | str) -> dict[str, object]:
    """The children of the root `<xml>` element as a dict; InvalidRequest for anything else."""
    data = check_size(body)
    if not data.strip():
        raise InvalidRequest("empty body")
    try:
        doc = xmltodict.parse(data, expat=_NoDtdExpat)
    except (expat.ExpatError, ValueError, TypeError) as exc:
        raise InvalidRequest(f"malformed XML: {exc}") from exc
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise InvalidRequest("root element is not <xml>")
    return root


def text_field(fields: dict[str, object], name: str) -> str:
    """A leaf element's text ("" when absent or empty); InvalidRequest when it is repeated or nested."""
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(f"<{name}> is not a single text element")
    return value
