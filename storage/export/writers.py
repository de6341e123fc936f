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
        writer.writerow([plain(c.render(row[c.key])) for c in columns])
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
        sheet.append([_xlsx_cell(sheet, c.render(row[c.key])) for c in columns])
        count += 1
    workbook.save(target)
    return count


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Dates as date cells and numbers as numbers; everything else text, so certificate and
    phone numbers (strings in the rows) are never turned into numbers by Excel."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return plain(value)


def write_jsonl(rows: Iterable[dict], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps(row, ensure_ascii=False, default=plain))
        stream.write("\n")
        count += 1
    return count
