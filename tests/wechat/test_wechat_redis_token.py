"""The Redis token store against a real redis-server on loopback (skipped if none is installed)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from bot.wechat.client import WeChatClient
from bot.wechat.redis_token_store import RedisTokenStore


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_two_clients_share_one_token_through_redis(redis_url, fake_wechat):
    clients = [
        WeChatClient(
            fake_wechat.base_url,
            fake_wechat.app_id,
            fake_wechat.app_secret,
            RedisTokenStore.from_url(redis_url, "wechat.access_token.test"),
        )
        for _ in range(4)
    ]
    barrier = threading.Barrier(len(clients))
    errors: list[BaseException] = []

    def work(client: WeChatClient) -> None:
        try:
            barrier.wait()
            client.send_text("o_a", "并发")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert fake_wechat.token_issues == 1
    assert len(fake_wechat.sent) == 4
    fake_wechat.fail_next("/cgi-bin/message/custom/send", errcode=40001)
    clients[0].send_text("o_a", "again")
    assert fake_wechat.token_issues == 2
    assert clients[1].access_token() == clients[0].access_token()


def test_refresh_margin_and_rejection(redis_url):
    now = [1_000_000.0]
    store = RedisTokenStore(redis.Redis.from_url(redis_url), "t", clock=lambda: now[0])
    fetched: list[str] = []

    def fetch() -> tuple[str, int]:
        fetched.append(f"T{len(fetched) + 1}")
        return fetched[-1], 7200

    assert store.current() is None
    assert store.refresh(fetch) == "T1"
    now[0] += 7200 - 301
    assert store.current() == "T1"
    now[0] += 2
    assert store.current() is None  # inside the last five minutes
    assert store.refresh(fetch) == "T2"
    assert store.refresh(fetch, rejected="T1") == "T2"  # someone already replaced T1
    assert fetched == ["T1", "T2"]
