"""Loading the table-driven parser cases (first line: today and roster; then text + expect)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

GOLDEN = Path(__file__).with_name("golden.jsonl")
LOCAL_EXAMPLES = Path(__file__).with_name("examples.jsonl")
REGRESSIONS = Path(__file__).with_name("regressions.jsonl")


def load_cases(path: Path) -> list[tuple[str, str, list[str], dt.date, dict]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    head, rows = lines[0], lines[1:]
    today = dt.date.fromisoformat(head["today"])
    return [
        (row["text"], row.get("role", "official"), row.get("roster", head["roster"]),
         dt.date.fromisoformat(row["today"]) if "today" in row else today, row["expect"])
        for row in rows
    ]


def compare(got: dict, expect: dict) -> dict:
    """The expected keys whose values differ, as {key: (expected, got)}."""
    return {k: (v, got.get(k)) for k, v in expect.items() if got.get(k) != v}
