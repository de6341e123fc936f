"""Building the one WeChat client configuration of a process from its settings."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from bot.wechat.client import WeChatClient
from bot.wechat.crypto import MessageCrypto
from bot.wechat.token_store import DatabaseTokenStore, TokenStore


def make_token_store(settings: Settings, sessions: sessionmaker[Session]) -> TokenStore:
    """Redis when `LIANXIN_REDIS_URL` is set, else the database: shared either way."""
    name = f"wechat.access_token.{settings.wechat_app_id}"
    if settings.redis_url:
        from bot.wechat.redis_token_store import RedisTokenStore

        return RedisTokenStore.from_url(settings.redis_url, name)
    return DatabaseTokenStore(sessions, name)


def make_client(settings: Settings, sessions: sessionmaker[Session]) -> WeChatClient:
    return WeChatClient(
        base_url=settings.wechat_api_base_url,
        app_id=settings.wechat_app_id,
        app_secret=settings.wechat_app_secret,
        token_store=make_token_store(settings, sessions),
        timeout=settings.wechat_http_timeout,
    )


def make_crypto(settings: Settings) -> MessageCrypto | None:
    """The safe-mode crypto when an EncodingAESKey is configured (plaintext mode otherwise)."""
    if not settings.wechat_encoding_aes_key:
        return None
    return MessageCrypto(
        settings.wechat_token,
        settings.wechat_encoding_aes_key,
        settings.wechat_app_id,
        previous_key=settings.wechat_previous_encoding_aes_key,
    )
