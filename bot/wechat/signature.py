"""WeChat's request signature: sha1 over the sorted, concatenated parameters."""

from __future__ import annotations

import hashlib
import hmac


def compute_signature(token: str, timestamp: str, nonce: str, *extra: str) -> str:
    """`extra` is the `Encrypt` value for a safe-mode `msg_signature`."""
    parts = sorted(str(p) for p in (token, timestamp, nonce, *extra))
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


def verify_signature(
    token: str, timestamp: str | None, nonce: str | None, signature: str | None
) -> bool:
    """True when `signature` was made with our token; missing parameters never verify."""
    if not timestamp or not nonce or not signature:
        return False
    expected = compute_signature(token, timestamp, nonce)
    # compare_digest needs ASCII str or bytes; a non-ASCII forgery must fail, not raise.
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "surrogateescape"))
