"""`import_persons`: a persons roster into the database, in batches, all-or-nothing by default.

Each batch of rows costs a fixed handful of queries (match, compare, insert, update,
assignments, guardians), never one per row, so 100,000 rows import in well under a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table as SqlTable
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from storage.audit import audit
from storage.cipher import find_hashed, keyring, lookup_hashes
from storage.models import HARDSHIP_FLAGS, JURISDICTION, PAIRING, Official, Person, utcnow
from storage.models.lookup import hashes_for
from storage.roster import texts
from storage.roster.assignments import Wanted, apply_assignments
from storage.roster.guardians import WantedGuardian, apply_guardians
from storage.roster.headers import PERSON_HEADERS, PERSON_REQUIRED, map_headers
from storage.roster.person_row import PersonRow, parse_person_row
from storage.roster.reading import Table, read_table
from storage.roster.regions import RegionIndex
from storage.roster.report import ImportReport, RowError

BATCH = 2000
_COMPARED = ("name", "gender", "birth_date", "disability_category", "disability_level",
             "certificate_no", "address", "phone", "village_id", *HARDSHIP_FLAGS,
             "family_members", "policy_benefits", "hardship_description", "planned_measures",
             "annual_progress", "id_hash", "phone_hash")
_INSERT_DEFAULTS: dict[str, Any] = {name: None for name in _COMPARED} | {
    flag: False for flag in HARDSHIP_FLAGS
}


def import_persons(
    session: Session,
    source: Table | str | Path,
    today: dt.date,
    *,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: str = "cli",
    within: set[int] | None = None,
) -> ImportReport:
    """Import a persons roster inside the caller's transaction.

    With errors and not `skip_invalid`, nothing is written (a savepoint is rolled back) and
    `report.written` is False; the caller decides whether to commit its own transaction.
    `within` (the village ids of the importing account's region) keeps an import from changing
    anyone registered elsewhere: such a row is refused with a message that says nothing of them.
    """
    table = source if isinstance(source, Table) else read_table(source)
    report = ImportReport("persons", headers=table.headers)
    columns, missing = map_headers(table.headers, PERSON_HEADERS, PERSON_REQUIRED)
    if missing:
        report.errors = [RowError(1, h, texts.MISSING_COLUMN.format(header=h)) for h in missing]
        return report
    savepoint = session.begin_nested()
    writer = _Writer(session, today, report, within)
    seen_ids: dict[str, int] = {}
    seen_keys: dict[tuple[str, str, str, str, str], int] = {}
    batch: list[tuple[PersonRow, list[Any]]] = []
    for number, cells in table.rows:
        person, errors = parse_person_row(number, cells, columns, table.headers)
        if person is not None:
            errors = writer.check_links(person, columns, table.headers)
            errors += _check_duplicates(person, seen_ids, seen_keys, columns, table.headers)
        if errors:
            report.errors.extend(errors)
            report.rejected_rows.append((number, cells))
        else:
            batch.append((person, cells))  # type: ignore[arg-type]
        if len(batch) >= BATCH:
            writer.write(batch, columns, table.headers)
            _tick(progress, len(batch))
            batch = []
    writer.write(batch, columns, table.headers)
    _tick(progress, len(batch))
    if report.errors and not skip_invalid:
        savepoint.rollback()
        report.created = report.updated = report.unchanged = 0
        return report
    if report.created or report.updated or report.rejected:  # a no-op re-import leaves no trace
        audit(session, actor, "roster.import_persons", "person", None, file=table.name,
              created=report.created, updated=report.updated, unchanged=report.unchanged,
              rejected=report.rejected)
    savepoint.commit()
    report.written = True
    return report


def _tick(progress: Callable[[int], None] | None, count: int) -> None:
    if progress is not None and count:
        progress(count)


def _check_duplicates(person, seen_ids, seen_keys, columns, headers) -> list[RowError]:
    if person.id18:
        first = seen_ids.setdefault(person.id18, person.row)
        if first != person.row:
            header = headers[columns["certificate_no"]]
            return [RowError(person.row, header, texts.DUPLICATE_IN_FILE.format(row=first))]
        return []
    key = (*person.uncertified_key, person.county, person.township, person.village)
    first = seen_keys.setdefault(key, person.row)
    if first != person.row:
        return [RowError(person.row, headers[columns["name"]],
                         texts.DUPLICATE_KEY_IN_FILE.format(row=first))]
    return []


class _Writer:
    """Everything looked up once per import, and the per-batch writes."""

    def __init__(self, session: Session, today: dt.date, report: ImportReport,
                 within: set[int] | None = None) -> None:
        self.session, self.today, self.report, self.within = session, today, report, within
        # Where everyone is registered, for an import limited to one account's region.
        self.village_of: dict[int, int] = {
            person_id: village_id for person_id, village_id
            in session.execute(select(Person.id, Person.village_id))} if within is not None else {}
        self.regions = RegionIndex(session)
        self.officials: dict[str, int] = {}
        self._official_of: dict[str, int | None] = {}
        self.members_by_village: dict[int, list[int]] = {}
        # Keyed by lookup hashes (storage.cipher): nothing is decrypted to match rows.
        for official_id, phone_hash, role, region_id, active in session.execute(
            select(Official.id, Official.phone_hash, Official.role, Official.region_id,
                   Official.active)
        ):
            if phone_hash:
                self.officials[phone_hash] = official_id
            if role == "village_member" and active and region_id is not None:
                self.members_by_village.setdefault(region_id, []).append(official_id)
        self.by_id18: dict[str, tuple[int, str]] = {}
        self.uncertified: dict[tuple[str, str, int], int] = {}
        rows = session.execute(
            select(Person.id, Person.id_hash, Person.name, Person.phone_hash, Person.village_id)
            .execution_options(yield_per=5000)
        )
        for person_id, id_hash, name, phone_hash, village_id in rows:
            if id_hash:
                self.by_id18[id_hash] = (person_id, name)
            else:
                self.uncertified[(name, phone_hash or "", village_id)] = person_id

    def _official(self, phone: str) -> int | None:
        if phone not in self._official_of:  # a few phones, named on many rows
            self._official_of[phone] = find_hashed(self.officials, phone)
        return self._official_of[phone]

    def _known_official(self, phone: str) -> int:
        official_id = self._official(phone)
        assert official_id is not None, "check_links rejects rows naming unknown officials"
        return official_id

    def _uncertified_keys(self, person: PersonRow) -> list[tuple[str, str, int]]:
        name, phone = person.uncertified_key
        village_id = person.fields["village_id"]
        return [(name, h, village_id) for h in (lookup_hashes(phone) if phone else [""])]

    def check_links(self, person: PersonRow, columns, headers) -> list[RowError]:
        errors = []
        for field in ("member_phone", "pairing_phone"):
            phone = getattr(person, field)
            if phone and self._official(phone) is None:
                errors.append(RowError(person.row, headers[columns[field]],
                                       texts.UNKNOWN_OFFICIAL.format(phone=phone)))
        return errors

    def write(self, batch: list[tuple[PersonRow, list[Any]]], columns, headers) -> None:
        if not batch:
            return
        matched: dict[int, int] = {}  # row -> person id
        accepted: list[PersonRow] = []
        for person, cells in batch:
            person.fields["village_id"] = self.regions.ensure(
                person.county, person.township, person.village
            )
            person.fields.update(hashes_for(Person, person.fields))
            person_id, error = self._match(person, columns, headers)
            if error is not None:
                self.report.errors.append(error)
                self.report.rejected_rows.append((person.row, cells))
                continue
            accepted.append(person)
            if person_id is not None:
                matched[person.row] = person_id
        changed = self._update(accepted, matched)
        created = self._insert([p for p in accepted if p.row not in matched], matched)
        changed |= self._links(accepted, matched)
        for person in accepted:
            person_id = matched[person.row]
            if person_id in created:
                self.report.created += 1
            elif person_id in changed:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
            self.report.completed_certificates += person.completed_certificate

    def _match(self, person: PersonRow, columns, headers) -> tuple[int | None, RowError | None]:
        if person.id18:
            found = self.by_id18.get(person.fields["id_hash"])
            if found is None and keyring().rotating:  # may still be under the previous key
                found = find_hashed(self.by_id18, person.id18)
            if found is not None:
                person_id, name = found
                if self.within is not None and self.village_of.get(person_id) not in self.within:
                    # Before anything else, and saying nothing of them (not even the name).
                    header = headers[columns["certificate_no"]]
                    return None, RowError(person.row, header, texts.OUTSIDE_SCOPE)
                if name != person.name:
                    header = headers[columns["certificate_no"]]
                    return None, RowError(person.row, header, texts.DUPLICATE_IN_DB)
                return person_id, None
            # A 尚未持证 person who has now been certified keeps their record.
            if not self.uncertified:
                return None, None
            certifying = next((hit for k in self._uncertified_keys(person)
                               if (hit := self.uncertified.pop(k, None)) is not None), None)
            if certifying is not None:
                self.by_id18[person.fields["id_hash"]] = (certifying, person.name)
            return certifying, None
        return next((hit for k in self._uncertified_keys(person)
                     if (hit := self.uncertified.get(k)) is not None), None), None

    def _update(self, accepted: list[PersonRow], matched: dict[int, int]) -> set[int]:
        if not matched:
            return set()
        current = {
            row.id: row
            for row in self.session.execute(
                select(Person.id, *(getattr(Person, c) for c in _COMPARED)).where(
                    Person.id.in_(list(matched.values()))
                )
            )
        }
        changes = []
        now = utcnow()
        for person in accepted:
            person_id = matched.get(person.row)
            if person_id is None:
                continue
            old = current[person_id]
            diff = {k: v for k, v in person.fields.items() if getattr(old, k) != v}
            if diff:
                changes.append({"id": person_id, "updated_at": now, **diff})
        if changes:
            self.session.execute(update(Person), changes)
        return {c["id"] for c in changes}

    def _insert(self, new: list[PersonRow], matched: dict[int, int]) -> set[int]:
        if not new:
            return set()
        rows = [_INSERT_DEFAULTS | p.fields for p in new]
        table = Person.__table__
        # RETURNING order is not guaranteed for a multi-row INSERT (asking for it makes SQLite
        # insert row by row), so new ids are matched back by each row's key instead.
        returned = self.session.execute(
            insert(cast(SqlTable, table)).returning(table.c.id, table.c.id_hash, table.c.name,
                                                    table.c.phone_hash, table.c.village_id),
            rows,
        )
        by_key: dict[object, int] = {}
        for person_id, id_hash, name, phone_hash, village_id in returned:
            if id_hash:
                self.by_id18[id_hash] = (person_id, name)
                by_key[id_hash] = person_id
            else:
                key = (name, phone_hash or "", village_id)
                self.uncertified[key] = person_id
                by_key[key] = person_id
        ids = []
        for person in new:
            person_id = by_key[
                person.fields.get("id_hash")
                or (person.name, person.fields.get("phone_hash") or "", person.fields["village_id"])
            ]
            matched[person.row] = person_id
            ids.append(person_id)
        return set(ids)

    def _links(self, accepted: list[PersonRow], matched: dict[int, int]) -> set[int]:
        wanted: list[Wanted] = []
        guardians: list[WantedGuardian] = []
        for person in accepted:
            person_id = matched[person.row]
            if person.member_phone:
                wanted.append(Wanted(person_id, JURISDICTION, self._known_official(person.member_phone),
                                     self.today))
            else:
                members = self.members_by_village.get(person.fields["village_id"], [])
                if len(members) == 1:
                    wanted.append(Wanted(person_id, JURISDICTION, members[0], self.today,
                                         only_if_none=True))
            if person.pairing_phone:
                wanted.append(Wanted(person_id, PAIRING, self._known_official(person.pairing_phone),
                                     person.pairing_start or self.today))
            if person.guardian_name:
                guardians.append(WantedGuardian(person_id, person.guardian_name,
                                                person.guardian_phone))
        changed = apply_assignments(self.session, wanted, self.today)
        auto = {w.person_id for w in wanted if w.only_if_none}
        self.report.auto_jurisdiction += len(changed & auto)
        return changed | apply_guardians(self.session, guardians)
