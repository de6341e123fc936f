"""Cell and header variants that hand-kept sheets use."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.roster import values
from storage.roster.headers import PERSON_HEADERS, PERSON_REQUIRED, map_headers, normalize_header
from storage.roster.id_numbers import check_char, id_birth_date, make_id_number


@pytest.mark.parametrize("raw", ["一级", "1级", "1", 1, 1.0, "Ⅰ", "I级", " 一 级 ", "一级残疾"])
def test_level_variants(raw):
    assert values.level(raw) == 1


@pytest.mark.parametrize("raw", ["五级", "0", "重度", "x"])
def test_bad_levels_say_what_was_given(raw):
    with pytest.raises(ValueError, match="残疾等级"):
        values.level(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("Y", True), ("y", True), ("1", True), (1, True), ("√", True),
     ("否", False), ("N", False), ("0", False), ("×", False), ("", False), (None, False)],
)
def test_boolean_variants(raw, expected):
    assert values.boolean(raw) is expected


@pytest.mark.parametrize(
    "raw",
    ["1960-02-11", "1960/2/11", "1960.2.11", "19600211", "1960年2月11日", 19600211,
     dt.datetime(1960, 2, 11), dt.date(1960, 2, 11), 21957, "1960-02-11 00:00:00"],
)
def test_date_variants(raw):
    assert values.date(raw) == dt.date(1960, 2, 11)


@pytest.mark.parametrize("raw", ["1960-02-30", "2月11日", "60.2.11", "abc"])
def test_bad_dates(raw):
    with pytest.raises(ValueError, match="无法识别"):
        values.date(raw)


@pytest.mark.parametrize("raw", ["13812340001", "138 1234 0001", "138-1234-0001", "+8613812340001",
                                 13812340001, 13812340001.0])
def test_mobile_variants(raw):
    assert values.phone(raw) == "13812340001"


def test_landline_and_bad_phone():
    assert values.phone("0730-1234567") == "0730-1234567"
    with pytest.raises(ValueError, match="格式不对"):
        values.phone("1381234")


@pytest.mark.parametrize("raw", ["肢体", "肢体残疾", "肢残", "4"])
def test_category_variants(raw):
    assert values.category(raw) == "肢体"


@pytest.mark.parametrize(
    ("raw", "role"),
    [("专职委员", "village_member"), ("帮扶干部", "cadre"), ("乡镇", "township"), ("县", "county")],
)
def test_roles(raw, role):
    assert values.role(raw) == role


def test_rank_variants():
    assert values.rank("副处级") == "处级"
    assert values.rank("正科级") == "科级"
    assert values.rank("其他") == "其他"


def test_header_variants_map_to_fields():
    headers = [" 姓 名", "性别", "出生年月", "残疾类型", "等级", "身份证号", "住址", "手机号",
               "县（区）", "乡镇", "社区", "是否低保", "纳入国家防返贫监测范围"]
    columns, missing = map_headers(headers, PERSON_HEADERS, PERSON_REQUIRED)
    assert missing == []
    assert columns["name"] == 0
    assert columns["certificate_no"] == 5
    assert columns["county"] == 8 and columns["township"] == 9 and columns["village"] == 10
    assert columns["dibao"] == 11 and columns["poverty_monitoring"] == 12
    assert normalize_header("村（社区）") == normalize_header("村(社区)")


def test_missing_required_header_is_named():
    _, missing = map_headers(["姓名", "性别"], PERSON_HEADERS, PERSON_REQUIRED)
    assert missing == ["县(区)", "乡镇(街道)", "村(社区)"]


def test_id_checksum_and_birth_date():
    number = make_id_number("430626", dt.date(1950, 12, 25), 12)
    assert number == "43062619501225012X"
    assert check_char(number[:17]) == "X"
    assert id_birth_date("430626195002300121") is None
