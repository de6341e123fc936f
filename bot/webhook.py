"""GET/POST /wechat — the thin adapter between WeChat's HTTP protocol and the handlers.

The protocol work (signatures in constant time, safe/compatible-mode decryption, XML parsing,
sealing the reply) is `bot.wechat.callback`'s; every failure there is the sender's fault and gets
a 4xx with nothing stored. Then one call into the Flask-free pipeline. An unexpected error is
logged with its traceback and answered with a short apology, never a 500, which WeChat would show
as "该公众号暂时无法提供服务".
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, request

from bot.conversation import conversation_of
from bot.spool import SpoolFull
from bot.wechat.callback import read_callback, seal_reply, verify_url
from bot.wechat.errors import BadSignature, InvalidRequest
from bot.wechat.messages import SUCCESS_REPLY, Inbound, render_text_reply
from handlers import texts
from handlers.context import Incoming, Reply
from storage.masking import mask_text
from storage.models import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)

_KINDS = {"text", "voice", "image", "location", "link", "video", "shortvideo", "event"}
_REQUIRED = ("timestamp", "nonce")


def _plain(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/plain")


def _rejected(exc: InvalidRequest) -> Response:
    log.warning("rejected WeChat request from %s: %s", request.remote_addr, exc)
    if isinstance(exc, BadSignature):
        return _plain("invalid signature", 403)
    return _plain("bad request", 400)


@bp.get("/wechat")
def url_check() -> Response:
    if not all(request.args.get(k) for k in (*_REQUIRED, "signature", "echostr")):
        return _plain("missing parameters", 400)
    try:
        token = current_app.extensions["lianxin"].settings.wechat_token
        return _plain(verify_url(request.args, token, time.time()))
    except InvalidRequest as exc:
        return _rejected(exc)


@bp.post("/wechat")
def receive() -> Response:
    conv = conversation_of(current_app)
    if request.content_length is not None and request.content_length > conv.max_body:
        return _plain("body too large", 413)
    if not all(request.args.get(k) for k in _REQUIRED):
        return _plain("missing parameters", 400)
    try:
        callback = read_callback(
            request.args, request.get_data(cache=False), conv.token, conv.crypto, time.time()
        )
    except InvalidRequest as exc:
        return _rejected(exc)

    message = callback.message
    try:
        reply = conv.handle(_incoming(message))
    except SpoolFull:
        # Database away and the spool full (or its disk): no answer, so WeChat retries.
        log.exception("message from …%s not taken: database and spool unavailable",
                      message.from_user[-6:])
        return _plain("temporarily unavailable", 503)
    except Exception:
        log.exception("failed to handle %s from …%s", message.msg_type, message.from_user[-6:])
        reply = Reply(texts.APOLOGY)
    if not reply.text:
        return _plain(SUCCESS_REPLY)
    text = mask_text(reply.text)  # never a full phone or ID number in a reply
    log.info("reply to …%s: %s", message.from_user[-6:], text[:60])
    xml = render_text_reply(message.from_user, message.to_user, text, int(time.time()))
    return Response(seal_reply(callback, xml, conv.crypto), mimetype="application/xml")


def _incoming(m: Inbound) -> Incoming:
    kind = m.msg_type if m.msg_type in _KINDS else "other"
    return Incoming(
        openid=m.from_user,
        dedupe_key=m.dedupe_key,
        kind=kind,
        received_at=utcnow(),
        text=m.recognition if kind == "voice" else (m.content if kind == "text" else None),
        msg_id=m.msg_id,
        event=m.event or None,
        event_key=m.event_key or None,
    )
