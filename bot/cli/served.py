"""Which address the local server really serves, for links in replies and for `lianxin chat`.

`lianxin serve|up --port P` serves on P: unless `LIANXIN_BASE_URL` says otherwise, the links it
puts in replies and pushes are on P, and it leaves the address in `<data dir>/served_url` so a
plain `lianxin chat` (started from the same directory) talks to it.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

ENV = "LIANXIN_BASE_URL"
PORT_TAKEN = "端口 {port} 已被占用（{host}），连心没有启动。请先停掉占用它的程序，或换一个端口，例如 --port {other}。"


def _file() -> Path:
    return Path(os.environ.get("LIANXIN_DATA_DIR", "var")) / "served_url"


def local_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://{shown}:{port}"


def explicit_base_url() -> str | None:
    """LIANXIN_BASE_URL as the user set it (environment or .env), or None."""
    from dotenv import dotenv_values

    return os.environ.get(ENV) or dotenv_values(Path.cwd() / ".env").get(ENV) or None


def refuse_taken_port(host: str, port: int) -> None:
    """One clear line and exit 1 when something already listens on host:port."""
    try:
        probe = socket.create_server((host, port))
    except OSError:
        click.echo(PORT_TAKEN.format(host=host, port=port, other=port + 1), err=True)
        sys.exit(1)
    probe.close()


def follow(host: str, port: int) -> str:
    """The base URL links should use; set for this process (and its children) unless explicit."""
    explicit = explicit_base_url()
    if explicit:
        return explicit
    url = local_url(host, port)
    os.environ[ENV] = url
    return url


def record(url: str) -> None:
    path = _file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(url + "\n", encoding="utf-8")
    except OSError:
        pass  # only a convenience for `lianxin chat`


def forget(url: str) -> None:
    path = _file()
    try:
        if path.read_text(encoding="utf-8").strip() == url:
            path.unlink()
    except OSError:
        pass


def served_url() -> str | None:
    """The address a local `lianxin serve|up` left, if any."""
    try:
        return _file().read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
