"""The baseline for the webhook benchmark: bare Flask + wechatpy, verify → parse → reply.

gunicorn -w 4 -b 127.0.0.1:8100 'bench.webhook_echo:app'
"""

from __future__ import annotations

import os

from flask import Flask, abort, request
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

TOKEN = os.environ.get("WECHAT_TOKEN", "bench-token")

app = Flask(__name__)


@app.route("/wechat", methods=["GET", "POST"])
def wechat() -> str:
    try:
        check_signature(
            TOKEN,
            request.args.get("signature", ""),
            request.args.get("timestamp", ""),
            request.args.get("nonce", ""),
        )
    except InvalidSignatureException:
        abort(403)
    if request.method == "GET":
        return request.args.get("echostr", "")
    message = parse_message(request.get_data())
    return TextReply(content=f"收到：{getattr(message, 'content', '')}", message=message).render()


# The same echo built from our protocol layer (bot.wechat.callback), to show what bot.wechat costs against wechatpy.
ours_app = Flask("ours_echo")


@ours_app.route("/wechat", methods=["GET", "POST"])
def ours_wechat() -> str:
    from bot.wechat.callback import read_callback, seal_reply, verify_url
    from bot.wechat.errors import InvalidRequest
    from bot.wechat.messages import render_text_reply

    try:
        if request.method == "GET":
            return verify_url(request.args, TOKEN)
        callback = read_callback(request.args, request.get_data(), TOKEN, None)
    except InvalidRequest:
        abort(403)
    message = callback.message
    reply = render_text_reply(
        message.from_user, message.to_user, f"收到：{message.content}", message.create_time
    )
    return seal_reply(callback, reply, None)
