"""The dashboard's door to the roster importer and the ledger writers (storage.roster, storage.export).

The validation and the file formats belong to those modules; this one only calls them for the
account's region and shapes their results for the page.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.admin import texts

EXPORTS = {"contacts": "访视台账", "register": "登记表", "needs": "诉求台账"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ImportOutcome:
    ok: bool
    written: bool
    message: str
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    count: int = 0


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def export_available() -> bool:
    return _module("storage.export") is not None


def import_available() -> bool:
    return _module("storage.roster") is not None


def export_xlsx(
    session: Session, kind: str, village_ids: list[int], start: dt.date, end: dt.date, private: bool
) -> bytes | None:
    if _module("storage.export") is None:
        return None
    raise NotImplementedError("wire storage.export here once it lands")


def import_roster(
    session: Session, scope: Any, kind: str, upload: Any, *, skip_bad: bool, actor: str
) -> ImportOutcome:
    if upload is None or not upload.filename:
        return ImportOutcome(False, False, texts.IMPORT_NO_FILE)
    if not upload.filename.lower().endswith((".csv", ".xlsx")):
        return ImportOutcome(False, False, texts.IMPORT_BAD_TYPE)
    if _module("storage.roster") is None:
        return ImportOutcome(False, False, "花名册导入模块尚未启用。")
    raise NotImplementedError("wire storage.roster here once it lands")
