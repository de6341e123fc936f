"""What an import did: counts, per-row errors, and the rejected rows (for the rejects file)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.export.writers import csv_cell
from storage.roster import texts


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number; the header is row 1
    column: str  # the header as written in the file
    message: str

    def __str__(self) -> str:
        if self.row <= 1:
            return texts.FILE_ERROR_LINE.format(column=self.column, message=self.message)
        return texts.ERROR_LINE.format(row=self.row, column=self.column, message=self.message)


@dataclass
class ImportReport:
    kind: str  # persons | officials
    headers: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # (row number, the row's cells) for every rejected row, in file order.
    rejected_rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    written: bool = False
    completed_certificates: int = 0
    auto_jurisdiction: int = 0

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return texts.SUMMARY.format(
            what=texts.WHAT[self.kind],
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            rejected=self.rejected,
        )

    def failure(self) -> str:
        """Why nothing was written, for the end of the error list."""
        if not self.rejected_rows:
            return texts.FILE_NOT_IMPORTED
        return texts.NOTHING_WRITTEN.format(count=self.rejected)

    def notices(self) -> list[str]:
        lines = []
        if self.completed_certificates:
            lines.append(texts.COMPLETED_CERTIFICATES.format(count=self.completed_certificates))
        if self.auto_jurisdiction:
            lines.append(texts.AUTO_JURISDICTION.format(count=self.auto_jurisdiction))
        return lines

    def reasons_by_row(self) -> dict[int, list[str]]:
        reasons: dict[int, list[str]] = {}
        for error in self.errors:
            reasons.setdefault(error.row, []).append(f"{error.column}：{error.message}")
        return reasons

    def write_rejects(self, path: str | Path) -> None:
        """The rejected rows as they were, plus a 错误原因 column; UTF-8 with BOM for Excel."""
        reasons = self.reasons_by_row()
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow([*self.headers, texts.REJECT_REASON_HEADER])
            width = len(self.headers)
            for number, cells in self.rejected_rows:
                padded = [("" if c is None else c) for c in cells[:width]]
                padded += [""] * (width - len(padded))
                writer.writerow([csv_cell(c) for c in [*padded, "；".join(reasons.get(number, []))]])


def default_rejects_path(source: str | Path) -> Path:
    path = Path(source)
    return path.with_name(f"{path.stem}.rejects.csv")
