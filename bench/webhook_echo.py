"""The webhook benchmark's echo: bare Flask + wechatpy, verify → parse → reply, no database.

    gunicorn -b 127.0.0.1:8100 'bench.webhook_echo:app'
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
