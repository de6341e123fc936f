"""`lianxin import|export|demo-data` as a county office runs them: real subprocesses."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from openpyxl import load_workbook

from tests.roster.conftest import example_rows, write_csv, write_xlsx


def lianxin(cli_env, *args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *map(str, args)],
        env=cli_env, capture_output=True, text=True, encoding="utf-8", cwd=cwd, check=False,
    )


def test_import_then_export_every_format(cli_env, tmp_path):
    officials = write_xlsx(tmp_path / "o.xlsx", example_rows("officials.csv"))
    persons = write_csv(tmp_path / "p.csv", example_rows("persons.csv"), "gbk")
    done = lianxin(cli_env, "import", "officials", officials)
    assert done.returncode == 0, done.stderr
    assert "新增 6，更新 0，未变 0，拒绝 0" in done.stdout
    done = lianxin(cli_env, "import", "persons", persons, "--today", "2026-11-22")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "残疾人导入：新增 8，更新 0，未变 0，拒绝 0"
    again = lianxin(cli_env, "import", "persons", persons)
    assert "新增 0，更新 0，未变 8，拒绝 0" in again.stdout

    register = lianxin(cli_env, "export", "register", "--format", "json")
    rows = [json.loads(line) for line in register.stdout.splitlines()]
    assert [r["name"] for r in rows][:2] == ["张三", "李四"]
    assert rows[0]["certificate_no"] == "43062619600211001341"
    masked = lianxin(cli_env, "export", "register", "--format", "json", "--mask")
    assert "43062619600211001341" not in masked.stdout

    out = tmp_path / "register.xlsx"
    done = lianxin(cli_env, "export", "register", "--format", "xlsx", "--out", out)
    assert done.returncode == 0, done.stderr
    workbook = load_workbook(out, read_only=True)
    header = next(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert header[:3] == ("纳入国家防返贫监测范围", "姓名", "性别")

    for kind in ("contacts", "needs"):
        done = lianxin(cli_env, "export", kind, "--format", "csv", "--out", tmp_path / f"{kind}.csv")
        assert done.returncode == 0, done.stderr
        with open(tmp_path / f"{kind}.csv", encoding="utf-8-sig") as f:
            assert len(list(csv.reader(f))) == 1  # header only: no contacts yet


def test_bad_rows_exit_nonzero_and_write_nothing(cli_env, tmp_path):
    lianxin(cli_env, "import", "officials", write_csv(tmp_path / "o.csv", example_rows("officials.csv")))
    rows = example_rows("persons.csv")
    rows[3]["残疾等级"] = "五级"
    path = write_csv(tmp_path / "p.csv", rows)
    done = lianxin(cli_env, "import", "persons", path)
    assert done.returncode == 1
    assert "第 5 行 残疾等级：残疾等级“五级”无法识别" in done.stderr
    assert "未写入任何数据" in done.stderr
    export = lianxin(cli_env, "export", "register", "--format", "json")
    assert export.stdout == ""

    done = lianxin(cli_env, "import", "persons", path, "--skip-invalid")
    assert done.returncode == 0
    assert "新增 7，更新 0，未变 0，拒绝 1" in done.stdout
    with open(tmp_path / "p.rejects.csv", encoding="utf-8-sig") as f:
        rejected = list(csv.DictReader(f))
    assert [r["姓名"] for r in rejected] == ["赵六"] and "五级" in rejected[0]["错误原因"]


def test_demo_data_once_then_if_empty(cli_env, tmp_path):
    done = lianxin(cli_env, "demo-data", "--seed", "3", "--today", "2026-11-22")
    assert done.returncode == 0, done.stderr
    assert "已生成演示数据" in done.stdout and "手机号 138" in done.stdout
    again = lianxin(cli_env, "demo-data", "--if-empty")
    assert again.returncode == 0 and "未生成演示数据" in again.stdout
    refused = lianxin(cli_env, "demo-data")
    assert refused.returncode != 0
    contacts = lianxin(cli_env, "export", "contacts", "--format", "json", "--region", "安定镇",
                       "--from", "2026-09-01")
    rows = [json.loads(line) for line in contacts.stdout.splitlines()]
    assert rows and {r["township"] for r in rows} == {"安定镇"}
    assert min(r["date"] for r in rows) >= "2026-09-01"
    unknown = lianxin(cli_env, "export", "contacts", "--format", "json", "--region", "火星村")
    assert unknown.returncode != 0 and "火星村" in unknown.stderr


def test_file_level_problems(cli_env, tmp_path):
    rows = [{k: v for k, v in r.items() if k != "县(区)"} for r in example_rows("persons.csv")]
    done = lianxin(cli_env, "import", "persons", write_csv(tmp_path / "p.csv", rows))
    assert done.returncode == 1
    assert "县(区)：缺少必填列“县(区)”" in done.stderr and "表头有问题" in done.stderr
    other = tmp_path / "p.doc"
    other.write_bytes(b"\xd0\xcf\x11\xe0")
    done = lianxin(cli_env, "import", "persons", other)
    assert done.returncode != 0 and "不支持的文件类型" in done.stderr
