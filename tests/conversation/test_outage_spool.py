"""A database outage loses nothing: messages that arrive while the database cannot be reached
are spooled durably and answered "已收到，稍后处理"; once the database is back the drain replays
them through the pipeline (once each) and queues the real replies as pushes; a WeChat retry is
answered from the spool; a poisoned entry is moved aside and does not block the rest.

The database is really unreachable: PostgreSQL behind a loopback TCP proxy that the test stops
and starts; a SQLite file whose directory is moved away (and the process's connections closed,
as a lost disk would)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select as select_mod
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.runtime import Runtime
from bot.spool import wait_until_empty
from bot.wechat.factory import make_client
from bot.wechat.simulator import build_text_message, new_msg_id
from scheduler.outbox import SenderConfig, send_once
from storage.models import ContactRecord, InboundMessage, Need, OutboxMessage
from tests.conversation.conftest import Server, make_settings
from tests.conversation.test_pushes import _daytime
from tests.fake_wechat import FakeWeChat

SPOOLED = "已收到，稍后处理"


class TcpProxy:
    """Forwards a loopback port to PostgreSQL; `stop` closes the port and every connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):  # shutdown wakes the accepting thread
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select_mod.select([a, b], [], [], 1.0)
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    (b if src is a else a).sendall(data)
        except OSError:
            return
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()


class Outage:
    """Makes the test's database unreachable and reachable again."""

    def __init__(self, database_url: str, tmp_path: Path) -> None:
        self.original = database_url
        url = make_url(database_url)
        self.proxy: TcpProxy | None = None
        if url.get_backend_name() == "postgresql":
            self.proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
            self.proxy.start()
            self.url = url.set(host="127.0.0.1", port=self.proxy.port).render_as_string(
                hide_password=False)
        else:
            self.dir = tmp_path / "db"
            self.dir.mkdir()
            shutil.copyfile(url.database, self.dir / "lianxin.db")
            self.away = tmp_path / "db-away"
            self.url = f"sqlite:///{self.dir / 'lianxin.db'}"
        self.runtime: Runtime | None = None

    def down(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        else:
            assert self.runtime is not None
            self.runtime.engine.dispose()  # the open files go with the lost disk
            os.rename(self.dir, self.away)

    def up(self) -> None:
        if self.proxy is not None:
            self.proxy.start()
        else:
            os.rename(self.away, self.dir)

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()


@pytest.fixture
def outage(database_url, roster, tmp_path):
    o = Outage(database_url, tmp_path)
    yield o
    o.close()


@pytest.fixture
def spooling_server(outage, tmp_path):
    rt = Runtime(make_settings(outage.url, data_dir=str(tmp_path / "data")))
    outage.runtime = rt
    srv = Server(rt)
    yield srv
    srv.app.extensions["lianxin.conversation"].drainer.stop()
    srv.close()
    rt.dispose()


def _count(runtime, model, *where) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_outage_spools_then_replays_once_and_pushes_the_replies(spooling_server, outage, roster):
    server = spooling_server
    conv = server.app.extensions["lianxin.conversation"]
    member = server.user("o_member")
    assert "绑定成功" in member.send_text(f"绑定 {roster.member_code}").content
    family = server.user("o_family")
    assert "绑定成功" in family.send_text(f"绑定 {roster.household_codes['张三']}").content

    outage.down()
    need_xml = build_text_message("o_family", "轮椅坏了，想换个新的", msg_id=new_msg_id())
    first = family.post(need_xml)
    assert first.status == 200 and SPOOLED in first.content
    retry = family.post(need_xml)  # WeChat's retry of the same message
    assert SPOOLED in retry.content
    logged = member.send_text("今天入户看了张三，情况正常")
    assert SPOOLED in logged.content
    entries = conv.spool.entries()
    assert len(entries) == 2
    # a poisoned spool: garbage, and a record that is not a message; neither blocks the rest
    (conv.spool.directory / "0-garbage.json").write_bytes(b"\x00{not json")
    (conv.spool.directory / "1-wrong.json").write_text('{"openid": "o_x"}')
    os.utime(conv.spool.directory / "0-garbage.json", ns=(1, 1))  # oldest: replayed first
    os.utime(conv.spool.directory / "1-wrong.json", ns=(2, 2))

    outage.up()
    assert wait_until_empty(conv.spool, timeout=90)
    assert sorted(p.name for p in conv.spool.poisoned.iterdir()) == ["0-garbage.json", "1-wrong.json"]

    runtime = server.runtime
    assert _count(runtime, Need) == 1
    assert _count(runtime, ContactRecord) == 1
    assert _count(runtime, InboundMessage) == 4  # two bindings, the need, the visit
    with runtime.sessions() as s:
        replies = {(r.official_id, r.openid): r.payload["text"]
                   for r in s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply"))}
    assert set(replies) == {(None, "o_family"), (roster.member, None)}
    assert "辅具" in replies[(None, "o_family")]
    assert "张三" in replies[(roster.member, None)]

    # After the drain a retry gets the real reply, stored once; nothing is recorded twice.
    again = family.post(need_xml)
    assert SPOOLED not in again.content and "辅具" in again.content
    assert _count(runtime, Need) == 1

    with FakeWeChat() as fake:
        settings = dataclasses.replace(
            runtime.settings, wechat_api_base_url=fake.base_url, wechat_app_id=fake.app_id,
            wechat_app_secret=fake.app_secret, wechat_http_timeout=2.0)
        send_once(runtime.sessions, make_client(settings, runtime.sessions),
                  SenderConfig(template_id="TPL", worker="t"), _daytime)
        delivered = {m["touser"]: str(m["body"]) for m in fake.sent}
    assert "辅具" in delivered["o_family"] and "张三" in delivered["o_member"]


def test_spool_survives_a_new_process_and_a_full_spool_asks_wechat_to_retry(
        spooling_server, outage, roster, tmp_path):
    server = spooling_server
    conv = server.app.extensions["lianxin.conversation"]
    family = server.user("o_family")
    assert "绑定成功" in family.send_text(f"绑定 {roster.household_codes['张三']}").content
    conv.drainer.stop()  # this process dies with the message in the spool
    outage.down()
    assert SPOOLED in family.send_text("想申请护理补贴").content
    conv.spool.max_entries = 1
    full = family.send_text("家里房子漏雨了")
    assert full.status == 503  # not taken: WeChat retries, the person is not told "received"
    outage.up()

    # A new process (a restarted worker) drains what the old one left, on its first message.
    rt = Runtime(make_settings(outage.url, data_dir=str(tmp_path / "data")))
    fresh = Server(rt)
    try:
        other = fresh.user("o_member")
        assert "绑定成功" in other.send_text(f"绑定 {roster.member_code}").content
        assert wait_until_empty(conv.spool, timeout=90)
        assert _count(rt, Need) == 1
    finally:
        fresh.app.extensions["lianxin.conversation"].drainer.stop()
        fresh.close()
        rt.dispose()


def test_cli_drains_the_spool(spooling_server, outage, roster, tmp_path):
    server = spooling_server
    conv = server.app.extensions["lianxin.conversation"]
    family = server.user("o_family")
    assert "绑定成功" in family.send_text(f"绑定 {roster.household_codes['张三']}").content
    conv.drainer.stop()  # no web process left to drain it
    outage.down()
    assert SPOOLED in family.send_text("想申请护理补贴").content
    outage.up()
    env = {**os.environ, "LIANXIN_DATABASE_URL": outage.url,
           "LIANXIN_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "spool", "drain"], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "已处理 1 条，剩余 0 条" in done.stdout
    assert conv.spool.entries() == [] and _count(server.runtime, Need) == 1
    status = subprocess.run([sys.executable, "-m", "bot.cli", "spool", "status"], env=env,
                            capture_output=True, text=True, check=False)
    assert "待处理 0 条" in status.stdout
