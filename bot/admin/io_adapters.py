"""The dashboard's door to the roster importer and the ledger writers (storage.roster, storage.export).

The validation and the file formats belong to those modules; this one limits them to the
account's region and shapes their results for the page.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.admin import texts
from bot.admin.scope import Scope
from storage import export, roster
from storage.clock import LocalClock
from storage.roster import headers, values

EXPORTS = {"contacts": "访视台账", "register": "登记表", "needs": "诉求台账"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ImportOutcome:
    ok: bool
    written: bool
    message: str
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    notices: list[str] = field(default_factory=list)


def export_xlsx(
    session: Session, kind: str, village_ids: list[int], start: dt.date, end: dt.date,
    private: bool, clock: LocalClock,
) -> tuple[bytes, int]:
    """The ledger `kind` for these villages and dates (local days of `clock`) as XLSX bytes,
    and its row count."""
    rows: Any
    if kind == "contacts":
        rows, columns = export.iter_contact_rows(session, start, end, village_ids), export.CONTACT_COLUMNS
    elif kind == "needs":
        rows, columns = export.iter_need_rows(session, start, end, village_ids, clock=clock), export.NEED_COLUMNS
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
    try:
        table = roster.read_table(upload.read(), name=upload.filename)
    except roster.RosterFileError as exc:
        return ImportOutcome(False, False, str(exc))
    table, outside = _keep_in_scope(table, kind, scope)
    within = set(scope.village_ids)  # no one registered elsewhere may be changed from here
    if kind == "officials":
        report = roster.import_officials(session, table, today, skip_invalid=skip_bad or False,
                                         actor=actor, within=set(scope.nodes))
    else:
        report = roster.import_persons(session, table, today, skip_invalid=skip_bad or False,
                                       actor=actor, within=within)
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


def _keep_in_scope(table: roster.Table, kind: str, scope: Scope
                   ) -> tuple[roster.Table, list[tuple[int, str]]]:
    """The table without rows naming a county or township outside the scope, and their errors."""
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
