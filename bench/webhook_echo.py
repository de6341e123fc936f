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


# The same echo built from our protocol layer, to show what bot.wechat costs against wechatpy.
ours_app = Flask("ours_echo")


@ours_app.route("/wechat", methods=["GET", "POST"])
def ours_wechat() -> str:
    from bot.wechat.errors import InvalidRequest
    from bot.wechat.messages import parse_inbound, render_text_reply
    from bot.wechat.signature import verify_signature

    args = request.args
    if not verify_signature(TOKEN, args.get("timestamp"), args.get("nonce"), args.get("signature")):
        abort(403)
    if request.method == "GET":
        return args.get("echostr", "")
    try:
        message = parse_inbound(request.get_data())
    except InvalidRequest:
        abort(400)
    reply = f"收到：{message.content}"
    return render_text_reply(message.from_user, message.to_user, reply, message.create_time)
