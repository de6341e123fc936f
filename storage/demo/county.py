"""Roster rows for the demo county, shaped exactly like the files a county office imports."""

from __future__ import annotations

import datetime as dt
import random

from storage.demo import names
from storage.models import DISABILITY_CATEGORIES
from storage.roster.id_numbers import make_certificate_no, make_id_number

PERSONS_PER_VILLAGE = 25
# 处级 cadres pair with 4 households, 科级 with 2, others with 1 (seed 003).
CADRE_RANKS = ["处级"] * 2 + ["科级"] * 5 + ["其他"] * 8
PAIRING_QUOTA = {"处级": 4, "科级": 2, "其他": 1}
_CATEGORY_WEIGHTS = [12, 10, 3, 40, 12, 15, 8]  # 肢体 is by far the most common
_LEVEL_WEIGHTS = [18, 27, 30, 25]


class Phones:
    """Unique, plausible mobile numbers per prefix."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.used = rng, set[str]()

    def new(self, prefix: str) -> str:
        while True:
            number = prefix + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used:
                self.used.add(number)
                return number


def _name(rng: random.Random, gender: str) -> str:
    given = names.MALE_GIVEN if gender == "男" else names.FEMALE_GIVEN
    return rng.choice(names.SURNAMES) + rng.choice(given)


def official_rows(rng: random.Random, phones: Phones) -> list[dict]:
    rows = []
    for township, villages in names.TOWNSHIPS.items():
        for village in villages:
            gender = rng.choice("男女")
            rows.append({"姓名": _name(rng, gender), "性别": gender, "手机": phones.new("138"), "角色": "专职委员",
                         "单位": f"{village}残协", "职务": "专职委员", "职级": "其他",
                         "县(区)": names.COUNTY, "乡镇(街道)": township, "村(社区)": village})
        gender = rng.choice("男女")
        rows.append({"姓名": _name(rng, gender), "性别": gender, "手机": phones.new("137"),
                     "角色": "乡镇", "单位": f"{township}残联", "职务": "理事长", "职级": "科级",
                     "县(区)": names.COUNTY, "乡镇(街道)": township, "村(社区)": ""})
    for position in ("理事长", "组联部部长"):
        gender = rng.choice("男女")
        rows.append({"姓名": _name(rng, gender), "性别": gender, "手机": phones.new("136"), "角色": "县",
                     "单位": "平江县残联", "职务": position, "职级": "科级",
                     "县(区)": names.COUNTY, "乡镇(街道)": "", "村(社区)": ""})
    for rank in CADRE_RANKS:
        unit, positions = rng.choice(names.CADRE_UNITS)
        position = positions[0] if rank == "处级" else rng.choice(positions[1:])
        gender = rng.choice("男女")
        rows.append({"姓名": _name(rng, gender), "性别": gender, "手机": phones.new("139"),
                     "角色": "帮扶干部", "单位": unit, "职务": position, "职级": rank,
                     "县(区)": names.COUNTY, "乡镇(街道)": "", "村(社区)": ""})
    return rows


def person_rows(rng: random.Random, phones: Phones, officials: list[dict],
                pairing_start: dt.date, today: dt.date) -> list[dict]:
    members = {o["村(社区)"]: o["手机"] for o in officials if o["角色"] == "专职委员"}
    rows, used_ids = [], set[str]()
    for township, villages in names.TOWNSHIPS.items():
        for village in villages:
            for group in range(PERSONS_PER_VILLAGE):
                rows.append(_person(rng, phones, used_ids, township, village, group, today))
                # Some rows leave the member blank: the village's only member is assigned.
                if rng.random() < 0.8:
                    rows[-1]["专职委员手机"] = members[village]
    _pair(rng, rows, officials, pairing_start)
    return rows


def _person(rng, phones, used_ids, township, village, group, today) -> dict:
    gender = rng.choice("男女")
    age = min(95, max(3, int(rng.triangular(3, 95, 68))))
    birth = today.replace(year=today.year - age, month=1, day=1) + dt.timedelta(rng.randrange(365))
    category = rng.choices(DISABILITY_CATEGORIES, _CATEGORY_WEIGHTS)[0]
    level = rng.choices([1, 2, 3, 4], _LEVEL_WEIGHTS)[0]
    certified = rng.random() > 0.07
    certificate = ""
    if certified:
        while True:
            sequence = rng.randrange(500) * 2 + (1 if gender == "男" else 0)
            id_number = make_id_number(names.COUNTY_CODE, birth, sequence)
            if id_number not in used_ids:
                used_ids.add(id_number)
                break
        certificate = make_certificate_no(id_number, category, level)
    elderly = age >= 70 or rng.random() < 0.05
    row = {
        "姓名": _name(rng, gender), "性别": gender, "出生日期": birth.isoformat(),
        "残疾类别": category, "残疾等级": f"{level}级" if certified or rng.random() < 0.5 else "",
        "残疾人证号": certificate,
        "家庭地址": f"{names.COUNTY}{township}{village}{group % 9 + 1}组",
        "联系电话": phones.new("158"), "县(区)": names.COUNTY, "乡镇(街道)": township,
        "村(社区)": village,
        "低保": "是" if rng.random() < 0.35 else "否",
        "特困": "是" if rng.random() < 0.05 else "否",
        "一户多残": "是" if rng.random() < 0.06 else "否",
        "以老养残": "是" if rng.random() < 0.08 else "否",
        "独居": "是" if elderly and rng.random() < 0.3 else "否",
        "防返贫监测": "是" if rng.random() < 0.06 else "否",
        "特殊困难": "",
    }
    if category in ("智力", "精神") or age < 16 or (elderly and rng.random() < 0.3):
        row["监护人"] = rng.choice(names.SURNAMES) + rng.choice(names.MALE_GIVEN + names.FEMALE_GIVEN)
        row["监护人电话"] = phones.new("136")
    return row


def _pair(rng, rows, officials, pairing_start) -> None:
    """Severe (一级/二级) persons on 低保 or 特困 get a cadre, up to each cadre's quota."""
    eligible = [r for r in rows if r["残疾人证号"] and r["残疾人证号"][-1] in "12"
                and "是" in (r["低保"], r["特困"])]
    rng.shuffle(eligible)
    for cadre in (o for o in officials if o["角色"] == "帮扶干部"):
        for _ in range(PAIRING_QUOTA[cadre["职级"]]):
            if eligible:
                row = eligible.pop()
                row["帮扶人手机"] = cadre["手机"]
                row["帮扶开始日期"] = pairing_start.isoformat()
