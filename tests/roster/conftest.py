"""Roster files on disk in the encodings and formats county offices actually send."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent / "data"  # the customer's sample roster files
TODAY = dt.date(2026, 11, 22)


def example_rows(name: str) -> list[dict[str, str]]:
    with open(EXAMPLES / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", headers=None) -> Path:
    headers = headers or list(rows[0])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[dict], headers=None, title_row: str | None = None) -> Path:
    from openpyxl import Workbook

    headers = headers or list(rows[0])
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append([title_row])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    workbook.save(path)
    return path


@pytest.fixture
def officials_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "officials.csv", example_rows("officials.csv"))


@pytest.fixture
def persons_rows() -> list[dict[str, str]]:
    return example_rows("persons.csv")


@pytest.fixture
def loaded(runtime, officials_csv):
    """A runtime whose database holds the example officials."""
    from storage.roster import import_officials

    with runtime.sessions.begin() as s:
        assert import_officials(s, officials_csv, TODAY).written
    return runtime
