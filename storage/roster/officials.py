"""`import_officials`: officials keyed by mobile phone, updated in place on re-import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.cipher import find_hashed, lookup_hash
from storage.models import Official
from storage.roster import texts, values
from storage.roster.headers import OFFICIAL_HEADERS, OFFICIAL_REQUIRED, map_headers
from storage.roster.reading import Table, read_table
from storage.roster.regions import RegionIndex
from storage.roster.report import ImportReport, RowError

_FIELDS = ("name", "gender", "role", "unit", "position", "rank", "region_id", "active")


def import_officials(
    session: Session,
    source: Table | str | Path,
    today: dt.date,
    *,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: str = "cli",
    within: set[int] | None = None,
) -> ImportReport:
    """Import an officials roster inside the caller's transaction (see `import_persons`).

    `within` (the region ids of the importing account's region): an official registered
    elsewhere is not changed from here, and the refusal says nothing of them."""
    table = source if isinstance(source, Table) else read_table(source)
    report = ImportReport("officials", headers=table.headers)
    columns, missing = map_headers(table.headers, OFFICIAL_HEADERS, OFFICIAL_REQUIRED)
    if missing:
        report.errors = [RowError(1, h, texts.MISSING_COLUMN.format(header=h)) for h in missing]
        return report
    savepoint = session.begin_nested()
    regions = RegionIndex(session)
    existing = {
        row.phone_hash: row
        for row in session.execute(select(Official.id, Official.phone_hash, *_columns()))
    }
    seen: dict[str, int] = {}
    inserts, updates = [], []
    for number, cells in table.rows:
        if progress is not None:
            progress(1)
        parsed, errors = _parse(number, cells, columns, table.headers)
        if parsed is not None:
            first = seen.setdefault(parsed["phone"], number)
            if first != number:
                errors.append(RowError(number, table.headers[columns["phone"]],
                                       texts.DUPLICATE_PHONE_IN_FILE.format(row=first)))
        if errors:
            report.errors.extend(errors)
            report.rejected_rows.append((number, cells))
            continue
        region = parsed.pop("region")
        parsed["region_id"] = regions.ensure(*region)
        parsed["active"] = True
        old = find_hashed(existing, parsed["phone"])
        parsed["phone_hash"] = lookup_hash(parsed["phone"])
        if old is not None and within is not None and old.region_id not in within:
            report.errors.append(RowError(number, table.headers[columns["phone"]],
                                          texts.OFFICIAL_OUTSIDE_SCOPE))
            report.rejected_rows.append((number, cells))
            continue
        if old is None:
            inserts.append(parsed)
            report.created += 1
            continue
        diff = {k: v for k, v in parsed.items() if k != "phone" and getattr(old, k) != v}
        if diff:
            updates.append({"id": old.id, **diff})
            report.updated += 1
        else:
            report.unchanged += 1
    if report.errors and not skip_invalid:
        savepoint.rollback()
        report.created = report.updated = report.unchanged = 0
        return report
    if inserts:
        session.execute(insert(Official), inserts)
    if updates:
        session.execute(update(Official), updates)
    if report.created or report.updated or report.rejected:  # a no-op re-import leaves no trace
        audit(session, actor, "roster.import_officials", "official", None, file=table.name,
              created=report.created, updated=report.updated, unchanged=report.unchanged,
              rejected=report.rejected)
    savepoint.commit()
    report.written = True
    return report


def _columns() -> list[Any]:
    return [getattr(Official, f) for f in _FIELDS]


def _parse(number: int, cells: list[Any], columns: dict[str, int], headers: list[str]):
    errors: list[RowError] = []

    def cell(field: str) -> Any:
        index = columns.get(field)
        return cells[index] if index is not None and index < len(cells) else None

    def parse(field: str, parser: Callable[[Any], Any], required: bool = False) -> Any:
        raw = values.text(cell(field))
        if not raw:
            if required:
                errors.append(RowError(number, _header(field), texts.REQUIRED))
            return None
        try:
            return parser(cell(field))
        except ValueError as exc:
            errors.append(RowError(number, _header(field), str(exc)))
            return None

    def _header(field: str) -> str:
        index = columns.get(field)
        return headers[index] if index is not None else OFFICIAL_HEADERS[field][0]

    parsed = {
        "name": parse("name", values.text, required=True),
        "phone": parse("phone", values.phone, required=True),
        "role": parse("role", values.role, required=True),
        "unit": values.text(cell("unit")) or None,
        "position": values.text(cell("position")) or None,
        "rank": parse("rank", values.rank),
    }
    if "gender" in columns:  # a roster without the column leaves the genders known as they are
        parsed["gender"] = parse("gender", values.gender)
    county = values.region_name(cell("county"))
    township = values.region_name(cell("township"))
    village = values.region_name(cell("village"))
    if not county:
        errors.append(RowError(number, _header("county"), texts.REQUIRED))
    if village and not township:
        errors.append(RowError(number, _header("township"), texts.VILLAGE_NEEDS_TOWNSHIP))
    if parsed["role"] == "village_member" and not (township and village):
        errors.append(RowError(number, _header("village"), texts.MEMBER_NEEDS_VILLAGE))
    if errors:
        return None, errors
    parsed["region"] = (county, township, village)
    return parsed, errors
