"""`lianxin up --port P`: the chat simulator and the links in replies follow P; a taken port is one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANXIN_", "WECHAT_"))}
    env["LIANXIN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'lianxin.db'}"
    env["LIANXIN_DATA_DIR"] = str(tmp_path / "var")
    return env


def lianxin(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", check=False)


@pytest.fixture
def running(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    assert lianxin(env, tmp_path, "db", "upgrade").returncode == 0
    assert lianxin(env, tmp_path, "demo-data", "--bind-chat").returncode == 0
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "up", "--port", str(port)], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8")
    try:
        for _ in range(600):  # until the web server answers (or the process has ended)
            if proc.poll() is not None:
                break
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert proc.poll() is None
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(30)


def test_up_on_another_port_tells_the_chat_command_and_links_follow(env, tmp_path, running):
    port, proc = running
    chat = lianxin(env, tmp_path, "chat", "--send", "逾期")  # no --url: finds the served port
    assert chat.returncode == 0, chat.stderr
    assert f"http://127.0.0.1:{port}/m/due/" in chat.stdout, chat.stdout

    taken = lianxin(env, tmp_path, "up", "--port", str(port))
    assert taken.returncode == 1
    assert "已启动" not in taken.stdout and taken.stdout == ""
    assert taken.stderr.strip().count("\n") == 0 and f"端口 {port} 已被占用" in taken.stderr
    assert "Traceback" not in taken.stderr
    taken = lianxin(env, tmp_path, "serve", "--port", str(port))
    assert taken.returncode == 1 and f"端口 {port} 已被占用" in taken.stderr and "Traceback" not in taken.stderr

    proc.terminate()
    out, _ = proc.communicate(timeout=30)
    assert f"lianxin chat --url http://127.0.0.1:{port}/wechat" in out, out
