"""Officials import: keyed by phone, updated in place, errors with row and column."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.cipher import lookup_hash
from storage.models import Official, Region
from storage.roster import import_officials
from tests.roster.conftest import TODAY, example_rows, write_csv, write_xlsx


def run(runtime, source, **kw):
    with runtime.sessions.begin() as s:
        return import_officials(s, source, TODAY, **kw)


def test_officials_csv_and_xlsx_import_and_reimport(runtime, tmp_path):
    rows = example_rows("officials.csv")
    report = run(runtime, write_xlsx(tmp_path / "o.xlsx", rows))
    assert (report.created, report.errors) == (6, [])
    report = run(runtime, write_csv(tmp_path / "o.csv", rows, "gbk"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    with runtime.sessions() as s:
        zhao = s.scalars(select(Official).where(Official.phone_hash == lookup_hash("13812340001"))).one()
        assert (zhao.role, zhao.rank, zhao.region.name, zhao.region.level) == (
            "village_member", "其他", "五里村", "village")
        sun = s.scalars(select(Official).where(Official.phone_hash == lookup_hash("13912340003"))).one()
        assert (sun.role, sun.rank, sun.region.name) == ("cadre", "处级", "平江县")
        assert s.scalar(select(func.count()).select_from(Region)) == 4


def test_changed_post_updates_in_place(runtime, tmp_path):
    rows = example_rows("officials.csv")
    run(runtime, write_csv(tmp_path / "o.csv", rows))
    rows[3].update({"职务": "副理事长", "职级": "科级"})
    report = run(runtime, write_csv(tmp_path / "o2.csv", rows))
    assert (report.updated, report.unchanged) == (1, 5)
    with runtime.sessions() as s:
        assert s.scalar(select(Official.rank).where(Official.phone_hash == lookup_hash("13912340004"))) == "科级"


def test_errors_name_row_and_column_and_write_nothing(runtime, tmp_path):
    rows = example_rows("officials.csv")
    rows[1]["角色"] = "村长"
    rows[2]["手机"] = "1391234"
    rows[4]["职级"] = "厅级"
    rows.append(dict(rows[0], 姓名="赵红"))
    report = run(runtime, write_csv(tmp_path / "o.csv", rows))
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "角色"), (4, "手机"), (6, "职级"), (8, "手机")]
    assert not report.written
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Official)) == 0
        assert s.scalar(select(func.count()).select_from(Region)) == 0
