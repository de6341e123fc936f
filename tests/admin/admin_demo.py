"""A small demo-like county for the dashboard tests: two townships, three villages, officials,
pairings, contacts over the year, needs and a household binding."""

from __future__ import annotations

import datetime as dt
import re

from bot.admin.accounts import create_admin
from storage.models import (
    Assignment,
    ContactRecord,
    HouseholdBinding,
    Need,
    Official,
    Person,
    Region,
)

TODAY = dt.date(2026, 11, 20)
PASSWORD = "correct-horse-9"


def seed(session) -> dict:
    county = Region(name="平江县", level="county")
    session.add(county)
    session.flush()
    anding = Region(name="安定镇", level="township", parent_id=county.id)
    sanshi = Region(name="三市镇", level="township", parent_id=county.id)
    session.add_all([anding, sanshi])
    session.flush()
    wuli = Region(name="五里村", level="village", parent_id=anding.id)
    qiaotou = Region(name="桥头社区", level="village", parent_id=anding.id)
    dazhou = Region(name="大洲村", level="village", parent_id=sanshi.id)
    session.add_all([wuli, qiaotou, dazhou])
    session.flush()

    zhao = Official(name="赵红梅", phone="13812340001", role="village_member", unit="五里村残协",
                    position="专职委员", rank="其他", region_id=wuli.id, office_phone="0730-6212345")
    qian = Official(name="钱国栋", phone="13812340002", role="village_member", unit="桥头社区残协",
                    position="专职委员", rank="其他", region_id=qiaotou.id)
    sun = Official(name="孙卫东", phone="13912340003", role="cadre", unit="平江县残联",
                   position="副理事长", rank="处级", region_id=county.id, office_phone="0730-6200001")
    zhou = Official(name="周建国", phone="13812340009", role="village_member", unit="大洲村残协",
                    position="专职委员", rank="其他", region_id=dazhou.id)
    session.add_all([zhao, qian, sun, zhou])
    session.flush()

    def person(name, village, n, **kw):
        p = Person(name=name, gender="男", birth_date=dt.date(1960, 1, n % 27 + 1),
                   disability_category="肢体", disability_level=kw.pop("level", 1),
                   certificate_no=kw.pop("cert", f"43062619600{n:03d}00134{n % 10}1"[:18] + "41"),
                   address=f"平江县{village.name}{n}组", phone=f"158123400{n:02d}",
                   village_id=village.id, **kw)
        session.add(p)
        return p

    zhang = person("张三", wuli, 1, special_hardship=True, living_alone=True, dibao=True,
                   hardship_description="独居，行动不便")
    li = person("李四", wuli, 2)
    wang = person("王五", wuli, 3, special_hardship=True, cert=None, level=None)
    chen = person("陈六", qiaotou, 4)
    liu = person("刘七", qiaotou, 5, special_hardship=True, tekun=True)
    huang = person("黄八", dazhou, 6)
    wu = person("吴九", dazhou, 7, special_hardship=True)
    session.flush()

    start = dt.date(2026, 1, 1)
    for p, o in [(zhang, zhao), (li, zhao), (wang, zhao), (chen, qian), (liu, qian),
                 (huang, zhou), (wu, zhou)]:
        session.add(Assignment(official_id=o.id, person_id=p.id, kind="jurisdiction", start_date=start))
    session.add(Assignment(official_id=sun.id, person_id=zhang.id, kind="pairing", start_date=start))
    session.add(Assignment(official_id=sun.id, person_id=liu.id, kind="pairing",
                           start_date=dt.date(2025, 3, 1), end_date=dt.date(2026, 2, 28)))
    session.flush()

    def contact(p, o, day, channel="home_visit", status="normal", **kw):
        session.add(ContactRecord(person_id=p.id, official_id=o.id, channel=channel, status=status,
                                  contact_date=day, needs=kw.pop("needs", []),
                                  raw_text=kw.pop("raw", f"{channel} {p.name}"), **kw))

    contact(zhang, zhao, dt.date(2026, 11, 3))                    # visited this month
    contact(zhang, sun, dt.date(2026, 9, 22), channel="phone")    # festival window (中秋 9-25)
    contact(li, zhao, dt.date(2026, 11, 10), channel="phone")     # contacted, not visited
    contact(wang, zhao, dt.date(2026, 11, 12), status="unreachable")  # failed: not counted
    contact(chen, qian, dt.date(2026, 10, 8))                     # last month
    contact(liu, qian, dt.date(2026, 11, 15), voided=True)        # undone: not counted
    contact(huang, zhou, dt.date(2026, 11, 2))
    contact(wu, zhou, dt.date(2026, 8, 1), channel="wechat")
    need_zhang = Need(person_id=zhang.id, category="assistive_device", text="轮椅坏了，需要更换",
                      urgency="normal", status="open", owner_official_id=zhao.id, source="household")
    need_liu = Need(person_id=liu.id, category="subsistence", text="家里断粮", urgency="urgent",
                    status="open", source="official")
    need_wu = Need(person_id=wu.id, category="medical", text="看病费用", urgency="normal",
                   status="in_progress", owner_official_id=zhou.id)
    session.add_all([need_zhang, need_liu, need_wu])
    session.add(HouseholdBinding(openid="oHOUSE_zhang_1", person_id=zhang.id, active=True))
    session.add(HouseholdBinding(openid="oHOUSE_zhang_2", person_id=zhang.id, active=True))
    session.flush()

    town_user = create_admin(session, "anding", PASSWORD, anding, display_name="安定镇残联")
    county_user = create_admin(session, "pingjiang", PASSWORD, county, can_view_private=True,
                               display_name="平江县残联")
    session.flush()
    return {
        "county": county.id, "anding": anding.id, "sanshi": sanshi.id,
        "wuli": wuli.id, "qiaotou": qiaotou.id, "dazhou": dazhou.id,
        "zhang": zhang.id, "li": li.id, "wang": wang.id, "chen": chen.id, "liu": liu.id,
        "huang": huang.id, "wu": wu.id,
        "zhao": zhao.id, "qian": qian.id, "sun": sun.id, "zhou": zhou.id,
        "need_zhang": need_zhang.id, "need_liu": need_liu.id, "need_wu": need_wu.id,
        "town_user": town_user.id, "county_user": county_user.id,
    }


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/admin/login") -> str:
    """The CSRF token of the form on `url`, as a browser would post it back."""
    page = client.get(url).get_data(as_text=True)
    found = CSRF_RE.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def log_in(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post(
        "/admin/login", data={"username": username, "password": password, "csrf_token": token}
    )
