"""A real webhook server on loopback, a seeded roster, and WeChat-shaped clients."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from bot.app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.wechat.simulator import Simulator
from tests.conversation.seed import Roster, seed

TOKEN = "test-token"
APP_ID = "wx1234567890abcdef"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
OLD_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def make_settings(database_url: str, **extra):  # type: ignore[no-untyped-def]
    return load_settings(
        env={},
        database_url=database_url,
        secret_key="test-secret",
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_encoding_aes_key=AES_KEY,
        wechat_previous_encoding_aes_key=OLD_AES_KEY,
        **extra,
    )


class Server:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.app = create_app(runtime=runtime)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/wechat"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def user(self, openid: str, *, encrypted: bool = True, key: str = AES_KEY) -> Simulator:
        return Simulator(
            self.url, TOKEN, openid, encoding_aes_key=key if encrypted else None, app_id=APP_ID
        )

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture
def roster(database_url: str) -> Roster:
    rt = Runtime(make_settings(database_url))
    with rt.sessions.begin() as s:
        r = seed(s)
    rt.dispose()
    return r


@pytest.fixture
def server(database_url: str, roster: Roster) -> Iterator[Server]:
    rt = Runtime(make_settings(database_url))
    srv = Server(rt)
    yield srv
    srv.close()
    rt.dispose()


@pytest.fixture
def official(server: Server, roster: Roster) -> Simulator:
    """The village member 赵红梅, bound."""
    sim = server.user("o_member")
    reply = sim.send_text(f"绑定 {roster.member_code}")
    assert "绑定成功" in reply.content, reply
    return sim
