"""Exports: every format opens, rows never repeat, filters, masking, and the round trip."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage.clock import LocalClock
from storage.demo import fill_demo_county
from storage.export import (
    CONTACT_COLUMNS,
    NEED_COLUMNS,
    REGISTER_COLUMNS,
    RegionNames,
    iter_contact_rows,
    iter_need_rows,
    iter_register_rows,
    write_csv,
    write_jsonl,
    write_xlsx,
)
from storage.models import ContactRecord, Need, Person
from storage.roster import import_officials, import_persons
from tests.roster.conftest import TODAY, example_rows
from tests.roster.conftest import write_csv as write_roster_csv


def sheet_rows(path) -> tuple[str, list[tuple]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return workbook.active.title, list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()


@pytest.fixture
def demo(runtime):
    with runtime.sessions.begin() as s:
        fill_demo_county(s, TODAY, seed=7)
    return runtime


def test_contacts_in_every_format(demo, tmp_path):
    with demo.read_sessions() as s:
        total = s.scalar(select(func.count()).where(ContactRecord.voided.is_(False)))
        rows = list(iter_contact_rows(s))
        assert len(rows) == total and len({r["id"] for r in rows}) == total
        order = [(r["date"], r["village"], r["person"], r["id"]) for r in rows]
        assert order == sorted(order)  # by date, then village, then person

        buffer = io.StringIO()
        write_jsonl(iter_contact_rows(s), buffer)
        lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
        assert len(lines) == total
        assert set(lines[0]) == {"id", "date", "county", "township", "village", "person",
                                 "person_id", "channel", "status", "needs", "official",
                                 "official_id", "note", "raw_text"}

        buffer = io.StringIO()
        write_csv(iter_contact_rows(s), CONTACT_COLUMNS, buffer)
        table = list(csv.reader(io.StringIO(buffer.getvalue())))
        assert table[0] == ["日期", "县(区)", "乡镇(街道)", "村(社区)", "姓名", "方式", "情况",
                            "诉求", "联系人", "备注", "原话"]
        assert len(table) == total + 1
        assert {row[5] for row in table[1:]} <= {"入户", "电话", "微信", "视频", "短信", "未说明"}

        path = tmp_path / "c.xlsx"
        write_xlsx(iter_contact_rows(s), CONTACT_COLUMNS, str(path), title="访视台账")
        title, got = sheet_rows(path)
        assert title == "访视台账" and len(got) == total + 1
        assert got[0][0] == "日期"


def test_contacts_filters_and_no_phone_numbers(demo):
    with demo.sessions.begin() as s:
        first = s.scalars(select(ContactRecord).order_by(ContactRecord.id)).first()
        first.note = "打他儿子电话13912345678才联系上"
        first.voided = True
    with demo.read_sessions() as s:
        villages = RegionNames(s).villages_under(["五里村"])
        rows = list(iter_contact_rows(s, date_from=TODAY.replace(month=10, day=1),
                                      date_to=TODAY, village_ids=villages))
        assert rows and {r["village"] for r in rows} == {"五里村"}
        assert all(str(TODAY.replace(month=10, day=1)) <= str(r["date"]) <= str(TODAY) for r in rows)
        assert first.id not in {r["id"] for r in iter_contact_rows(s)}
        voided = [r for r in iter_contact_rows(s, include_voided=True) if r["id"] == first.id]
        assert voided[0]["voided"] and "13912345678" not in voided[0]["note"]


def test_needs_ledger(demo, tmp_path):
    with demo.read_sessions() as s:
        total = s.scalar(select(func.count()).select_from(Need))
        path = tmp_path / "n.xlsx"
        assert write_xlsx(iter_need_rows(s, clock=LocalClock()), NEED_COLUMNS, str(path)) == total
        _, rows = sheet_rows(path)
        assert rows[0] == ("登记日期", "姓名", "村", "类别", "内容", "紧急程度", "状态", "负责人",
                           "办结日期", "办理结果")
        assert {r[6] for r in rows[1:]} <= {"待办理", "办理中", "已办结", "已转介"}
        assert all(r[8] for r in rows[1:] if r[6] == "已办结")


def test_register_round_trips_through_import(loaded, tmp_path):
    for encoding in ("utf-8", "gbk"):
        source = write_roster_csv(tmp_path / f"p-{encoding}.csv", example_rows("persons.csv"), encoding)
        with loaded.sessions.begin() as s:
            assert import_persons(s, source, TODAY).written
    with loaded.read_sessions() as s:
        buffer = io.StringIO()
        write_csv(iter_register_rows(s), REGISTER_COLUMNS, buffer)
    exported = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert list(exported[0])[:20] == [  # seed 003 附件2, field by field
        "纳入国家防返贫监测范围", "姓名", "性别", "出生日期", "残疾类别", "残疾等级", "残疾人证号码",
        "家庭地址", "联系电话", "家庭成员情况", "惠残政策享受情况", "家庭特殊困难情况", "帮扶人姓名",
        "帮扶人性别", "帮扶人联系方式", "帮扶人单位", "帮扶人职务", "帮扶人职级", "拟帮扶措施",
        "年度帮扶工作落实情况",
    ]
    original = {r["姓名"]: r for r in example_rows("persons.csv")}
    for row in exported:
        src = original[row["姓名"]]
        for header in ("性别", "出生日期", "残疾类别", "残疾等级", "家庭地址",
                       "联系电话", "县(区)", "乡镇(街道)", "村(社区)", "低保", "特困", "一户多残",
                       "以老养残", "独居", "特殊困难", "监护人", "监护人电话", "专职委员手机"):
            assert row[header] == src[header], (row["姓名"], header)
        assert row["残疾人证号码"] == src["残疾人证号"]
        assert row["纳入国家防返贫监测范围"] == src["防返贫监测"]
        assert row["帮扶人联系方式"] == src["帮扶人手机"]
    assert exported[0]["帮扶人姓名"] == "孙卫东" and exported[0]["帮扶人职级"] == "处级"
    assert exported[0]["帮扶人性别"] == ""  # the officials' roster had no 性别 column

    officials = [{**row, "性别": "男"} for row in example_rows("officials.csv")]
    with loaded.sessions.begin() as s:
        assert import_officials(s, write_roster_csv(tmp_path / "o.csv", officials), TODAY).updated
    with loaded.read_sessions() as s:
        assert next(iter_register_rows(s))["pairing_gender"] == "男"

    # The exported register is itself an importable roster, and changes nothing.
    path = tmp_path / "register.xlsx"
    with loaded.read_sessions() as s:
        write_xlsx(iter_register_rows(s), REGISTER_COLUMNS, str(path))
    with loaded.sessions.begin() as s:
        report = import_persons(s, path, TODAY)
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 8, [])


def test_register_mask(loaded, tmp_path):
    source = write_roster_csv(tmp_path / "p.csv", example_rows("persons.csv"))
    with loaded.sessions.begin() as s:
        import_persons(s, source, TODAY)
    with loaded.read_sessions() as s:
        rows = list(iter_register_rows(s, mask=True))
        assert rows[0]["certificate_no"] == "430626**********1341"
        assert rows[0]["phone"] == "158****0000" and rows[0]["pairing_phone"] == "139****0003"
        assert s.scalar(select(func.count()).select_from(Person)) == len(rows)
