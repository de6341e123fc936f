"""Persons import: formats, errors with row and column, all-or-nothing, idempotence, history."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import func, select

from storage.models import (
    JURISDICTION,
    PAIRING,
    Assignment,
    AuditLog,
    Guardian,
    Official,
    Person,
    PersonGuardian,
    Region,
)
from storage.roster import Table, import_persons
from tests.roster.conftest import TODAY, write_csv, write_xlsx


def run(runtime, source, today=TODAY, **kw):
    with runtime.sessions.begin() as s:
        return import_persons(s, source, today, **kw)


def counts(runtime):
    with runtime.sessions() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m))
                for m in (Person, Assignment, Guardian, PersonGuardian, Region, AuditLog)}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_imports_the_examples(loaded, tmp_path, persons_rows, encoding):
    path = write_csv(tmp_path / "p.csv", persons_rows, encoding)
    report = run(loaded, path)
    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (8, 0, 0)
    with loaded.sessions() as s:
        zhang = s.scalars(select(Person).where(Person.name == "张三")).one()
        assert zhang.certificate_no == "43062619600211001341"
        assert (zhang.disability_category, zhang.disability_level) == ("肢体", 1)
        assert zhang.birth_date == dt.date(1960, 2, 11)
        assert zhang.dibao and zhang.living_alone and zhang.special_hardship
        assert zhang.village.name == "五里村" and zhang.village.parent.name == "安定镇"
        wu = s.scalars(select(Person).where(Person.name == "吴秀兰")).one()
        assert wu.certificate_no is None and wu.disability_level is None


def test_xlsx_with_title_row_and_excel_cells(loaded, tmp_path, persons_rows):
    rows = [dict(r) for r in persons_rows]
    rows[0]["出生日期"] = dt.datetime(1960, 2, 11)
    rows[0]["联系电话"] = 15812340000
    path = write_xlsx(tmp_path / "p.xlsx", rows, title_row="困难重度残疾人结对帮扶情况登记表")
    report = run(loaded, path)
    assert report.errors == []
    assert report.created == 8
    with loaded.sessions() as s:
        assert s.scalar(select(Person.phone).where(Person.name == "张三")) == "15812340000"


def test_links_guardians_and_assignments(loaded, tmp_path, persons_rows):
    run(loaded, write_csv(tmp_path / "p.csv", persons_rows))
    with loaded.sessions() as s:
        zhang = s.scalars(select(Person).where(Person.name == "张三")).one()
        kinds = {
            (a.kind, a.official.phone, a.start_date)
            for a in s.scalars(select(Assignment).where(Assignment.person_id == zhang.id))
        }
        assert kinds == {(JURISDICTION, "13812340001", TODAY), (PAIRING, "13912340003", TODAY)}
        guardian = s.scalars(
            select(Guardian).join(PersonGuardian).where(PersonGuardian.person_id == zhang.id)
        ).one()
        assert (guardian.name, guardian.phone) == ("张小红", "13612340011")


def test_blank_member_phone_goes_to_the_villages_only_member(loaded, tmp_path, persons_rows):
    rows = [dict(r) for r in persons_rows]
    rows[1]["专职委员手机"] = ""
    report = run(loaded, write_csv(tmp_path / "p.csv", rows))
    assert report.auto_jurisdiction == 1
    with loaded.sessions() as s:
        li = s.scalar(select(Person.id).where(Person.name == "李四"))
        phone = s.scalar(select(Official.phone).join(Assignment).where(Assignment.person_id == li))
        assert phone == "13812340001"


def test_reimport_changes_nothing(loaded, tmp_path, persons_rows):
    path = write_csv(tmp_path / "p.csv", persons_rows)
    run(loaded, path)
    before = counts(loaded)
    report = run(loaded, path, today=TODAY + dt.timedelta(days=3))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 8)
    assert counts(loaded) == before  # no new assignments, no audit row


def test_updated_file_updates_in_place_and_keeps_pairing_history(loaded, tmp_path, persons_rows):
    run(loaded, write_csv(tmp_path / "p.csv", persons_rows))
    later = TODAY + dt.timedelta(days=30)
    rows = [dict(r) for r in persons_rows]
    rows[0]["家庭地址"] = "平江县安定镇五里村8组"
    rows[0]["帮扶人手机"] = "13912340004"  # a new cadre
    rows[0]["残疾等级"] = "二级"
    rows[0]["残疾人证号"] = "43062619600211001342"  # re-assessed: the level digit changes
    rows[7]["残疾人证号"] = ""  # 吴秀兰 still 尚未持证, matched by name + phone + village
    rows[7]["独居"] = "否"
    report = run(loaded, write_csv(tmp_path / "p2.csv", rows), today=later)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 6)
    with loaded.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 8
        zhang = s.scalars(select(Person).where(Person.name == "张三")).one()
        assert zhang.address.endswith("8组") and zhang.disability_level == 2
        pairings = s.execute(
            select(Official.phone, Assignment.start_date, Assignment.end_date)
            .join(Assignment).where(Assignment.person_id == zhang.id, Assignment.kind == PAIRING)
            .order_by(Assignment.id)
        ).all()
        assert pairings == [("13912340003", TODAY, later), ("13912340004", later, None)]
        assert not s.scalar(select(Person.living_alone).where(Person.name == "吴秀兰"))


def test_uncertified_person_who_gets_a_certificate_keeps_the_record(loaded, tmp_path, persons_rows):
    run(loaded, write_csv(tmp_path / "p.csv", persons_rows))
    rows = [dict(r) for r in persons_rows]
    rows[7].update({"残疾人证号": "430626194609090021", "残疾等级": "三级"})
    report = run(loaded, write_csv(tmp_path / "p2.csv", rows))
    assert report.errors == [] and report.updated == 1 and report.completed_certificates == 1
    with loaded.sessions() as s:
        wu = s.scalars(select(Person).where(Person.name == "吴秀兰")).one()
        assert wu.certificate_no == "43062619460909002113"  # 18-char ID + 视力 (1) + 三级 (3)
        assert s.scalar(select(func.count()).select_from(Person)) == 8


def _error_cases():
    return [
        ("出生日期", "1960-13-45", "出生日期", "无法识别"),
        ("残疾等级", "五级", "残疾等级", "残疾等级"),
        ("残疾类别", "心脏", "残疾类别", "残疾类别"),
        ("残疾人证号", "43062619600211001441", "残疾人证号", "校验位"),
        ("残疾人证号", "4306261960021100", "残疾人证号", "20 位"),
        ("残疾人证号", "43062619551001005743", "残疾类别", "第 19 位"),
        ("残疾人证号", "43062619551001005724", "残疾等级", "第 20 位"),
        ("出生日期", "1955-10-02", "出生日期", "不一致"),
        ("联系电话", "1581234", "联系电话", "格式不对"),
        ("帮扶人手机", "13999999999", "帮扶人手机", "没有手机号为 13999999999"),
        ("姓名", "", "姓名", "必填"),
        ("村(社区)", "", "村(社区)", "必填"),
        ("低保", "也许", "低保", "是/否"),
    ]


@pytest.mark.parametrize(("column", "value", "named", "words"), _error_cases())
def test_each_error_names_row_and_column(loaded, tmp_path, persons_rows, column, value, named, words):
    rows = [dict(r) for r in persons_rows]
    rows[2][column] = value  # spreadsheet row 4 (header is row 1)
    before = counts(loaded)
    report = run(loaded, write_csv(tmp_path / "p.csv", rows))
    assert not report.written
    assert [(e.row, e.column) for e in report.errors] == [(4, named)]
    assert words in report.errors[0].message
    assert str(report.errors[0]).startswith(f"第 4 行 {named}：")
    assert counts(loaded) == before


def test_duplicate_certificate_within_the_file(loaded, tmp_path, persons_rows):
    rows = [dict(r) for r in persons_rows]
    rows.append(dict(rows[0], 姓名="张三丰"))
    report = run(loaded, write_csv(tmp_path / "p.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(10, "残疾人证号")]
    assert "第 2 行" in report.errors[0].message


def test_certificate_of_another_person_in_the_database(loaded, tmp_path, persons_rows):
    run(loaded, write_csv(tmp_path / "p.csv", persons_rows[:1]))
    rows = [dict(persons_rows[0], 姓名="张山")]
    report = run(loaded, write_csv(tmp_path / "p2.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "残疾人证号")]
    assert "姓名不符" in report.errors[0].message
    assert "张" not in report.errors[0].message  # not even the surname of the holder


def test_missing_column_is_reported_on_row_one(loaded, tmp_path, persons_rows):
    rows = [{k: v for k, v in r.items() if k != "村(社区)"} for r in persons_rows]
    report = run(loaded, write_csv(tmp_path / "p.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [(1, "村(社区)")]
    assert str(report.errors[0]) == "村(社区)：缺少必填列“村(社区)”"


def test_all_or_nothing_by_default(loaded, tmp_path, persons_rows):
    rows = [dict(r) for r in persons_rows]
    rows[5]["出生日期"] = "bad"
    before = counts(loaded)
    report = run(loaded, write_csv(tmp_path / "p.csv", rows))
    assert not report.written and report.rejected == 1
    assert counts(loaded) == before


def test_skip_invalid_imports_good_rows_and_writes_rejects(loaded, tmp_path, persons_rows):
    rows = [dict(r) for r in persons_rows]
    rows[5]["出生日期"] = "bad"
    rows[6]["残疾等级"] = "九级"
    report = run(loaded, write_csv(tmp_path / "p.csv", rows), skip_invalid=True)
    assert report.written and (report.created, report.rejected) == (6, 2)
    rejects = tmp_path / "rejects.csv"
    report.write_rejects(rejects)
    with open(rejects, encoding="utf-8-sig", newline="") as f:
        got = list(csv.DictReader(f))
    assert [r["姓名"] for r in got] == ["孙桂芝", "周建军"]
    assert "出生日期" in got[0]["错误原因"] and "残疾等级" in got[1]["错误原因"]
    with loaded.sessions() as s:
        audit = s.scalars(select(AuditLog).where(AuditLog.action == "roster.import_persons")).one()
        assert audit.detail["created"] == 6 and audit.detail["rejected"] == 2


def test_variant_headers_and_values(loaded):
    table = Table.from_dicts([{
        " 姓名 ": "刘德明", "性别": "男", "出生年月": "1958.3.7", "残疾类型": "肢体残疾",
        "等级": "Ⅱ", "身份证号": "430626195803070037", "住址": "安定镇五里村", "手机号": "158 1234 5678",
        "县（区）": "平江县", "乡镇": "安定镇", "社区": "五里村", "是否低保": "√", "独居": "Y",
        "特殊困难": "", "监护人姓名": "刘小明", "监护人手机": "13600001111",
    }])
    report = run(loaded, table)
    assert report.errors == [] and report.completed_certificates == 1
    with loaded.sessions() as s:
        liu = s.scalars(select(Person).where(Person.name == "刘德明")).one()
        assert liu.certificate_no == "43062619580307003742"
        assert liu.birth_date == dt.date(1958, 3, 7) and liu.phone == "15812345678"
        assert liu.dibao and liu.living_alone and liu.special_hardship  # derived from 独居


def test_progress_reports_every_row(loaded, tmp_path, persons_rows):
    seen = []
    run(loaded, write_csv(tmp_path / "p.csv", persons_rows), progress=seen.append)
    assert sum(seen) == 8
