"""Roster import: persons and officials from the 登记表's CSV/XLSX files.

    report = import_persons(session, "persons.xlsx", today)      # or a Table
    report = import_officials(session, "officials.csv", today, skip_invalid=True)

Both run inside the caller's transaction and never commit; see ImportReport for the outcome.
"""

from storage.roster.officials import import_officials
from storage.roster.persons import import_persons
from storage.roster.reading import RosterFileError, Table, read_table
from storage.roster.report import ImportReport, RowError, default_rejects_path

__all__ = [
    "ImportReport",
    "RosterFileError",
    "RowError",
    "Table",
    "default_rejects_path",
    "import_officials",
    "import_persons",
    "read_table",
]
