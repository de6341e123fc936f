"""The errors of the WeChat layer, one per thing a caller does differently."""

from __future__ import annotations

TOKEN_INVALID_CODES = frozenset({40001, 40014, 42001})
NOT_FOLLOWING_CODES = frozenset({43004})
OUTSIDE_WINDOW_CODES = frozenset({45015, 45047})
QUOTA_EXCEEDED_CODES = frozenset({45009})


class InvalidRequest(Exception):
    """An inbound request that is not a genuine, well-formed WeChat message: answer 4xx."""


class BadSignature(InvalidRequest):
    """The request is not signed with our token: answered 403."""


class WeChatAPIError(Exception):
    """WeChat answered with a non-zero `errcode`."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg

    @property
    def token_invalid(self) -> bool:
        return self.errcode in TOKEN_INVALID_CODES

    @property
    def not_following(self) -> bool:
        return self.errcode in NOT_FOLLOWING_CODES

    @property
    def outside_window(self) -> bool:
        return self.errcode in OUTSIDE_WINDOW_CODES

    @property
    def quota_exceeded(self) -> bool:
        return self.errcode in QUOTA_EXCEEDED_CODES


class WeChatTransportError(Exception):
    """No usable answer: timeout, connection failure, HTTP error status or a body that is not JSON.

    The message may or may not have been delivered (`maybe_delivered` is False only when the
    request never reached the server); callers back off and retry.
    """

    def __init__(self, message: str, status: int | None = None, maybe_delivered: bool = True) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when there was an answer
        self.maybe_delivered = maybe_delivered
