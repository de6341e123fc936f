"""Exports never carry a spreadsheet formula: a household's words or an imported address that
starts with = + - @, a tab or a carriage return is written as text Excel and WPS will not run.

XLSX: every such cell is a string cell (openpyxl data_type 's', never 'f'); CSV: the cell starts
with a single quote. Real numbers stay numbers.
"""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from storage import export
from storage.clock import LocalClock
from storage.export.writers import Column, write_csv, write_xlsx
from storage.models import ContactRecord, Need, Official, Person
from storage.roster.report import ImportReport, RowError

ATTACKS = [
    "=cmd|' /C calc'!A0 需要补贴",
    "+HYPERLINK(\"http://x\")",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _plant(runtime, ids) -> None:
    with runtime.sessions.begin() as s:
        zhang = s.get(Person, ids["zhang"])
        zhang.address = ATTACKS[0]
        zhang.hardship_description = ATTACKS[3]
        s.get(Person, ids["li"]).address = ATTACKS[1]
        s.get(Official, ids["zhao"]).name = ATTACKS[5]
        need = s.get(Need, ids["need_zhang"])
        need.text = ATTACKS[0]
        need.resolution = ATTACKS[2]
        s.get(Need, ids["need_liu"]).text = ATTACKS[4]
        for record in s.scalars(select(ContactRecord).where(ContactRecord.person_id == ids["zhang"])):
            record.note = ATTACKS[2]


def _cells(body: bytes) -> list:
    workbook = load_workbook(io.BytesIO(body))  # not read-only: data_type is the stored type
    return [cell for row in workbook.active.iter_rows() for cell in row]


def test_dashboard_downloads_have_no_formula_cells(runtime, ids, town, county):
    _plant(runtime, ids)
    seen = set()
    for client, kind in [(town, "contacts"), (town, "needs"), (town, "register"),
                         (county, "register"), (county, "needs")]:
        response = client.get(f"/admin/export/{kind}.xlsx?period=year")
        assert response.status_code == 200
        cells = _cells(response.data)
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        seen |= {c.value for c in cells if c.value in ATTACKS}
    # The words are kept as they were, as text: the export is still the ledger.
    assert {ATTACKS[0], ATTACKS[1], ATTACKS[2], ATTACKS[4]} <= seen


def test_every_ledger_as_csv_quotes_formula_text(runtime, ids):
    _plant(runtime, ids)
    with runtime.read_sessions() as s:
        ledgers = [
            (export.iter_contact_rows(s), export.CONTACT_COLUMNS),
            (export.iter_need_rows(s, clock=LocalClock()), export.NEED_COLUMNS),
            (export.iter_register_rows(s), export.REGISTER_COLUMNS),
        ]
        found = set()
        for rows, columns in ledgers:
            buffer = io.StringIO()
            write_csv(rows, columns, buffer)
            table = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
            for cell in (c for row in table for c in row):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
                if cell.startswith("'") and cell[1:] in ATTACKS:
                    found.add(cell[1:])
    assert {ATTACKS[0], ATTACKS[1], ATTACKS[2], ATTACKS[3], ATTACKS[4]} <= found


def test_numbers_stay_numbers_and_text_stays_text(tmp_path):
    columns = [Column("n", "数"), Column("t", "文")]
    rows = [{"n": -3, "t": "-3"}, {"n": 2.5, "t": "=A1"}, {"n": 7, "t": "普通"}, {"n": 0, "t": "#N/A"}]
    buffer = io.StringIO()
    write_csv(rows, columns, buffer)
    assert list(csv.reader(io.StringIO(buffer.getvalue())))[1:] == [
        ["-3", "'-3"], ["2.5", "'=A1"], ["7", "普通"], ["0", "#N/A"]]
    path = tmp_path / "n.xlsx"
    write_xlsx(rows, columns, str(path))
    workbook = load_workbook(path)
    got = [[(c.value, c.data_type) for c in row] for row in workbook.active.iter_rows(min_row=2)]
    assert got == [[(-3, "n"), ("-3", "s")], [(2.5, "n"), ("=A1", "s")], [(7, "n"), ("普通", "s")],
                   [(0, "n"), ("#N/A", "s")]]


def test_rejects_file_quotes_formula_text(tmp_path):
    report = ImportReport(kind="persons")
    report.headers = ["姓名", "家庭地址"]
    report.rejected_rows = [(2, ["张三", ATTACKS[0]])]
    report.errors = [RowError(2, "残疾人证号", "缺少")]
    path = tmp_path / "r.csv"
    report.write_rejects(path)
    with open(path, encoding="utf-8-sig", newline="") as stream:
        table = list(csv.reader(stream))
    assert table[1][:2] == ["张三", "'" + ATTACKS[0]]
