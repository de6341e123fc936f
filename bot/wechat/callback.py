"""One WeChat callback request in, one reply body out — the protocol half of the webhook view.

The view hands over the query parameters and the raw body; everything WeChat-specific (which
signature to check in which mode, decrypting, parsing, sealing the reply) happens here, so the
view stays a thin adapter and the rules are tested without Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.wechat.crypto import MessageCrypto
from bot.wechat.errors import BadSignature, InvalidRequest
from bot.wechat.messages import SUCCESS_REPLY, Inbound, parse_inbound
from bot.wechat.signature import verify_signature
from bot.wechat.xml_body import check_size

PLAINTEXT_MODES = ("", "raw")
# WeChat retries within seconds; a signed request older (or newer) than this is a replay.
MAX_CLOCK_SKEW_S = 300
MAX_OPENID_CHARS = 64  # an openid is 28 characters


@dataclass(frozen=True)
class Callback:
    message: Inbound
    encrypted: bool  # the reply must be encrypted too
    timestamp: str
    nonce: str
    key_index: int = 0  # which EncodingAESKey opened it (0 current, 1 previous)


def check_fresh(timestamp: str | None, now: float) -> None:
    """A request's signed timestamp must be within MAX_CLOCK_SKEW_S of the server's clock."""
    try:
        sent = int(timestamp or "")
    except ValueError:
        raise InvalidRequest("timestamp is not a number") from None
    if abs(now - sent) > MAX_CLOCK_SKEW_S:
        raise InvalidRequest("timestamp too far from the server's clock (a replayed request?)")


def verify_url(args: Mapping[str, str], token: str, now: float) -> str:
    """The GET URL check: the `echostr` to answer as text/plain, or InvalidRequest."""
    check_fresh(args.get("timestamp"), now)
    if not verify_signature(token, args.get("timestamp"), args.get("nonce"), args.get("signature")):
        raise BadSignature("bad signature")
    echostr = args.get("echostr")
    if echostr is None:
        raise InvalidRequest("no echostr")
    return echostr


def read_callback(
    args: Mapping[str, str], body: bytes, token: str, crypto: MessageCrypto | None, now: float
) -> Callback:
    """Verify and parse a POST in plaintext, compatible or safe mode; InvalidRequest otherwise.

    The signed timestamp must be fresh (`check_fresh`). With an EncodingAESKey configured only
    encrypted requests are accepted, and their `msg_signature` (which covers the ciphertext)
    must verify; the plain `signature` WeChat sends alongside must verify too when present.
    """
    check_size(body)
    timestamp, nonce = args.get("timestamp"), args.get("nonce")
    check_fresh(timestamp, now)
    signature = args.get("signature")
    mode = args.get("encrypt_type") or ""
    key_index = 0
    if mode == "aes":
        if crypto is None:
            raise InvalidRequest("encrypted message but no EncodingAESKey is configured")
        if signature is not None and not verify_signature(token, timestamp, nonce, signature):
            raise BadSignature("bad signature")
        if not args.get("msg_signature"):
            raise BadSignature("no msg_signature")
        body, key_index = crypto.decrypt_with_key(body, args.get("msg_signature"), timestamp, nonce)
    elif mode in PLAINTEXT_MODES:
        if crypto is not None:
            raise InvalidRequest("plaintext refused: an EncodingAESKey is configured")
        if not verify_signature(token, timestamp, nonce, signature):
            raise BadSignature("bad signature")
    else:
        raise InvalidRequest(f"unknown encrypt_type {mode!r}")
    assert timestamp is not None and nonce is not None  # both verified above
    message = parse_inbound(body)
    if not message.from_user or len(message.from_user) > MAX_OPENID_CHARS:
        raise InvalidRequest("FromUserName is not an openid")
    return Callback(message, mode == "aes", timestamp, nonce, key_index)


def seal_reply(callback: Callback, reply_xml: str, crypto: MessageCrypto | None) -> str:
    """The response body: the reply, encrypted when the request was; `success`/"" stay as is."""
    if not callback.encrypted or reply_xml in ("", SUCCESS_REPLY):
        return reply_xml
    assert crypto is not None  # read_callback refused encrypted requests without one
    return crypto.encrypt(reply_xml, callback.nonce, callback.timestamp, callback.key_index)
