"""Ledger exports (访视台账, 诉求台账, 登记表) as streamed rows and streaming writers.

    rows = iter_contact_rows(session, date_from, date_to, village_ids)
    write_xlsx(rows, CONTACT_COLUMNS, "台账.xlsx", title="访视台账")

Rows are dicts with stable English keys and codes (the JSON form); the column lists turn
them into Chinese headers and labels for CSV and XLSX.
"""

from storage.export.contacts import CONTACT_COLUMNS, iter_contact_rows
from storage.export.needs import NEED_COLUMNS, iter_need_rows
from storage.export.regions import RegionNames, UnknownRegion
from storage.export.register import REGISTER_COLUMNS, iter_register_rows
from storage.export.writers import Column, write_csv, write_jsonl, write_xlsx

__all__ = [
    "CONTACT_COLUMNS",
    "NEED_COLUMNS",
    "REGISTER_COLUMNS",
    "Column",
    "RegionNames",
    "UnknownRegion",
    "iter_contact_rows",
    "iter_need_rows",
    "iter_register_rows",
    "write_csv",
    "write_jsonl",
    "write_xlsx",
]
