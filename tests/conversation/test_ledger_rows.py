"""Issue 15's conversation rows, through the real webhook; the ledger is read back by `lianxin export`."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conversation.conftest import Server


def export(cli_env: dict[str, str], kind: str, *args: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", kind, "--format", "json", *args],
        env=cli_env, capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_undo_voids_every_record_of_a_message_that_logged_several(server: Server, official, cli_env):
    logged = official.send_text("今天入户看了张三、李四和王五，都正常")
    assert "共记录 3 条" in logged.content, logged.content
    official.send_text("刘德明 电话 正常")  # an earlier message stays
    assert {r["person"] for r in export(cli_env, "contacts")} == {"张三", "李四", "王五", "刘德明"}

    undone = official.send_text("撤销")
    assert "刘德明" in undone.content and "张三" not in undone.content
    undone = official.send_text("撤销")
    assert "3 条" in undone.content, undone.content
    for name in ("张三", "李四", "王五"):
        assert name in undone.content
    assert export(cli_env, "contacts") == []
    voided = export(cli_env, "contacts", "--include-voided")
    assert sorted(r["person"] for r in voided if r["voided"]) == ["刘德明", "张三", "李四", "王五"]
