"""Safe-mode (AES) message encryption, with the previous EncodingAESKey accepted during rotation.

The AES-256-CBC itself is wechatpy's (`wechatpy.crypto`). Unwrapping the plaintext is ours:
wechatpy's `PrpCrypto.decrypt` trusts the padding byte and the length prefix and compares the
signature with `!=`; here the signature is compared in constant time, PKCS#7 padding and the length
are checked, and every way a hostile body can fail ends in one `InvalidRequest`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import struct

from wechatpy.crypto import WeChatCrypto
from wechatpy.crypto.base import WeChatCipher
from wechatpy.exceptions import WeChatException

from bot.wechat.errors import InvalidRequest
from bot.wechat.signature import compute_signature
from bot.wechat.xml_body import parse_xml_body, text_field

_RANDOM_PREFIX = 16
_PKCS7_BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16
_DECRYPT_ERRORS = (
    WeChatException,
    binascii.Error,
    ValueError,
    struct.error,
    UnicodeDecodeError,
    IndexError,
    TypeError,
)


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key from a 43-character EncodingAESKey (a configuration error otherwise)."""
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    key = base64.b64decode(encoding_aes_key + "=", validate=True)
    if len(key) != 32:
        raise ValueError("EncodingAESKey does not decode to 32 bytes")
    return key


class MessageCrypto:
    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        app_id: str,
        previous_key: str | None = None,
    ) -> None:
        self._token = token
        self._app_id = app_id.encode("utf-8")
        self._keys = [aes_key(encoding_aes_key)]
        if previous_key:
            self._keys.append(aes_key(previous_key))
        # wechatpy builds the reply envelope exactly as WeChat's own samples do. A message that
        # came in under the previous key is answered under it too: that is the key WeChat used.
        self._repliers = [WeChatCrypto(token, encoding_aes_key, app_id)]
        if previous_key:
            self._repliers.append(WeChatCrypto(token, previous_key, app_id))

    def decrypt(
        self,
        body_xml: bytes | str,
        msg_signature: str | None,
        timestamp: str | None,
        nonce: str | None,
    ) -> bytes:
        """The plaintext message XML from a safe- or compatible-mode body."""
        return self.decrypt_with_key(body_xml, msg_signature, timestamp, nonce)[0]

    def decrypt_with_key(
        self,
        body_xml: bytes | str,
        msg_signature: str | None,
        timestamp: str | None,
        nonce: str | None,
    ) -> tuple[bytes, int]:
        """(plaintext XML, index of the key that opened it: 0 current, 1 previous)."""
        fields = parse_xml_body(body_xml)
        encrypt = text_field(fields, "Encrypt")
        if not encrypt:
            raise InvalidRequest("no <Encrypt> element")
        if not (msg_signature and timestamp and nonce):
            raise InvalidRequest("msg_signature, timestamp and nonce are required")
        expected = compute_signature(self._token, timestamp, nonce, encrypt)
        given = msg_signature.encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(expected.encode(), given):
            raise InvalidRequest("bad msg_signature")
        failure: Exception | None = None
        for index, key in enumerate(self._keys):
            try:
                return self._open(key, encrypt), index
            except _DECRYPT_ERRORS as exc:
                failure = exc
        raise InvalidRequest(f"cannot decrypt: {failure!r}") from failure

    def _open(self, key: bytes, encrypt: str) -> bytes:
        raw = base64.b64decode(encrypt, validate=True)
        if not raw or len(raw) % 16:
            raise ValueError("ciphertext is not whole AES blocks")
        plain = WeChatCipher(key).decrypt(raw)
        pad = plain[-1]
        if not 1 <= pad <= _PKCS7_BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise ValueError("bad PKCS#7 padding")
        content = plain[_RANDOM_PREFIX:-pad]
        (length,) = struct.unpack(">I", content[:4])
        message = content[4 : 4 + length]
        if len(message) != length:
            raise ValueError("length prefix exceeds the payload")
        if not hmac.compare_digest(content[4 + length :], self._app_id):
            raise ValueError("AppID does not match")
        message.decode("utf-8")  # WeChat sends UTF-8; anything else is garbage
        return message

    def encrypt(self, reply_xml: str, nonce: str, timestamp: str, key_index: int = 0) -> str:
        """The encrypted reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce)."""
        return self._repliers[key_index].encrypt_message(reply_xml, nonce, str(timestamp))
