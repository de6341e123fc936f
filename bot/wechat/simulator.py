"""Talking to our webhook exactly as WeChat does: signed query, message XML, safe-mode envelope.

The builders are plain functions so tests can make WeChat-shaped requests; `Simulator` posts them
and reads the reply back (decrypting it in safe mode). `lianxin chat` is a REPL around it.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import requests
from wechatpy.crypto import PrpCrypto

from bot.wechat.crypto import MessageCrypto, aes_key
from bot.wechat.errors import InvalidRequest
from bot.wechat.messages import SUCCESS_REPLY, cdata, parse_inbound
from bot.wechat.signature import compute_signature
from bot.wechat.xml_body import parse_xml_body, text_field

# The official account's original id (ToUserName of every inbound message) in development.
DEV_ACCOUNT = "gh_lianxin_dev"


def _now() -> int:
    return int(time.time())


def new_msg_id() -> str:
    """A MsgId like WeChat's: a large positive 64-bit integer, unique per message."""
    return str(secrets.randbits(62) + 10**15)


def build_text_message(
    from_user: str,
    content: str,
    *,
    to_user: str = DEV_ACCOUNT,
    msg_id: str | None = None,
    create_time: int | None = None,
) -> str:
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time or _now()}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        f"<MsgId>{msg_id or new_msg_id()}</MsgId>"
        "</xml>"
    )


def build_voice_message(
    from_user: str,
    recognition: str,
    *,
    to_user: str = DEV_ACCOUNT,
    msg_id: str | None = None,
    create_time: int | None = None,
) -> str:
    """A voice message as sent with speech recognition on (`recognition` may be empty)."""
    media_id = secrets.token_urlsafe(32)
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time or _now()}</CreateTime>"
        "<MsgType><![CDATA[voice]]></MsgType>"
        f"<MediaId>{cdata(media_id)}</MediaId>"
        "<Format><![CDATA[amr]]></Format>"
        f"<Recognition>{cdata(recognition)}</Recognition>"
        f"<MsgId>{msg_id or new_msg_id()}</MsgId>"
        "</xml>"
    )


def build_event(
    from_user: str,
    event: str,
    *,
    event_key: str | None = None,
    ticket: str | None = None,
    to_user: str = DEV_ACCOUNT,
    create_time: int | None = None,
) -> str:
    """An event; WeChat spells them `subscribe`, `unsubscribe`, `SCAN`, `CLICK`, `LOCATION`…

    For a subscribe through a parametric QR code pass `event_key="qrscene_<scene>"`, as WeChat does.
    """
    parts = [
        "<xml>",
        f"<ToUserName>{cdata(to_user)}</ToUserName>",
        f"<FromUserName>{cdata(from_user)}</FromUserName>",
        f"<CreateTime>{create_time or _now()}</CreateTime>",
        "<MsgType><![CDATA[event]]></MsgType>",
        f"<Event>{cdata(event)}</Event>",
    ]
    if event_key is not None:
        parts.append(f"<EventKey>{cdata(event_key)}</EventKey>")
    if ticket is not None:
        parts.append(f"<Ticket>{cdata(ticket)}</Ticket>")
    parts.append("</xml>")
    return "".join(parts)


def signed_query(
    token: str,
    *,
    timestamp: str | None = None,
    nonce: str | None = None,
    openid: str | None = None,
    encrypt: str | None = None,
) -> dict[str, str]:
    """The query string WeChat adds to a callback; with `encrypt`, the safe-mode parameters too."""
    timestamp = timestamp or str(_now())
    nonce = nonce or str(secrets.randbelow(10**10))
    query = {
        "signature": compute_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    if openid:
        query["openid"] = openid
    if encrypt is not None:
        query["encrypt_type"] = "aes"
        query["msg_signature"] = compute_signature(token, timestamp, nonce, encrypt)
    return query


def encrypt_envelope(
    xml: str,
    encoding_aes_key: str,
    app_id: str,
    *,
    compatible: bool = False,
) -> tuple[str, str]:
    """(body, Encrypt value) of a safe-mode request; `compatible` keeps the plaintext fields too."""
    encrypt = PrpCrypto(aes_key(encoding_aes_key)).encrypt(xml, app_id).decode("ascii")
    fields = parse_xml_body(xml)
    if compatible:
        body = xml[: xml.rindex("</xml>")] + f"<Encrypt>{cdata(encrypt)}</Encrypt></xml>"
    else:
        to_user = text_field(fields, "ToUserName")
        body = (
            f"<xml><ToUserName>{cdata(to_user)}</ToUserName>"
            f"<Encrypt>{cdata(encrypt)}</Encrypt></xml>"
        )
    return body, encrypt


@dataclass(frozen=True)
class SimReply:
    status: int
    body: str
    msg_type: str | None = None  # None for an empty or `success` answer
    content: str = ""

    @property
    def empty(self) -> bool:
        return self.status == 200 and self.msg_type is None


class Simulator:
    """One WeChat user talking to a webhook URL."""

    def __init__(
        self,
        url: str,
        token: str,
        openid: str,
        *,
        encoding_aes_key: str | None = None,
        app_id: str = "",
        account: str = DEV_ACCOUNT,
        compatible: bool = False,
        timeout: float = 10.0,
        session: requests.Session | None = None,
    ) -> None:
        self.url, self.token, self.openid, self.account = url, token, openid, account
        self._aes = (encoding_aes_key, app_id) if encoding_aes_key else None
        self._crypto = MessageCrypto(token, encoding_aes_key, app_id) if encoding_aes_key else None
        self._compatible = compatible
        self._timeout = timeout
        self._http = session or requests.Session()

    def send_text(self, content: str) -> SimReply:
        return self.post(build_text_message(self.openid, content, to_user=self.account))

    def send_voice(self, recognition: str) -> SimReply:
        return self.post(build_voice_message(self.openid, recognition, to_user=self.account))

    def send_event(self, event: str, event_key: str | None = None) -> SimReply:
        return self.post(build_event(self.openid, event, event_key=event_key, to_user=self.account))

    def post(self, xml: str) -> SimReply:
        """POST one message as WeChat would; raises requests' errors if the server is not there."""
        body, encrypt = xml, None
        if self._aes:
            body, encrypt = encrypt_envelope(xml, *self._aes, compatible=self._compatible)
        query = signed_query(self.token, openid=self.openid, encrypt=encrypt)
        response = self._http.post(
            self.url,
            params=query,
            data=body.encode("utf-8"),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            timeout=self._timeout,
        )
        return self._read(response)

    def _read(self, response: requests.Response) -> SimReply:
        text = response.content.decode("utf-8", "replace")
        if response.status_code != 200 or text.strip() in ("", SUCCESS_REPLY):
            return SimReply(response.status_code, text)
        plain = response.content
        if self._crypto is not None and b"<Encrypt>" in plain:
            fields = parse_xml_body(plain)
            plain = self._crypto.decrypt(
                plain,
                text_field(fields, "MsgSignature"),
                text_field(fields, "TimeStamp"),
                text_field(fields, "Nonce"),
            )
        try:
            reply = parse_inbound(plain)
        except InvalidRequest:
            return SimReply(response.status_code, text, msg_type="invalid")
        return SimReply(response.status_code, text, reply.msg_type, reply.content)
