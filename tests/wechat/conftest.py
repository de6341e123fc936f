"""Fixtures for the WeChat layer: the fake WeChat API server and clients pointed at it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from bot.runtime import Runtime
from bot.wechat.client import WeChatClient
from bot.wechat.factory import make_client
from tests.fake_wechat import FakeWeChat


@pytest.fixture
def fake_wechat() -> Iterator[FakeWeChat]:
    with FakeWeChat() as fake:
        yield fake


@pytest.fixture
def wechat_runtime(settings, fake_wechat: FakeWeChat) -> Iterator[Runtime]:
    """A runtime whose settings point every WeChat call at the fake."""
    rt = Runtime(
        dataclasses.replace(
            settings,
            wechat_api_base_url=fake_wechat.base_url,
            wechat_app_id=fake_wechat.app_id,
            wechat_app_secret=fake_wechat.app_secret,
            wechat_http_timeout=2.0,
        )
    )
    yield rt
    rt.dispose()


@pytest.fixture
def wechat_client(wechat_runtime: Runtime) -> WeChatClient:
    return make_client(wechat_runtime.settings, wechat_runtime.sessions)
