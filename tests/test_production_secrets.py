"""A real deployment never starts on the public development secrets (issue #16, hole 4)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRODUCTION = {"LIANXIN_BASE_URL": "https://lianxin.example.gov.cn"}
STRONG = "k" * 40


def _run(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("LIANXIN_", "WECHAT_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env={**base, **env},
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["up", "--port", "0"], ["scheduler"]])
@pytest.mark.parametrize(("env", "variable"), [
    (PRODUCTION, "LIANXIN_SECRET_KEY"),
    ({**PRODUCTION, "LIANXIN_SECRET_KEY": "short-but-not-default"}, "LIANXIN_SECRET_KEY"),
    ({**PRODUCTION, "LIANXIN_SECRET_KEY": STRONG}, "WECHAT_TOKEN"),
    ({"WECHAT_APP_ID": "wx5f3c2a1b0d9e8f70", "LIANXIN_SECRET_KEY": STRONG}, "WECHAT_TOKEN"),
    ({**PRODUCTION, "LIANXIN_SECRET_KEY": STRONG, "WECHAT_TOKEN": "a-real-token"},
     "LIANXIN_DATA_KEY"),
])
def test_production_refuses_development_secrets(tmp_path, command, env, variable):
    done = _run({**env, "LIANXIN_DATA_DIR": str(tmp_path)}, *command)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and variable in lines[0], done.stderr


def test_gunicorn_s_app_factory_refuses_them_too(tmp_path):
    code = "from bot.app import create_app; create_app()"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIANXIN_", "WECHAT_"))}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**env, **PRODUCTION, "LIANXIN_DATA_DIR": str(tmp_path)}, timeout=60)
    assert done.returncode == 1 and "LIANXIN_SECRET_KEY" in done.stderr


def test_development_defaults_on_loopback_only_warn():
    from bot.settings import development_secrets, development_warning, load_settings

    dev = load_settings(env={})
    assert development_secrets(dev) == []
    assert "LIANXIN_SECRET_KEY" in (development_warning(dev) or "")
    ready = load_settings(env={**PRODUCTION, "LIANXIN_SECRET_KEY": STRONG,
                               "WECHAT_TOKEN": "a-real-token", "LIANXIN_DATA_KEY": "d" * 40})
    assert development_secrets(ready) == [] and development_warning(ready) is None
