"""Work done once per process before serving (and before gunicorn forks its workers)."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load the parser's dictionaries so the first message is fast and workers share them."""
    try:
        parser = importlib.import_module("handlers.parsing")
    except ModuleNotFoundError:
        return
    parser.load()
    log.info("parser dictionaries loaded")
