"""The dashboard with the reminders engine and the roster/export modules: due numbers, ledgers
downloaded as XLSX, roster uploads with per-row errors."""

from __future__ import annotations

import datetime as dt
import io
import re

from admin_demo import csrf_token
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.due_links import make_due_token
from storage import export
from storage.models import Official, Person
from storage.roster.id_numbers import make_certificate_no, make_id_number

GOOD_ROW = ("赵六,男,1970-03-05,肢体,二级,,平江县安定镇五里村3组,15812349999,平江县,安定镇,五里村,"
            "否,否,否,否,否,否,否")
HEADER = ("姓名,性别,出生日期,残疾类别,残疾等级,残疾人证号,家庭地址,联系电话,县(区),乡镇(街道),"
          "村(社区),低保,特困,一户多残,以老养残,独居,防返贫监测,特殊困难")


def _xlsx(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    try:
        rows = list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def test_overview_visits_match_the_contact_ledger(town, ids):
    page = town.get("/admin/?period=quarter").get_data(as_text=True)
    shown = re.search(r'id="t-visit-count">(\d+)/(\d+)<', page)
    ledger = _xlsx(town.get("/admin/export/contacts.xlsx?period=quarter"))
    labels = export.CONTACT_COLUMNS
    header = {c.key: c.header for c in labels}
    visited = {
        r[header["person"]] for r in ledger
        if r[header["channel"]] == "入户" and r[header["status"]] != "未联系上"
    }
    assert int(shown.group(1)) == len(visited) == 2  # 张三 (11-03), 陈六 (10-08)
    assert {r[header["township"]] for r in ledger} == {"安定镇"}


def test_exports_are_scoped_and_masked(town, county, ids):
    register = _xlsx(town.get("/admin/export/register.xlsx"))
    names = {r["姓名"] for r in register}
    assert names == {"张三", "李四", "王五", "陈六", "刘七"}
    assert not any("4306261960000100" in str(v) for r in register for v in r.values())
    everyone = _xlsx(county.get("/admin/export/register.xlsx"))
    assert {"黄八", "吴九"} <= {r["姓名"] for r in everyone}
    needs = _xlsx(town.get("/admin/export/needs.xlsx?period=year"))
    assert len(needs) == 2  # 张三's and 刘七's, not 吴九's in 三市镇


def test_overdue_list_and_mobile_page_come_from_the_engine(town, app, ids):
    page = town.get("/admin/overdue").get_data(as_text=True)
    assert "李四" in page and "每季度入户" in page and "赵红梅" in page
    assert "黄八" not in page
    overview = town.get("/admin/").get_data(as_text=True)
    assert "逾期人数" in overview
    token = make_due_token(app.config["SECRET_KEY"], ids["zhao"])
    mobile = app.test_client().get(f"/m/due/{token}")
    assert mobile.status_code == 200
    text = mobile.get_data(as_text=True)
    assert "赵红梅 的待联系名单" in text and "李四" in text


def test_roster_upload_with_a_bad_row_writes_nothing(town, runtime):
    bad = GOOD_ROW.replace("赵六", "钱七").replace("二级", "九级").replace("9999", "9998")
    body = "\n".join([HEADER, GOOD_ROW, bad]).encode("utf-8")
    token = csrf_token(town, "/admin/data")
    response = town.post("/admin/import", data={
        "csrf_token": token, "kind": "persons", "file": (io.BytesIO(body), "roster.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "第 3 行" in text and "未写入任何数据" in text
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name == "赵六")) == 0

    token = csrf_token(town, "/admin/data")
    response = town.post("/admin/import", data={
        "csrf_token": token, "kind": "persons", "skip_bad": "1",
        "file": (io.BytesIO(body), "roster.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name == "赵六")) == 1
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name == "钱七")) == 0


def test_roster_rows_outside_the_township_are_refused(town, runtime):
    elsewhere = GOOD_ROW.replace("安定镇五里村", "三市镇大洲村").replace(",安定镇,五里村", ",三市镇,大洲村")
    body = "\n".join([HEADER, elsewhere]).encode("utf-8")
    token = csrf_token(town, "/admin/data")
    response = town.post("/admin/import", data={
        "csrf_token": token, "kind": "persons", "file": (io.BytesIO(body), "roster.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "不在您的管辖范围" in response.get_data(as_text=True)
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.name == "赵六")) == 0


def test_overdue_page_past_the_end_shows_the_last_page(town):
    first = town.get("/admin/overdue").get_data(as_text=True)
    past = town.get("/admin/overdue?page=999").get_data(as_text=True)
    assert "李四" in past
    rows = lambda page: re.findall(r'href="/admin/persons/(\d+)"', page)  # noqa: E731
    assert rows(past) == rows(first)  # one page of rows in the demo county


def test_an_import_cannot_take_a_person_registered_in_another_township(town, ids, runtime):
    """安定镇's account uploads a row in its own village carrying the ID of 三市镇's 黄八."""
    number = make_certificate_no(make_id_number("430626", dt.date(1970, 3, 5), 11), "肢体", 2)
    with runtime.sessions.begin() as s:
        huang = s.get(Person, ids["huang"])
        huang.certificate_no, huang.gender = number, "男"
        village, phone = huang.village_id, huang.phone
    taken = GOOD_ROW.replace("赵六", "某某").replace(",,平江县", f",{number},平江县")
    body = "\n".join([HEADER, taken]).encode("utf-8")
    token = csrf_token(town, "/admin/data")
    response = town.post("/admin/import", data={
        "csrf_token": token, "kind": "persons", "file": (io.BytesIO(body), "roster.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "不在本账号管辖范围" in text
    for secret in ("黄", "大洲", "三市"):  # nothing about the person or where they are
        assert secret not in text.split("不在本账号管辖范围")[0][-200:]
    with runtime.sessions() as s:
        huang = s.get(Person, ids["huang"])
        assert (huang.name, huang.village_id, huang.phone) == ("黄八", village, phone)


def test_an_official_registered_elsewhere_is_not_changed_by_an_import(town, ids, runtime):
    header = "姓名,性别,手机号码,角色,单位,职务,职级,县(区),乡镇(街道),村(社区)"
    row = "某某,男,13812340009,专职委员,五里村残协,专职委员,其他,平江县,安定镇,五里村"
    token = csrf_token(town, "/admin/data")
    response = town.post("/admin/import", data={
        "csrf_token": token, "kind": "officials",
        "file": (io.BytesIO(f"{header}\n{row}".encode()), "officials.csv"),
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "不在本账号管辖范围" in response.get_data(as_text=True)
    with runtime.sessions() as s:
        assert s.get(Official, ids["zhou"]).name == "周建国"
