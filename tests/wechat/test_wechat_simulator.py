"""The simulator (and `lianxin chat`) against a tiny loopback webhook built from our blocks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from wechatpy.crypto import WeChatCrypto

from bot.settings import DEV_AES_KEY
from bot.wechat.callback import read_callback, seal_reply
from bot.wechat.crypto import MessageCrypto
from bot.wechat.errors import InvalidRequest
from bot.wechat.messages import empty_reply, parse_inbound, render_text_reply
from bot.wechat.signature import compute_signature
from bot.wechat.simulator import (
    Simulator,
    build_event,
    build_text_message,
    encrypt_envelope,
    signed_query,
)

TOKEN = "sim-token"
APP_ID = "wx_sim_app"


class EchoWebhook(BaseHTTPRequestHandler):
    """Verify, decrypt, parse, answer "echo: …" — the shape of the real webhook, minus the bot."""

    crypto = MessageCrypto(TOKEN, DEV_AES_KEY, APP_ID)
    seen: ClassVar[list[dict[str, str]]] = []

    def log_message(self, *_args: object) -> None:
        pass

    def do_POST(self) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(query)
        try:
            # A plaintext simulator talks to a webhook without a key (with one, it is refused).
            crypto = self.crypto if query.get("encrypt_type") else None
            callback = read_callback(query, body, TOKEN, crypto, time.time())
        except InvalidRequest:
            return self._answer(403, "bad request")
        message = callback.message
        text = message.recognition if message.msg_type == "voice" else message.content
        if message.is_event:
            text = f"{message.event} {message.event_key}".strip()
        if text == "沉默" or message.event == "unsubscribe":
            return self._answer(200, seal_reply(callback, empty_reply(), self.crypto))
        reply = render_text_reply(
            message.from_user, message.to_user, f"echo: {text}", message.create_time
        )
        return self._answer(200, seal_reply(callback, reply, self.crypto))

    def _answer(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def echo_url() -> Iterator[str]:
    EchoWebhook.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoWebhook)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/wechat"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["plain", "safe", "compatible"])
def test_simulator_round_trip(echo_url, mode):
    sim = Simulator(
        echo_url,
        TOKEN,
        "o_dev_official",
        encoding_aes_key=None if mode == "plain" else DEV_AES_KEY,
        app_id=APP_ID,
        compatible=mode == "compatible",
    )
    reply = sim.send_text("张三 入户 正常 ]]> 完")
    assert (reply.status, reply.msg_type, reply.content) == (
        200,
        "text",
        "echo: 张三 入户 正常 ]]> 完",
    )
    assert sim.send_voice("李四 电话 未联系上").content == "echo: 李四 电话 未联系上"
    assert sim.send_event("subscribe", "qrscene_person:7").content == "echo: subscribe person:7"
    assert sim.send_event("SCAN", "person:7").content == "echo: scan person:7"
    assert sim.send_text("沉默").empty
    assert sim.send_event("unsubscribe").empty
    query = EchoWebhook.seen[0]
    assert query["openid"] == "o_dev_official"
    assert ("msg_signature" in query) == (mode != "plain")


def test_wrong_token_is_refused(echo_url):
    reply = Simulator(echo_url, "not-the-token", "o_x").send_text("hi")
    assert reply.status == 403 and not reply.empty


def test_builders_match_what_wechatpy_expects():
    """wechatpy (the reference) decrypts our envelope and accepts our signatures."""
    xml = build_text_message(
        "o_user", "王五 电话 正常", to_user="gh_x", msg_id="42", create_time=1700000000
    )
    body, encrypt = encrypt_envelope(xml, DEV_AES_KEY, APP_ID)
    query = signed_query(TOKEN, timestamp="1700000000", nonce="12345", encrypt=encrypt)
    assert query["signature"] == compute_signature(TOKEN, "1700000000", "12345")
    plain = WeChatCrypto(TOKEN, DEV_AES_KEY, APP_ID).decrypt_message(
        body, query["msg_signature"], query["timestamp"], query["nonce"]
    )
    message = parse_inbound(plain)
    assert (message.content, message.msg_id, message.create_time) == (
        "王五 电话 正常",
        "42",
        1700000000,
    )
    event = parse_inbound(build_event("o_user", "subscribe", event_key="qrscene_p1"))
    assert (event.event, event.event_key) == ("subscribe", "p1")


def _cli(args: list[str], cli_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = dict(cli_env, WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.getcwd(),
    )


def test_chat_command_one_shot_and_repl(echo_url, cli_env):
    done = _cli(["--url", echo_url, "--send", "赵六 视频 正常", "--encrypt"], cli_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "echo: 赵六 视频 正常"
    voice = _cli(
        ["--url", echo_url, "--as", "household", "--voice", "--plain", "--send", "轮椅坏了"],
        cli_env,
    )
    assert voice.stdout.strip() == "echo: 轮椅坏了"
    assert EchoWebhook.seen[-1]["openid"] == "o_dev_household"
    env = dict(cli_env, WECHAT_TOKEN=TOKEN, WECHAT_APP_ID=APP_ID)
    repl = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--url", echo_url],
        env=env,
        input="你好\n沉默\n/subscribe card:9\n/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert repl.returncode == 0, repl.stderr
    assert "echo: 你好" in repl.stdout
    assert "（公众号没有回复）" in repl.stdout
    assert "echo: subscribe card:9" in repl.stdout


def test_chat_command_explains_a_missing_server(cli_env):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = _cli(["--url", f"http://127.0.0.1:{port}/wechat", "--send", "hi"], cli_env)
    assert done.returncode != 0
    assert "连不上" in done.stderr
