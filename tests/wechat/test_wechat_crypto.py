"""Safe-mode decryption against samples made independently of our code (and of wechatpy)."""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.wechat.crypto import MessageCrypto
from bot.wechat.errors import InvalidRequest
from bot.wechat.messages import parse_inbound
from bot.wechat.signature import compute_signature

TOKEN = "lianxin-test-token"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
APP_ID = "wx1234567890abcdef"
TS, NONCE = "1714036504", "1514711492"
PLAIN = (
    "<xml><ToUserName><![CDATA[gh_123]]></ToUserName>"
    "<FromUserName><![CDATA[o_user]]></FromUserName><CreateTime>1714036504</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[张三 入户 正常]]></Content>"
    "<MsgId>24567891234567890</MsgId></xml>"
)


def independent_encrypt(
    xml: str | bytes,
    key: str = KEY,
    app_id: str = APP_ID,
    *,
    block: int = 32,
    padding: Callable[[int], bytes] | None = None,
    length_override: int | None = None,
) -> str:
    """WeChat's scheme written out with `cryptography` directly: random16 + len + msg + AppID."""
    raw_key = base64.b64decode(key + "=")
    msg = xml.encode() if isinstance(xml, str) else xml
    length = len(msg) if length_override is None else length_override
    body = os.urandom(16) + struct.pack(">I", length) + msg + app_id.encode()
    n = block - len(body) % block
    padded = body + (padding(n) if padding else bytes([n]) * n)
    enc = Cipher(algorithms.AES(raw_key), modes.CBC(raw_key[:16])).encryptor()
    return base64.b64encode(enc.update(padded) + enc.finalize()).decode()


def independent_decrypt(encrypt: str, key: str = KEY) -> bytes:
    raw_key = base64.b64decode(key + "=")
    dec = Cipher(algorithms.AES(raw_key), modes.CBC(raw_key[:16])).decryptor()
    return dec.update(base64.b64decode(encrypt)) + dec.finalize()


def envelope(encrypt: str, to_user: str = "gh_123") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to_user}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )


def sign(encrypt: str) -> str:
    return compute_signature(TOKEN, TS, NONCE, encrypt)


@pytest.fixture
def crypto() -> MessageCrypto:
    return MessageCrypto(TOKEN, KEY, APP_ID)


def test_decrypts_an_independently_encrypted_message(crypto):
    encrypt = independent_encrypt(PLAIN)
    plain = crypto.decrypt(envelope(encrypt).encode(), sign(encrypt), TS, NONCE)
    assert plain == PLAIN.encode()
    assert parse_inbound(plain).content == "张三 入户 正常"


def test_compatible_mode_body_with_plaintext_and_encrypt(crypto):
    encrypt = independent_encrypt(PLAIN)
    body = PLAIN.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    assert crypto.decrypt(body, sign(encrypt), TS, NONCE) == PLAIN.encode()


def test_accepts_padding_to_aes_block_size_too(crypto):
    encrypt = independent_encrypt(PLAIN, block=16)
    assert crypto.decrypt(envelope(encrypt), sign(encrypt), TS, NONCE) == PLAIN.encode()


def test_published_sample():
    """The encrypted sample of wechatpy's test-suite (from the WeCom docs; same scheme, CorpID)."""
    sample = MessageCrypto(
        "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
    )
    body = (
        "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA["
        "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTy"
        "eDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYy"
        "olBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWO"
        "MZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7ml"
        "sl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
        "]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"
    )
    plain = sample.decrypt(
        body, "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056294"
    )
    message = parse_inbound(plain)
    assert (message.from_user, message.content) == ("messense", "test")
    with pytest.raises(InvalidRequest):
        sample.decrypt(body, "74d92dfeb87ba7c714f89d98870ae5eb62dff26d", "1411525903", "461056295")


def test_encrypted_reply_is_what_wechat_expects(crypto):
    reply = "<xml><Content><![CDATA[收到]]></Content></xml>"
    env = crypto.encrypt(reply, NONCE, TS)
    fields = parse_envelope(env)
    assert fields["MsgSignature"] == compute_signature(TOKEN, TS, NONCE, fields["Encrypt"])
    assert fields["TimeStamp"] == TS and fields["Nonce"] == NONCE
    plain = independent_decrypt(fields["Encrypt"])
    pad = plain[-1]
    assert len(plain) % 32 == 0 and plain[-pad:] == bytes([pad]) * pad
    content = plain[16:-pad]
    (length,) = struct.unpack(">I", content[:4])
    assert content[4 : 4 + length].decode() == reply
    assert content[4 + length :] == APP_ID.encode()


def parse_envelope(xml: str) -> dict[str, str]:
    import xmltodict

    return xmltodict.parse(xml)["xml"]


def test_previous_key_accepted_during_rotation():
    encrypt = independent_encrypt(PLAIN, key=OLD_KEY)
    rotated = MessageCrypto(TOKEN, KEY, APP_ID, previous_key=OLD_KEY)
    assert rotated.decrypt(envelope(encrypt), sign(encrypt), TS, NONCE) == PLAIN.encode()
    with pytest.raises(InvalidRequest):
        MessageCrypto(TOKEN, KEY, APP_ID).decrypt(envelope(encrypt), sign(encrypt), TS, NONCE)
    # Replies always use the current key.
    fields = parse_envelope(rotated.encrypt("<xml/>", NONCE, TS))
    assert independent_decrypt(fields["Encrypt"], KEY)[20:26] == b"<xml/>"


def test_wrong_app_id(crypto):
    encrypt = independent_encrypt(PLAIN, app_id="wx_someone_else")
    with pytest.raises(InvalidRequest):
        crypto.decrypt(envelope(encrypt), sign(encrypt), TS, NONCE)


@pytest.mark.parametrize("signature", ["", None, "0" * 40, "签名不对"])
def test_bad_msg_signature(crypto, signature):
    encrypt = independent_encrypt(PLAIN)
    with pytest.raises(InvalidRequest):
        crypto.decrypt(envelope(encrypt), signature, TS, NONCE)


def test_signature_over_another_timestamp(crypto):
    encrypt = independent_encrypt(PLAIN)
    with pytest.raises(InvalidRequest):
        crypto.decrypt(envelope(encrypt), sign(encrypt), "1714036505", NONCE)


GOOD = independent_encrypt(PLAIN)


@pytest.mark.parametrize(
    "encrypt",
    [
        "",
        "!!!not base64!!!",
        GOOD[:-7],  # truncated: bad base64 length
        GOOD[:-8] + "====",  # truncated into a non-block length
        base64.b64encode(b"short").decode(),
        base64.b64encode(os.urandom(64)).decode(),  # whole blocks of garbage
        GOOD[:24],  # one block
        independent_encrypt(PLAIN, padding=lambda n: b"\x00" * n),
        independent_encrypt(PLAIN, padding=lambda n: b"\x21" * n),  # 33 > WeChat's 32
        # right count in the last byte, garbage before it: the AppID check alone would pass
        independent_encrypt(PLAIN, padding=lambda n: b"\x00" * (n - 1) + bytes([n])),
        independent_encrypt(PLAIN, length_override=10_000),
        independent_encrypt(b"\xff\xfe not utf-8"),
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "partial-block",
        "short",
        "random-blocks",
        "one-block",
        "pad-zero",
        "pad-too-big",
        "pad-inconsistent",
        "length-too-big",
        "not-utf8",
    ],
)
def test_undecryptable_payloads_raise_invalid_request(crypto, encrypt):
    with pytest.raises(InvalidRequest):
        crypto.decrypt(envelope(encrypt), sign(encrypt), TS, NONCE)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<xml><Encrypt>abc</Encrypt>",
        b"<other><Encrypt>abc</Encrypt></other>",
        b"<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>",
        b'<!DOCTYPE xml [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>',
        b'<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd"><xml><Encrypt>a</Encrypt></xml>',
        b"<xml><Encrypt>" + b"A" * (64 * 1024) + b"</Encrypt></xml>",
        b"<xml><ToUserName>gh</ToUserName></xml>",
    ],
    ids=[
        "empty",
        "text",
        "unclosed",
        "root",
        "repeated",
        "entity",
        "external-dtd",
        "oversized",
        "no-encrypt",
    ],
)
def test_malformed_envelopes_raise_invalid_request(crypto, body):
    with pytest.raises(InvalidRequest):
        crypto.decrypt(body, "0" * 40, TS, NONCE)


def test_bad_configuration_is_not_an_invalid_request():
    with pytest.raises(ValueError):
        MessageCrypto(TOKEN, "too-short", APP_ID)
