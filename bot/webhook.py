"""GET/POST /wechat — the thin adapter between WeChat's HTTP protocol and the handlers.

Order of work: size cap, signature (constant time), decryption (safe/compatible mode), XML
parsing; every failure there is the sender's fault and gets a 4xx with nothing stored. Then one
call into the Flask-free pipeline, whose reply is rendered back as (encrypted) XML. An
unexpected error is logged with its traceback and answered with a short apology, never a 500,
which WeChat would show as "该公众号暂时无法提供服务".
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, request

from bot.conversation import conversation_of
from bot.wechat.errors import InvalidRequest
from bot.wechat.messages import SUCCESS_REPLY, Inbound, parse_inbound, render_text_reply
from bot.wechat.signature import verify_signature
from bot.wechat.xml_body import check_size
from handlers import texts
from handlers.context import Incoming, Reply
from storage.masking import mask_text
from storage.models import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)

_KINDS = {"text", "voice", "image", "location", "link", "video", "shortvideo", "event"}


def _plain(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _signed() -> bool:
    settings = current_app.extensions["lianxin"].settings
    a = request.args
    return verify_signature(settings.wechat_token, a.get("timestamp"), a.get("nonce"), a.get("signature"))


@bp.get("/wechat")
def url_check() -> Response:
    echostr = request.args.get("echostr")
    if echostr is None or not all(request.args.get(k) for k in ("signature", "timestamp", "nonce")):
        return _plain("missing parameters", 400)
    if not _signed():
        return _plain("invalid signature", 403)
    return _plain(echostr)


@bp.post("/wechat")
def receive() -> Response:
    conv = conversation_of(current_app)
    if request.content_length is not None and request.content_length > conv.max_body:
        return _plain("body too large", 413)
    if not all(request.args.get(k) for k in ("signature", "timestamp", "nonce")):
        return _plain("missing parameters", 400)
    if not _signed():
        return _plain("invalid signature", 403)
    body = request.get_data(cache=False)
    encrypted = request.args.get("encrypt_type", "raw").lower() == "aes"
    key_index = 0
    try:
        check_size(body)
        if encrypted:
            if conv.crypto is None:
                raise InvalidRequest("encrypted message but no EncodingAESKey configured")
            body, key_index = conv.crypto.decrypt_with_key(
                body, request.args.get("msg_signature"), request.args.get("timestamp"), request.args.get("nonce")
            )
        message = parse_inbound(body)
    except InvalidRequest as exc:
        log.warning("rejected WeChat request: %s", exc)
        return _plain("bad request", 400)

    try:
        reply = conv.handle(_incoming(message))
    except Exception:
        log.exception("failed to handle %s from …%s", message.msg_type, message.from_user[-6:])
        reply = Reply(texts.APOLOGY)
    return _render(message, reply, encrypted, key_index)


def _incoming(m: Inbound) -> Incoming:
    kind = m.msg_type if m.msg_type in _KINDS else "other"
    return Incoming(
        openid=m.from_user,
        dedupe_key=m.dedupe_key,
        kind="event" if kind == "event" else kind,
        received_at=utcnow(),
        text=m.recognition if kind == "voice" else (m.content if kind == "text" else None),
        msg_id=m.msg_id,
        event=m.event or None,
        event_key=m.event_key or None,
    )


def _render(message: Inbound, reply: Reply, encrypted: bool, key_index: int) -> Response:
    if not reply.text:
        return _plain(SUCCESS_REPLY)
    log.info("reply to …%s: %s", message.from_user[-6:], mask_text(reply.text[:60]))
    xml = render_text_reply(message.from_user, message.to_user, reply.text, int(time.time()))
    conv = conversation_of(current_app)
    if encrypted and conv.crypto is not None:
        xml = conv.crypto.encrypt(
            xml, request.args.get("nonce", ""), request.args.get("timestamp", ""), key_index
        )
    return Response(xml, mimetype="application/xml")
