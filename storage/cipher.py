"""Sensitive columns encrypted at rest (AES-256-GCM) and keyed lookup hashes (HMAC-SHA256).

A stored value is the envelope `v1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>`: `kid` is the
first 8 hex digits of a fingerprint of the key that wrote it, so any configured key (the
current one and the previous ones of a rotation) reads it, and `storage.keys.rotate` finds what
is still under an old key. The column name is the GCM associated data: a value copied into
another column does not decrypt.

Lookups and de-duplication never decrypt: beside an encrypted ID or phone number sits
`lookup_hash(value)`, an HMAC-SHA256 under a key derived (HKDF) from the same secret with another
purpose, indexed (unique where the plain column was). While a rotation runs, a value may be
hashed under the previous key: `lookup_hashes` gives the hash under every configured key.

The keys come from `configure(current, previous)`, called from settings when the process starts
(`bot.runtime`); until then the development key is used, so tests and `make run` work.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.types import TypeDecorator

DEV_DATA_KEY = "lianxin-dev-data-key-not-for-production"
VERSION = "v1"
_NONCE = 12
T = TypeVar("T")


class DecryptError(ValueError):
    """A stored value is not an envelope, names an unknown key, or fails authentication."""


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"lianxin", info=purpose).derive(
        secret.encode()
    )


@dataclass(frozen=True)
class DataKey:
    kid: str
    aead: AESGCM
    lookup: bytes

    @classmethod
    def from_secret(cls, secret: str) -> DataKey:
        enc = _derive(secret, b"lianxin data v1")
        kid = hashlib.sha256(b"lianxin kid" + enc).hexdigest()[:8]
        return cls(kid, AESGCM(enc), _derive(secret, b"lianxin lookup v1"))


class Keyring:
    """The current key (writes, hashes) and every key that may still be read."""

    def __init__(self, current: str, previous: Iterable[str] = ()) -> None:
        self.current = DataKey.from_secret(current)
        self.keys = {self.current.kid: self.current}
        for secret in previous:
            key = DataKey.from_secret(secret)
            self.keys.setdefault(key.kid, key)
        self.prefix = f"{VERSION}:{self.current.kid}:"
        self._older = [k for k in self.keys.values() if k is not self.current]

    def encrypt(self, plain: str, column: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self.current.aead.encrypt(nonce, plain.encode(), column.encode())
        return self.prefix + base64.urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, stored: str, column: str) -> str:
        version, _, rest = stored.partition(":")
        kid, _, body = rest.partition(":")
        key = self.keys.get(kid)
        if version != VERSION or key is None:
            raise DecryptError(f"{column}: not readable with the configured keys (key id {kid!r})")
        try:
            raw = base64.urlsafe_b64decode(body)
            return key.aead.decrypt(raw[:_NONCE], raw[_NONCE:], column.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise DecryptError(f"{column}: authentication failed") from exc

    @property
    def rotating(self) -> bool:
        """Previous keys are configured: stored values and hashes may still be under them."""
        return bool(self._older)

    def is_current(self, stored: str) -> bool:
        return stored.startswith(self.prefix)

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self.current.lookup, value.encode(), hashlib.sha256).hexdigest()

    def lookup_hashes(self, value: str) -> list[str]:
        """The hash under the current key first, then under each previous key."""
        if not self._older:
            return [self.lookup_hash(value)]
        data = value.encode()
        return [self.lookup_hash(value)] + [
            hmac.new(k.lookup, data, hashlib.sha256).hexdigest() for k in self._older
        ]


_keyring: Keyring | None = None


def configure(current: str, previous: Iterable[str] = ()) -> Keyring:
    """Use these keys in this process (the settings' LIANXIN_DATA_KEY and LIANXIN_DATA_KEYS)."""
    global _keyring
    _keyring = Keyring(current, previous)
    return _keyring


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = Keyring(DEV_DATA_KEY)
    return _keyring


def lookup_hash(value: str | None) -> str | None:
    return None if value is None or value == "" else keyring().lookup_hash(value)


def lookup_hashes(value: str) -> list[str]:
    return keyring().lookup_hashes(value)


class Encrypted(TypeDecorator[str]):
    """A text column stored as an AES-GCM envelope; SQL comparison on it is refused.

    The column is named in the associated data: `Encrypted("persons.phone")`.
    """

    impl = Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(str(value), self.column)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keyring().decrypt(value, self.column)

    class comparator_factory(Text.Comparator[str]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            # A plain value compared in SQL would be encrypted with a fresh nonce and never
            # match; columns (SQLAlchemy's own bookkeeping) and NULL tests are fine.
            if any(v is not None and not isinstance(v, ClauseElement) for v in other) and (
                op not in (operators.is_, operators.is_not)
            ):
                raise TypeError("encrypted column: compare its lookup hash instead")
            return super().operate(op, *other, **kwargs)


def find_hashed(index: Mapping[str, T], value: str) -> T | None:
    """`index[hash]` for the first hash of `value` (current key, then previous ones) it holds."""
    for hashed in lookup_hashes(value):
        found = index.get(hashed)
        if found is not None:
            return found
    return None
