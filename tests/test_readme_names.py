"""The names README and 帮助 use as examples exist in the demo county `lianxin demo-data` loads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from handlers import texts
from storage.demo import fill_demo_county
from storage.ledger import assigned_roster
from storage.models import Official

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_and_help_examples_name_demo_persons(runtime):
    with runtime.sessions.begin() as s:
        fill_demo_county(s, dt.date(2026, 12, 5))
        member = s.scalars(select(Official).where(Official.name == "谢娟")).one()
        roster = {name for _id, name in assigned_roster(s, member.id, dt.date(2026, 12, 5))}
    readme = README.read_text(encoding="utf-8")
    assert "shared/" not in readme and "DESIGN.md" not in readme
    assert "docs/parser.md" in readme and "docs/policies.md" in readme and "--password-stdin" in readme
    said = set(re.findall(r"among her persons are (.+?)\.", readme.replace("\n", " "))[0]
               .replace(" and ", ", ").split(", "))
    assert said and said <= roster, said - roster
    for example in ("林娟 入户 一切正常", "昨天给姜文斌打电话没人接", "查询 姚明亮", "已解决 姚明亮"):
        assert f"`{example}`" in readme
    assert set(texts.HELP_NAMES) <= roster
    assert "于娟" in roster  # the simulator's household
