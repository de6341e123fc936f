"""Read a roster file (CSV in any encoding Excel writes, or XLSX) as a header and numbered rows.

Rows are streamed: a 100,000-row file is never held in memory as a whole. Row numbers are the
spreadsheet's own (the header row is row 1 unless a title row sits above it).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.roster import texts

# Rows above the header that a 登记表 export may carry (a title, a date line).
_HEADER_SEARCH_ROWS = 10
_HEADER_MARKER = "姓名"


class RosterFileError(Exception):
    """The file as a whole cannot be read (wrong type, undecodable, no header)."""


@dataclass
class Table:
    headers: list[str]
    rows: Iterable[tuple[int, list[Any]]]  # (row number, cells), lazily produced
    total: int | None = None  # data rows, when cheap to know (for the progress bar)
    name: str = ""

    @classmethod
    def from_dicts(cls, records: list[dict[str, Any]], name: str = "") -> Table:
        """Rows given as header -> value dicts (tests, the dashboard's forms); row 1 is the header."""
        headers = list(dict.fromkeys(h for r in records for h in r))
        rows = [(i, [r.get(h) for h in headers]) for i, r in enumerate(records, start=2)]
        return cls(headers=headers, rows=rows, total=len(rows), name=name)


def read_table(source: str | Path | bytes, name: str | None = None) -> Table:
    """Open a CSV or XLSX roster; `name` gives the file name when `source` is raw bytes."""
    label = name or (str(source) if not isinstance(source, bytes) else "")
    suffix = Path(label).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(source, label)
    if suffix in (".csv", ".txt", ""):
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return _read_csv(data, label)
    raise RosterFileError(texts.UNSUPPORTED_FORMAT.format(suffix=suffix))


def detect_encoding(data: bytes) -> str:
    """utf-8-sig for UTF-8 with or without a BOM; GB18030 (a superset of GBK) otherwise."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # In slices so a large file is checked without a second full-size copy in memory.
        for start in range(0, len(data), 1 << 20):
            decoder.decode(data[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _read_csv(data: bytes, label: str) -> Table:
    encoding = detect_encoding(data)
    text_stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    sample = text_stream.read(4096)
    text_stream.seek(0)
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(text_stream, delimiter=delimiter)
    header_row, headers = _find_header(enumerate(reader, start=1))
    total = max(data.count(b"\n") - header_row + (0 if data.endswith(b"\n") else 1), 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        # csv.reader's line_num counts physical lines; a quoted cell may span several.
        for cells in reader:
            yield reader.line_num, list(cells)

    return Table(headers=headers, rows=_skip_blank(rows()), total=total, name=label)


def _read_xlsx(source: str | Path | bytes, label: str) -> Table:
    from openpyxl import load_workbook

    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else source
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or non-xlsx file
        raise RosterFileError(texts.UNREADABLE.format(reason=exc)) from exc
    sheet = workbook.worksheets[0]
    numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
    header_row, headers = _find_header(numbered)
    total = max((sheet.max_row or 0) - header_row, 0) or None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in numbered:
                yield number, list(cells)
        finally:
            workbook.close()

    return Table(headers=headers, rows=_skip_blank(rows()), total=total, name=label)


def _find_header(numbered: Iterator[tuple[int, Any]]) -> tuple[int, list[str]]:
    for number, cells in numbered:
        values = ["" if c is None else str(c) for c in cells]
        if any(_HEADER_MARKER in v.replace(" ", "").replace("\u3000", "") for v in values):
            while values and not values[-1].strip():
                values.pop()
            return number, values
        if number >= _HEADER_SEARCH_ROWS:
            break
    raise RosterFileError(texts.NO_HEADER)


def _skip_blank(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in rows:
        if any(c is not None and str(c).strip() for c in cells):
            yield number, cells
