"""A small roster written straight through the models (the importer has its own tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage.bindings import household_code, new_official_code
from storage.models import Assignment, Official, Person, Region


@dataclass
class Roster:
    county: int
    township: int
    village: int
    other_village: int
    member: int  # 专职委员 of 五里村
    cadre: int  # 帮扶干部 paired with 张三
    township_staff: int
    other_member: int  # 专职委员 of 桥头村 (another village)
    persons: dict[str, int]
    member_code: str
    cadre_code: str
    other_code: str
    household_codes: dict[str, str]


def seed(session: Session, start: dt.date = dt.date(2026, 1, 1)) -> Roster:
    county = Region(name="平江县", level="county")
    session.add(county)
    session.flush()
    town = Region(name="安定镇", level="township", parent_id=county.id)
    session.add(town)
    session.flush()
    village = Region(name="五里村", level="village", parent_id=town.id)
    other = Region(name="桥头村", level="village", parent_id=town.id)
    session.add_all([village, other])
    session.flush()

    def official(name, phone, role, region, rank="其他", unit=None):  # type: ignore[no-untyped-def]
        o = Official(name=name, phone=phone, role=role, region_id=region.id, rank=rank, unit=unit, active=True)
        session.add(o)
        session.flush()
        return o

    member = official("赵红梅", "13812340001", "village_member", village, unit="五里村残协")
    cadre = official("孙卫东", "13912340003", "cadre", county, rank="处级", unit="平江县残联")
    staff = official("周海涛", "13712340005", "township", town, rank="科级", unit="安定镇残联")
    other_member = official("钱国栋", "13812340002", "village_member", other, unit="桥头村残协")

    persons: dict[str, int] = {}
    for name, vil, level in [
        ("张三", village, 1),
        ("李四", village, 2),
        ("王五", village, 3),
        ("张三丰", village, 2),
        ("刘德明", village, 1),
        ("胡秀英", village, 2),
        ("钱七", other, 2),
    ]:
        p = Person(name=name, village_id=vil.id, disability_level=level, disability_category="肢体",
                   birth_date=dt.date(1960, 1, 1), phone="15812340000", active=True)
        session.add(p)
        session.flush()
        persons[name] = p.id
        keeper = member if vil is village else other_member
        session.add(Assignment(official_id=keeper.id, person_id=p.id, kind="jurisdiction", start_date=start))
    session.add(Assignment(official_id=cadre.id, person_id=persons["张三"], kind="pairing", start_date=start))
    session.flush()
    household = {
        name: household_code(session, session.get(Person, persons[name])).code for name in ("张三", "李四")
    }
    return Roster(
        county=county.id, township=town.id, village=village.id, other_village=other.id,
        member=member.id, cadre=cadre.id, township_staff=staff.id, other_member=other_member.id,
        persons=persons,
        member_code=new_official_code(session, member).code,
        cadre_code=new_official_code(session, cadre).code,
        other_code=new_official_code(session, other_member).code,
        household_codes=household,
    )
