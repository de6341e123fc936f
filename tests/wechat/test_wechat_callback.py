"""Which checks apply in which mode: plaintext, compatible and safe callbacks."""

from __future__ import annotations

import time

import pytest
import xmltodict

from bot.wechat.callback import read_callback, seal_reply, verify_url
from bot.wechat.crypto import MessageCrypto
from bot.wechat.errors import InvalidRequest
from bot.wechat.messages import render_text_reply
from bot.wechat.simulator import build_text_message, encrypt_envelope, signed_query

TOKEN = "cb-token"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx_cb_app"
CRYPTO = MessageCrypto(TOKEN, KEY, APP_ID)
XML = build_text_message("o_user", "张三 入户 正常", to_user="gh_cb", msg_id="77")


def test_url_check():
    query = signed_query(TOKEN, timestamp="1714036504", nonce="1514711492")
    at = 1714036504 + 10  # WeChat's documentation vector, checked 10 s after it was signed
    assert verify_url({**query, "echostr": "5837397520665436492"}, TOKEN, at) == "5837397520665436492"
    with pytest.raises(InvalidRequest):
        verify_url({**query, "echostr": "x", "nonce": "1"}, TOKEN, at)
    with pytest.raises(InvalidRequest):
        verify_url(query, TOKEN, at)
    with pytest.raises(InvalidRequest):
        verify_url({"echostr": "x"}, TOKEN, at)
    with pytest.raises(InvalidRequest):  # the same signed check a day later: a replay
        verify_url({**query, "echostr": "5837397520665436492"}, TOKEN, at + 86_400)


def test_plaintext():
    query = signed_query(TOKEN, openid="o_user")
    callback = read_callback(query, XML.encode(), TOKEN, None, time.time())
    assert callback.message.msg_id == "77" and not callback.encrypted
    reply = render_text_reply("o_user", "gh_cb", "收到", 1)
    assert seal_reply(callback, reply, None) == reply
    for bad in ({**query, "signature": "0" * 40}, {k: v for k, v in query.items() if k != "nonce"}):
        with pytest.raises(InvalidRequest):
            read_callback(bad, XML.encode(), TOKEN, None, time.time())
    with pytest.raises(InvalidRequest):
        read_callback({**query, "encrypt_type": "rot13"}, XML.encode(), TOKEN, None, time.time())


def test_plaintext_is_refused_once_an_encoding_aes_key_is_configured():
    query = signed_query(TOKEN, openid="o_user")
    with pytest.raises(InvalidRequest):
        read_callback(query, XML.encode(), TOKEN, CRYPTO, time.time())


@pytest.mark.parametrize("skew", [-86_400 * 365 * 25, -86_400, -301, 301, 86_400 * 365])
def test_stale_and_future_timestamps_are_refused(skew):
    now = time.time()
    query = signed_query(TOKEN, openid="o_user", timestamp=str(int(now + skew)))
    with pytest.raises(InvalidRequest):
        read_callback(query, XML.encode(), TOKEN, None, now)
    fresh = signed_query(TOKEN, openid="o_user", timestamp=str(int(now - 20)))
    assert read_callback(fresh, XML.encode(), TOKEN, None, now).message.msg_id == "77"


def test_a_from_user_longer_than_any_openid_is_refused():
    long = build_text_message("o" * 10_000, "张三 入户 正常", to_user="gh_cb", msg_id="78")
    with pytest.raises(InvalidRequest):
        read_callback(signed_query(TOKEN), long.encode(), TOKEN, None, time.time())


@pytest.mark.parametrize("compatible", [False, True])
def test_safe_and_compatible(compatible):
    body, encrypt = encrypt_envelope(XML, KEY, APP_ID, compatible=compatible)
    query = signed_query(TOKEN, openid="o_user", encrypt=encrypt)
    callback = read_callback(query, body.encode(), TOKEN, CRYPTO, time.time())
    assert callback.encrypted and callback.message.content == "张三 入户 正常"
    sealed = seal_reply(callback, render_text_reply("o_user", "gh_cb", "收到", 1), CRYPTO)
    envelope = xmltodict.parse(sealed)["xml"]
    assert envelope["Nonce"] == query["nonce"] and envelope["TimeStamp"] == query["timestamp"]
    plain = CRYPTO.decrypt(
        sealed, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
    )
    assert b"<![CDATA[\xe6\x94\xb6\xe5\x88\xb0]]>" in plain  # 收到
    assert seal_reply(callback, "success", CRYPTO) == "success"
    assert seal_reply(callback, "", CRYPTO) == ""


def test_safe_mode_checks():
    body, encrypt = encrypt_envelope(XML, KEY, APP_ID)
    query = signed_query(TOKEN, openid="o_user", encrypt=encrypt)
    without_plain_signature = {k: v for k, v in query.items() if k != "signature"}
    assert read_callback(without_plain_signature, body.encode(), TOKEN, CRYPTO, time.time()).encrypted
    for bad in (
        {**query, "signature": "0" * 40},
        {**query, "msg_signature": "0" * 40},
        {k: v for k, v in query.items() if k != "msg_signature"},
    ):
        with pytest.raises(InvalidRequest):
            read_callback(bad, body.encode(), TOKEN, CRYPTO, time.time())
    with pytest.raises(InvalidRequest):
        read_callback(query, body.encode(), TOKEN, None, time.time())  # no key configured
    with pytest.raises(InvalidRequest):
        read_callback(query, b"<xml>" + b" " * 70_000 + b"</xml>", TOKEN, CRYPTO, time.time())
