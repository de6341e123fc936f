"""The webhook's protocol edge: URL check, safe mode, key rotation, hostile requests, retries."""

from __future__ import annotations

import logging
import threading
import time

import requests
import xmltodict
from sqlalchemy import func, select

from bot.runtime import Runtime
from bot.wechat.crypto import MessageCrypto
from bot.wechat.signature import compute_signature
from bot.wechat.simulator import build_text_message, encrypt_envelope, signed_query
from storage.models import ContactRecord, InboundMessage
from tests.conversation.conftest import AES_KEY, APP_ID, OLD_AES_KEY, TOKEN, Server, make_settings


def _count(server: Server, model=InboundMessage) -> int:  # type: ignore[no-untyped-def]
    with server.runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_url_check(server):
    q = {"timestamp": str(int(time.time())), "nonce": "1514711492", "echostr": "hello 123"}
    q["signature"] = compute_signature(TOKEN, q["timestamp"], q["nonce"])
    ok = requests.get(server.url, params=q, timeout=5)
    assert (ok.status_code, ok.text) == (200, "hello 123")
    bad = requests.get(server.url, params={**q, "signature": "0" * 40}, timeout=5)
    assert bad.status_code == 403
    assert requests.get(server.url, params={"echostr": "x"}, timeout=5).status_code == 400
    # a URL check signed a day ago (copied from a log) is a replay
    old = {**q, "timestamp": str(int(time.time()) - 86_400)}
    old["signature"] = compute_signature(TOKEN, old["timestamp"], old["nonce"])
    assert requests.get(server.url, params=old, timeout=5).status_code == 400


def test_replayed_and_plaintext_messages_are_refused(server, official):
    """A signed request copied from a log, sent again later with a new body, and a plaintext
    request to a server with an EncodingAESKey: refused, nothing stored."""
    before = _count(server)
    xml = build_text_message("o_member", "张三 电话 正常").encode()
    for skew in (-86_400, -600, 600, -86_400 * 365 * 25):
        stale = signed_query(TOKEN, timestamp=str(int(time.time()) + skew))
        body, enc = encrypt_envelope(xml.decode(), AES_KEY, APP_ID)
        stale_enc = signed_query(TOKEN, timestamp=stale["timestamp"], nonce=stale["nonce"],
                                 encrypt=enc)
        assert _post(server, body.encode(), stale_enc) == 400
    assert _post(server, xml, signed_query(TOKEN)) == 400  # plaintext, though a key is set
    assert _count(server) == before


def test_safe_mode_round_trip_and_previous_key(server, roster):
    for key in (AES_KEY, OLD_AES_KEY):
        sim = server.user(f"o_{key[:4]}", encrypted=True, key=key)
        reply = sim.send_text(f"绑定 {roster.household_codes['张三']}")
        assert "绑定成功" in reply.content


def test_compatible_mode(server, roster):
    xml = build_text_message("o_compat", f"绑定 {roster.household_codes['李四']}")
    body, encrypt = encrypt_envelope(xml, AES_KEY, APP_ID, compatible=True)
    resp = requests.post(server.url, params=signed_query(TOKEN, encrypt=encrypt), data=body.encode(), timeout=5)
    assert resp.status_code == 200 and "<Encrypt>" in resp.text


def _post(server: Server, body: bytes, params: dict[str, str] | None = None) -> int:
    return requests.post(server.url, params=params or signed_query(TOKEN), data=body, timeout=5).status_code


def test_hostile_requests_get_4xx_and_store_nothing(server):
    good = build_text_message("o_h", "张三 电话 正常").encode()
    now = str(int(time.time()))
    assert _post(server, good, {"timestamp": now, "nonce": "2", "signature": "x" * 40}) in (400, 403)
    assert _post(server, good, {"timestamp": "1"}) == 400
    assert _post(server, b"<xml><ToUserName>") == 400
    assert _post(server, b"not xml at all") == 400
    assert _post(server, b"<xml>" + b"a" * (200 * 1024) + b"</xml>") in (400, 413)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<xml><ToUserName>t</ToUserName><FromUserName>f</FromUserName><MsgType>text</MsgType>"
        b"<Content>&b;</Content></xml>"
    )
    assert _post(server, bomb) == 400
    xxe = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>'
    assert _post(server, xxe) == 400
    # Encrypted: wrong AppID, garbage ciphertext, bad msg_signature.
    wrong_app, enc = encrypt_envelope(build_text_message("o_h", "hi"), AES_KEY, "wx_other_app")
    assert _post(server, wrong_app.encode(), signed_query(TOKEN, encrypt=enc)) == 400
    garbage = "<xml><ToUserName>t</ToUserName><Encrypt>!!!notbase64$$</Encrypt></xml>"
    assert _post(server, garbage.encode(), signed_query(TOKEN, encrypt="!!!notbase64$$")) == 400
    short = "<xml><ToUserName>t</ToUserName><Encrypt>QUJD</Encrypt></xml>"
    assert _post(server, short.encode(), signed_query(TOKEN, encrypt="QUJD")) == 400
    body, enc = encrypt_envelope(build_text_message("o_h", "hi"), AES_KEY, APP_ID)
    q = signed_query(TOKEN, encrypt=enc)
    q["msg_signature"] = "0" * 40
    assert _post(server, body.encode(), q) == 400
    assert _count(server) == 0
    ok = requests.get(server.url.replace("/wechat", "/healthz"), timeout=5)
    assert ok.status_code == 200


def test_reply_escapes_cdata_terminator(server, official):
    reply = official.send_text("张三]]> 电话 正常")
    assert reply.status == 200 and reply.content


def test_concurrent_duplicates_on_two_workers_make_one_record(database_url, roster, official):
    # Two independent app instances (own engines) = two workers sharing the database.
    servers = [Server(Runtime(make_settings(database_url))) for _ in range(2)]
    try:
        xml = build_text_message("o_member", "张三 入户 正常", msg_id="777000000001")
        body, enc = encrypt_envelope(xml, AES_KEY, APP_ID)
        replies: list[str] = []

        def send(srv: Server) -> None:
            params = signed_query(TOKEN, encrypt=enc)
            r = requests.post(srv.url, params=params, data=body.encode(), timeout=10)
            replies.append(r.text)

        threads = [threading.Thread(target=send, args=(s,)) for s in servers for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        assert len(replies) == 6
        with servers[0].runtime.sessions() as s:
            assert s.scalar(select(func.count()).select_from(ContactRecord)) == 1
        # the same reply for all six (each sealed with its own request's nonce)
        crypto = MessageCrypto(TOKEN, AES_KEY, APP_ID)
        contents = set()
        for sealed in replies:
            env = xmltodict.parse(sealed)["xml"]
            plain = crypto.decrypt(sealed, env["MsgSignature"], env["TimeStamp"], env["Nonce"])
            contents.add(xmltodict.parse(plain)["xml"]["Content"])
        assert len(contents) == 1 and "已记录" in contents.pop()
    finally:
        for s in servers:
            s.close()
            s.runtime.dispose()


def test_unexpected_error_is_answered_with_apology_and_rolled_back(server, official):
    conv = server.app.extensions["lianxin.conversation"]
    original = conv.parse

    def broken(*_a, **_k):  # fault injection: a bug deep in the pipeline
        raise RuntimeError("boom")

    conv.parse = broken
    try:
        reply = official.send_text("张三 电话 正常")
    finally:
        conv.parse = original
    assert reply.status == 200 and "抱歉" in reply.content
    assert _count(server, ContactRecord) == 0
    # WeChat's retry of the same message is processed normally once the fault is gone.
    assert "已记录" in official.send_text("张三 电话 正常").content


def test_no_signature_nonce_or_number_in_any_log_line(server, official, caplog):
    caplog.set_level(logging.INFO)
    official.send_text("张三 电话 139-8765-4321 正常\n2026-12-05 ERROR 伪造的一行")
    lines = [record.getMessage() for record in caplog.records]
    text = "\n".join(lines)
    assert "/wechat" in text  # the access log line is there …
    for secret in ("signature=", "nonce=", "timestamp=", "openid=", "8765-4321", "87654321"):
        assert secret not in text  # … without the query string or the number
    assert not any("\n" in line for line in lines)  # user input cannot start a log line
