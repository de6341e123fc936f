"""Write ledger rows (dicts with English keys and codes) as CSV, XLSX or JSON Lines, streaming.

CSV and XLSX carry Chinese headers and labels for people; JSON Lines keeps the stable English
keys and codes for programs — one object per line, so a consumer can stream it too.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from storage.export import texts


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    render: Callable[[Any], Any] = lambda v: v


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# A cell whose text starts with one of these is a formula (or DDE call) to Excel, WPS and
# LibreOffice; a household's words or an imported address must never run as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ERROR_CODES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: numbers as they are, text that a spreadsheet would evaluate
    behind a leading single quote (Excel and WPS then show it as text)."""
    if is_number(value):
        return value
    text = plain(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only XLSX row: dates as date cells, numbers as numbers, everything
    else text, never a formula or an error value (openpyxl would store text starting with '='
    as a formula and '#N/A' as an error). Only such text pays for a cell object of its own."""
    if is_number(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = plain(value)
    if not text.startswith(FORMULA_STARTS) and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def yes_no(value: Any) -> str:
    return texts.YES if value else texts.NO


def labelled(labels: dict[Any, str], blank: str = "") -> Callable[[Any], str]:
    return lambda value: blank if value is None else labels.get(value, str(value))


def labelled_list(labels: dict[str, str]) -> Callable[[Any], str]:
    return lambda codes: texts.LIST_SEPARATOR.join(labels.get(c, c) for c in codes or [])


def write_csv(rows: Iterable[dict], columns: list[Column], stream: IO[str]) -> int:
    """Write a header and the rows; returns the row count. Open files with encoding utf-8-sig
    so Excel on Chinese Windows reads them."""
    writer = csv.writer(stream)
    writer.writerow([c.header for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(c.render(row[c.key])) for c in columns])
        count += 1
    return count


def write_xlsx(rows: Iterable[dict], columns: list[Column], target: str | IO[bytes],
               title: str = "Sheet1") -> int:
    """A write-only workbook: rows go to a temporary file as they come, memory stays flat."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([c.header for c in columns])
    count = 0
    for row in rows:
        # String cells, so certificate and phone numbers are never turned into numbers by Excel
        # and no text ever becomes a formula.
        sheet.append([xlsx_cell(sheet, c.render(row[c.key])) for c in columns])
        count += 1
    workbook.save(target)
    return count


def write_jsonl(rows: Iterable[dict], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False, default=plain))
        stream.write("\n")
        count += 1
    return count
