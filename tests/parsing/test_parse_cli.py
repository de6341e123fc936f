"""`lianxin parse` as a subprocess: batch mode keeps order and one JSON object per line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.parsing.cases import GOLDEN, compare, load_cases

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str | None = None) -> list[dict]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "parse", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, encoding="utf-8", check=True, timeout=120,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_input_file_gives_one_json_line_per_message_in_order(tmp_path):
    cases = [c for c in load_cases(GOLDEN) if c[1] == "official" and "\n" not in c[0]]
    roster, today = cases[0][2], cases[0][3]
    messages = [c[0] for c in cases]
    source = tmp_path / "messages.txt"
    source.write_text("\n".join(messages) + "\n", encoding="utf-8")
    out = _run("--today", today.isoformat(), "--roster", ",".join(roster), "--input", str(source))
    assert len(out) == len(messages)
    mismatches = [c[0] for c, got in zip(cases, out, strict=True) if compare(got, c[4])]
    assert mismatches == []


def test_single_text_household_and_multi_contact_shape():
    (need,) = _run("--today", "2026-03-11", "--role", "household", "我妈摔倒了快来人")
    assert need["intent"] == "need" and need["status"] == "urgent"
    (multi,) = _run("--today", "2026-03-11", "--roster", "张三,李四", "张三 电话 正常；李四 入户 要轮椅")
    assert multi["person"] == "张三" and multi["channel"] == "phone"
    assert [r["person"] for r in multi["records"]] == ["张三", "李四"]
    assert multi["records"][1]["needs"] == ["assistive_device"]
    (bind,) = _run("绑定 123456")
    assert bind == {**bind, "intent": "bind", "bind_code": "123456"}


def test_plans_future_dates_and_unknown_names_have_their_own_shape(tmp_path):
    messages = ["明天去看林娟", "下周打算去李四家走访", "12月10日 入户 林娟 正常", "张三 电话 正常",
                "今天入户看了林娟，正常；明天再去李四家"]
    source = tmp_path / "m.txt"
    source.write_text("\n".join(messages) + "\n", encoding="utf-8")
    plan, plan2, future, unknown, mixed = _run("--today", "2026-12-05", "--roster", "林娟,李四",
                                               "--input", str(source))
    assert (plan["intent"], plan["person"], plan["date"]) == ("plan", "林娟", None)
    assert (plan2["intent"], plan2["channel"]) == ("plan", "home_visit")
    assert future["date"] == "2026-12-10"  # returned as written: the bot asks, never records it
    assert (unknown["person"], unknown["name"]) == (None, "张三")
    assert [r["intent"] for r in mixed["records"]] == ["contact", "plan"]
