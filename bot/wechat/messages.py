"""Inbound message XML → `Inbound`, and the passive text reply XML.

Field names follow WeChat's documentation; `event` is lowercased and the `qrscene_` prefix of a
subscribe-by-QR-code `EventKey` is removed, as wechatpy does, so `SCAN` and `subscribe` carry the
same scene.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.wechat.errors import InvalidRequest
from bot.wechat.xml_body import MAX_BODY_BYTES, parse_xml_body, text_field

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_REPLY_BYTES",
    "SUCCESS_REPLY",
    "Inbound",
    "empty_reply",
    "fit_reply",
    "parse_inbound",
    "render_text_reply",
]

QRSCENE_PREFIX = "qrscene_"
# WeChat drops a passive text reply whose Content is longer than this (UTF-8 bytes).
MAX_REPLY_BYTES = 2048
# inbound_messages.dedupe_key is a String(160).
MAX_DEDUPE_KEY = 160
# "success" (or an empty body) tells WeChat not to retry and to show nothing; never encrypted.
SUCCESS_REPLY = "success"


@dataclass(frozen=True)
class Inbound:
    to_user: str
    from_user: str  # the sender's openid
    create_time: int  # seconds since the epoch
    msg_type: str  # lowercase: text, voice, image, location, link, event, ...
    msg_id: str | None = None
    content: str = ""
    recognition: str = ""  # voice-to-text; empty when WeChat could not recognise the speech
    media_id: str = ""
    pic_url: str = ""
    format: str = ""
    event: str = ""  # lowercase: subscribe, unsubscribe, scan, location, click, view, ...
    event_key: str = ""  # for subscribe via QR code, the scene without `qrscene_`
    ticket: str = ""
    location_x: float | None = None  # latitude of a location message
    location_y: float | None = None  # longitude of a location message
    scale: int | None = None
    label: str = ""
    latitude: float | None = None  # of a LOCATION event
    longitude: float | None = None
    precision: float | None = None
    title: str = ""
    description: str = ""
    url: str = ""

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def dedupe_key(self) -> str:
        """The same for WeChat's retries of one message or event, different otherwise."""
        if self.msg_id and not self.is_event:
            key = f"msg:{self.msg_id}"
        else:
            key = f"evt:{self.from_user}:{self.create_time}:{self.event}:{self.event_key}"
        if len(key) > MAX_DEDUPE_KEY:  # long event keys (menu keys up to 128 bytes)
            key = key[:4] + hashlib.sha1(key.encode("utf-8")).hexdigest()
        return key


def _number(fields: dict[str, object], name: str, kind: type[int] | type[float]):
    raw = text_field(fields, name).strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError as exc:
        raise InvalidRequest(f"<{name}> is not a number") from exc


def parse_inbound(xml: bytes | str) -> Inbound:
    """Parse a plaintext message; InvalidRequest if it is oversized, malformed or incomplete."""
    f = parse_xml_body(xml)
    to_user = text_field(f, "ToUserName").strip()
    from_user = text_field(f, "FromUserName").strip()
    msg_type = text_field(f, "MsgType").strip().lower()
    if not (to_user and from_user and msg_type):
        raise InvalidRequest("ToUserName, FromUserName and MsgType are required")
    create_time = _number(f, "CreateTime", int) or 0
    # Events such as TEMPLATESENDJOBFINISH spell it MsgID.
    msg_id = (text_field(f, "MsgId") or text_field(f, "MsgID")).strip() or None
    event = text_field(f, "Event").strip().lower()
    event_key = text_field(f, "EventKey").strip()
    if event == "subscribe" and event_key.startswith(QRSCENE_PREFIX):
        event_key = event_key[len(QRSCENE_PREFIX) :]
    return Inbound(
        to_user=to_user,
        from_user=from_user,
        create_time=create_time,
        msg_type=msg_type,
        msg_id=msg_id,
        content=text_field(f, "Content"),
        recognition=text_field(f, "Recognition").strip(),
        media_id=text_field(f, "MediaId"),
        pic_url=text_field(f, "PicUrl"),
        format=text_field(f, "Format"),
        event=event,
        event_key=event_key,
        ticket=text_field(f, "Ticket"),
        location_x=_number(f, "Location_X", float),
        location_y=_number(f, "Location_Y", float),
        scale=_number(f, "Scale", int),
        label=text_field(f, "Label"),
        latitude=_number(f, "Latitude", float),
        longitude=_number(f, "Longitude", float),
        precision=_number(f, "Precision", float),
        title=text_field(f, "Title"),
        description=text_field(f, "Description"),
        url=text_field(f, "Url"),
    )


# Characters XML 1.0 cannot carry at all, even inside CDATA.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(text: str) -> str:
    """A CDATA section holding `text`; a `]]>` inside is split across two sections."""
    clean = _XML_ILLEGAL.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def fit_reply(content: str, max_bytes: int = MAX_REPLY_BYTES) -> str:
    """`content` cut (with "…") to WeChat's size limit for a passive text reply."""
    if len(content.encode("utf-8")) <= max_bytes:
        return content
    cut = content.encode("utf-8")[: max_bytes - len("…".encode())].decode("utf-8", "ignore")
    return cut + "…"


def render_text_reply(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """A passive text reply: `to_user` is the sender's openid, `from_user` our account's id.

    Content longer than WeChat accepts is cut to fit (see `fit_reply`); send long lists by push.
    """
    content = fit_reply(content)
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )


def empty_reply() -> str:
    """The body that acknowledges a message without showing anything to the person."""
    return SUCCESS_REPLY
