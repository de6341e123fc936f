"""The parser's answer: a frozen value with the JSON shape of the contract in docs/parser.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

INTENTS = ("contact", "plan", "need", "query", "undo", "help", "bind", "resolve", "unknown")
QUERIES = ("overdue", "due", "stats", "person", "progress")


@dataclass(frozen=True)
class ParseResult:
    intent: str
    person: str | None = None
    candidates: tuple[str, ...] = ()
    channel: str | None = None
    status: str = "normal"
    needs: tuple[str, ...] = ()
    date: dt.date | None = None
    query: str | None = None
    period: str | None = None
    bind_code: str | None = None
    records: tuple[ParseResult, ...] = ()
    name: str | None = None  # the name as written, when it is not a roster name to accept as is
    text: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        """Contract keys always; query/period, bind_code, name and records only where they apply."""
        out: dict[str, Any] = {
            "intent": self.intent,
            "person": self.person,
            "candidates": list(self.candidates),
            "channel": self.channel,
            "status": self.status,
            "needs": list(self.needs),
            "date": self.date.isoformat() if self.date else None,
        }
        if self.intent == "query":
            out["query"] = self.query
            out["period"] = self.period
        if self.intent == "bind":
            out["bind_code"] = self.bind_code
        if self.name is not None:
            out["name"] = self.name
        if self.records:
            out["records"] = [r.to_json() for r in self.records]
        return out
