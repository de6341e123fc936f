"""One persons-file row checked on its own and turned into typed values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage.models import HARDSHIP_FLAGS
from storage.roster import id_numbers, texts, values
from storage.roster.headers import PERSON_HEADERS
from storage.roster.report import RowError

# Flags that make a household a special-hardship one when 特殊困难 is left blank.
HARDSHIP_SOURCES = ("multi_disabled", "elderly_carer", "living_alone", "poverty_monitoring", "tekun")
TEXT_SECTIONS = ("family_members", "policy_benefits", "hardship_description", "planned_measures",
                 "annual_progress")
_TYPED = (
    ("gender", "gender", values.gender),
    ("birth_date", "birth_date", values.date),
    ("disability_category", "category", values.category),
    ("disability_level", "level", values.level),
    ("phone", "phone", values.phone),
)


@dataclass(slots=True)
class PersonRow:
    row: int
    name: str
    county: str
    township: str
    village: str
    # Person columns this row sets (only those whose file column exists, plus derived ones).
    fields: dict[str, Any] = field(default_factory=dict)
    id18: str | None = None
    guardian_name: str | None = None
    guardian_phone: str | None = None
    member_phone: str | None = None
    pairing_phone: str | None = None
    pairing_start: dt.date | None = None
    completed_certificate: bool = False

    @property
    def uncertified_key(self) -> tuple[str, str]:
        return self.name, self.fields.get("phone") or ""


class _Cells:
    """Access to one row's cells by field, collecting errors with the file's header names."""

    def __init__(self, row: int, cells: list[Any], columns: dict[str, int], headers: list[str]):
        self.row, self.columns, self.headers = row, columns, headers
        width = len(cells)
        # Each cell is normalised once; typed cells (Excel dates, numbers) are kept as they are.
        self.raws = {f: cells[i] if i < width else None for f, i in columns.items()}
        self.texts = {f: values.text(v) for f, v in self.raws.items()}
        self.errors: list[RowError] = []

    def has(self, field_name: str) -> bool:
        return field_name in self.columns

    def text(self, field_name: str) -> str:
        return self.texts.get(field_name, "")

    def header(self, field_name: str) -> str:
        index = self.columns.get(field_name)
        return self.headers[index] if index is not None else PERSON_HEADERS[field_name][0]

    def error(self, field_name: str, message: str) -> None:
        self.errors.append(RowError(self.row, self.header(field_name), message))

    def parse(self, field_name: str, parser: Callable[[Any], Any]) -> Any:
        """The parsed value, None when blank, or None after recording the parser's complaint."""
        text = self.texts.get(field_name)
        if not text:
            return None
        raw = self.raws[field_name]
        try:
            return parser(text if isinstance(raw, str) else raw)
        except ValueError as exc:
            self.error(field_name, str(exc))
            return None

    def required(self, field_name: str) -> str:
        value = self.text(field_name)
        if not value:
            self.error(field_name, texts.REQUIRED)
        return value


def parse_person_row(
    row: int, cells: list[Any], columns: dict[str, int], headers: list[str]
) -> tuple[PersonRow | None, list[RowError]]:
    c = _Cells(row, cells, columns, headers)
    person = PersonRow(
        row=row,
        name=c.required("name"),
        county=values.region_name(c.required("county")),
        township=values.region_name(c.required("township")),
        village=values.region_name(c.required("village")),
    )
    f = person.fields
    f["name"] = person.name
    # A column the file does not have leaves that field of an existing person alone.
    for attr, column, parser in _TYPED:
        if c.has(column):
            f[attr] = c.parse(column, parser)
    if c.has("address"):
        f["address"] = c.text("address") or None
    if c.has("certificate_no"):
        _certificate(c, person)

    for flag in HARDSHIP_FLAGS:
        if c.has(flag):
            f[flag] = bool(c.parse(flag, values.boolean))
    if c.text("special_hardship") == "" and any(c.has(s) for s in HARDSHIP_SOURCES):
        f["special_hardship"] = any(f.get(s, False) for s in HARDSHIP_SOURCES)
    for section in TEXT_SECTIONS:
        if c.has(section):
            f[section] = c.text(section) or None

    person.guardian_name = c.text("guardian_name") or None
    person.guardian_phone = c.parse("guardian_phone", values.phone)
    person.member_phone = c.parse("member_phone", values.phone)
    person.pairing_phone = c.parse("pairing_phone", values.phone)
    person.pairing_start = c.parse("pairing_start", values.date)
    if c.errors:
        return None, c.errors
    return person, []


def _certificate(c: _Cells, person: PersonRow) -> None:
    """Check the certificate number against GB 11643 and against the row's other columns."""
    raw = c.text("certificate_no").upper().replace(" ", "")
    f = person.fields
    f["certificate_no"] = None
    if not raw:  # 尚未持证
        return
    if len(raw) not in (18, 20) or not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        c.error("certificate_no", texts.BAD_ID_LENGTH.format(value=raw))
        return
    id18 = raw[:18]
    expected = id_numbers.check_char(id18[:17])
    if id18[17] != expected:
        c.error("certificate_no", texts.BAD_ID_CHECKSUM.format(expected=expected))
        return
    born = id_numbers.id_birth_date(id18)
    if born is None:
        c.error("certificate_no", texts.BAD_ID_DATE)
        return
    person.id18 = id18
    given_birth, given_gender = f.get("birth_date"), f.get("gender")
    if given_birth is not None and given_birth != born:
        c.error("birth_date", texts.ID_BIRTH_MISMATCH.format(date=born.isoformat()))
    if given_gender is not None and given_gender != id_numbers.id_gender(id18):
        c.error("gender", texts.ID_GENDER_MISMATCH.format(gender=id_numbers.id_gender(id18)))
    f["birth_date"], f["gender"] = born, id_numbers.id_gender(id18)

    category, level = f.get("disability_category"), f.get("disability_level")
    if len(raw) == 18:
        if category is None or level is None:
            c.error("certificate_no", texts.SHORT_ID_NEEDS_LEVEL)
            return
        f["certificate_no"] = id_numbers.make_certificate_no(id18, category, level)
        person.completed_certificate = True
        return
    coded_category = id_numbers.CATEGORY_BY_DIGIT.get(raw[18])
    if coded_category is None or raw[19] not in "1234":
        c.error("certificate_no", texts.BAD_ID_TAIL)
        return
    coded_level = int(raw[19])
    if category is not None and category != coded_category:
        c.error("category", texts.ID_CATEGORY_MISMATCH.format(coded=coded_category, given=category))
    if level is not None and level != coded_level:
        c.error("level", texts.ID_LEVEL_MISMATCH.format(coded=coded_level, given=level))
    f["disability_category"], f["disability_level"] = coded_category, coded_level
    f["certificate_no"] = raw
