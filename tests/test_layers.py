"""House rules that must stay true: the import direction, and a handler for every intent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from handlers import dispatch
from handlers.parsing import INTENTS


def test_import_direction_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([str(lint)], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_intent_has_a_handler_for_officials_and_households():
    assert set(INTENTS) <= set(dispatch.OFFICIAL)
    assert set(INTENTS) <= set(dispatch.HOUSEHOLD)
