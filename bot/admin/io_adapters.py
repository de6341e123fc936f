"""The dashboard's door to the roster importer and the ledger writers (storage.roster, storage.export).

The validation and the file formats belong to those modules; this one limits them to the
account's region and shapes their results for the page.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.admin import texts
from bot.admin.scope import Scope

EXPORTS = {"contacts": "访视台账", "register": "登记表", "needs": "诉求台账"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ImportOutcome:
    ok: bool
    written: bool
    message: str
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    notices: list[str] = field(default_factory=list)


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def export_available() -> bool:
    return _module("storage.export") is not None


def import_available() -> bool:
    return _module("storage.roster") is not None


def export_xlsx(
    session: Session, kind: str, village_ids: list[int], start: dt.date, end: dt.date, private: bool
) -> tuple[bytes, int] | None:
    """The ledger `kind` for these villages and dates as XLSX bytes and its row count; None
    without the writers."""
    export = _module("storage.export")
    if export is None:
        return None
    if kind == "contacts":
        rows, columns = export.iter_contact_rows(session, start, end, village_ids), export.CONTACT_COLUMNS
    elif kind == "needs":
        rows, columns = export.iter_need_rows(session, start, end, village_ids), export.NEED_COLUMNS
    else:  # the 登记表 is the roster as it stands; the period does not apply
        rows = export.iter_register_rows(session, village_ids, mask=not private)
        columns = export.REGISTER_COLUMNS
    out = io.BytesIO()
    count = export.write_xlsx(rows, columns, out, title=EXPORTS[kind])
    return out.getvalue(), count


def import_roster(
    session: Session, scope: Scope, kind: str, upload: Any, today: dt.date, *, skip_bad: bool,
    actor: str,
) -> ImportOutcome:
    """Import an uploaded roster inside the caller's transaction; rows outside the account's
    region are errors like any other. `written` False means the caller must roll back."""
    if upload is None or not upload.filename:
        return ImportOutcome(False, False, texts.IMPORT_NO_FILE)
    if not upload.filename.lower().endswith((".csv", ".xlsx")):
        return ImportOutcome(False, False, texts.IMPORT_BAD_TYPE)
    roster = _module("storage.roster")
    if roster is None:
        return ImportOutcome(False, False, texts.IMPORT_UNAVAILABLE)
    try:
        table = roster.read_table(upload.read(), name=upload.filename)
    except roster.RosterFileError as exc:
        return ImportOutcome(False, False, str(exc))
    table, outside = _keep_in_scope(roster, table, kind, scope)
    importer = roster.import_officials if kind == "officials" else roster.import_persons
    report = importer(session, table, today, skip_invalid=skip_bad or False, actor=actor)
    errors = sorted([(e.row, str(e)) for e in report.errors] + outside)
    bad_rows = len({row for row, _ in errors})
    if errors and not skip_bad:
        return ImportOutcome(False, False, texts.IMPORT_NOTHING_WRITTEN.format(bad=bad_rows), errors)
    if not report.written:
        return ImportOutcome(False, False, texts.IMPORT_NOTHING_WRITTEN.format(bad=bad_rows), errors)
    message = report.summary()
    if errors:
        message += " " + texts.IMPORT_SKIPPED.format(bad=bad_rows)
    return ImportOutcome(True, True, message, errors, report.notices())


def _keep_in_scope(roster: Any, table: Any, kind: str, scope: Scope) -> tuple[Any, list]:
    """The table without rows naming a county or township outside the scope, and their errors."""
    headers = importlib.import_module("storage.roster.headers")
    values = importlib.import_module("storage.roster.values")
    spec = headers.OFFICIAL_HEADERS if kind == "officials" else headers.PERSON_HEADERS
    columns, _ = headers.map_headers(table.headers, spec, ())
    county = scope.root.name if scope.county_level else scope.parent_name
    township = None if scope.county_level else scope.root.name
    kept, outside = [], []

    def cell(cells: list, name: str) -> str:
        index = columns.get(name)
        value = cells[index] if index is not None and index < len(cells) else None
        return values.region_name(value) if value not in (None, "") else ""

    for number, cells in table.rows:
        place_county, place_township = cell(cells, "county"), cell(cells, "township")
        wrong = (place_county and place_county != county) or (
            township is not None and place_township != township
        )
        if wrong:
            where = "/".join(p for p in (place_county, place_township) if p) or "（空）"
            outside.append((number, texts.IMPORT_OUT_OF_SCOPE.format(row=number, where=where)))
        else:
            kept.append((number, cells))
    return roster.Table(headers=table.headers, rows=kept, total=len(kept), name=table.name), outside
