"""Reading uploaded bytes (the dashboard's path) in every encoding and format."""

from __future__ import annotations

import pytest

from storage.roster import RosterFileError, read_table
from storage.roster.reading import detect_encoding
from tests.roster.conftest import example_rows, write_csv, write_xlsx


@pytest.mark.parametrize(("encoding", "detected"),
                         [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_csv_bytes_in_each_encoding(tmp_path, encoding, detected):
    data = write_csv(tmp_path / "p.csv", example_rows("persons.csv"), encoding).read_bytes()
    assert detect_encoding(data) == detected
    table = read_table(data, name="上传.csv")
    assert table.headers[0] == "姓名"
    rows = list(table.rows)
    assert [n for n, _ in rows] == list(range(2, 10))
    assert rows[5][1][0] == "孙桂芝"


def test_tab_separated_and_blank_rows(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("姓名\t县(区)\n张三\t平江县\n\t\n李四\t平江县\n", encoding="utf-8")
    assert [(n, c) for n, c in read_table(path).rows] == [(2, ["张三", "平江县"]), (4, ["李四", "平江县"])]


def test_xlsx_bytes_with_a_title_row(tmp_path):
    data = write_xlsx(tmp_path / "p.xlsx", example_rows("officials.csv"), title_row="名单").read_bytes()
    table = read_table(data, name="名单.xlsx")
    rows = list(table.rows)
    assert table.headers[:3] == ["姓名", "手机", "角色"] and rows[0][0] == 3


def test_no_header_or_wrong_type():
    with pytest.raises(RosterFileError, match="表头"):
        read_table("甲,乙\n1,2\n".encode(), name="x.csv")
    with pytest.raises(RosterFileError, match="不支持"):
        read_table(b"x", name="x.pdf")
