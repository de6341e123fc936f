"""Overview numbers, needs board transitions, contact cards, the mobile due page."""

from __future__ import annotations

import re

from admin_demo import csrf_token
from sqlalchemy import select

from bot.admin.overview_views import sort_rows
from bot.due_links import make_due_token, read_due_token
from storage.bindings import is_card_code
from storage.models import AuditLog, BindingCode, Need, NeedNote, OutboxMessage


def _row(page: str, village_id: int) -> str:
    found = re.search(rf'<tr data-village="{village_id}">(.*?)</tr>', page, re.S)
    assert found, f"no row for village {village_id}"
    return found.group(1)


def test_overview_counts_per_village(town, ids):
    page = town.get("/admin/?period=month").get_data(as_text=True)
    wuli = _row(page, ids["wuli"])
    # 张三 visited; 李四 phoned; 王五 attempted only (not counted).
    assert "1/3（33%）" in wuli  # home visits
    assert "2/3（67%）" in wuli  # contacts
    qiaotou = _row(page, ids["qiaotou"])
    assert "0/2（0%）" in qiaotou  # 陈六 was last month, 刘七's contact was voided
    assert "大洲村" not in page
    quarter = town.get("/admin/?period=quarter").get_data(as_text=True)
    assert "1/2（50%）" in _row(quarter, ids["qiaotou"])  # 陈六 in October


def test_overview_festival_and_needs(county, ids):
    page = county.get("/admin/?period=year").get_data(as_text=True)
    assert "国际残疾人日" not in page or "2025-12-03" in page
    assert "中秋" in page or "重阳" in page or "国际残疾人日" in page
    qiaotou = _row(page, ids["qiaotou"])
    assert '<td class="n bad">1</td>' in qiaotou  # 刘七's urgent need
    assert "三市镇" in page and "安定镇" in page


def test_overview_sorts_and_filters(county, ids):
    page = county.get("/admin/?sort=persons&dir=desc&q=五里").get_data(as_text=True)
    assert f'data-village="{ids["wuli"]}"' in page
    assert f'data-village="{ids["qiaotou"]}"' not in page
    rows = [("b", type("C", (), {"persons": 1})()), ("a", type("C", (), {"persons": 5})())]
    assert [r[0] for r in sort_rows(rows, "persons", True)] == ["a", "b"]
    assert [r[0] for r in sort_rows(rows, "nonsense", False)] == ["a", "b"]


def test_needs_board_transition_is_audited_and_tells_the_household(town, ids, runtime):
    url = f"/admin/needs/{ids['need_zhang']}"
    token = csrf_token(town, url)
    response = town.post(url, data={
        "csrf_token": token, "status": "in_progress", "owner": str(ids["zhao"]),
        "note": "已联系辅具中心", "tell": "1",
    })
    assert response.status_code == 302
    assert "办理中" in town.get(url).get_data(as_text=True)
    with runtime.sessions() as s:
        need = s.get(Need, ids["need_zhang"])
        assert need.status == "in_progress"
        assert [n.text for n in s.scalars(select(NeedNote))] == ["已联系辅具中心"]
        entries = s.scalars(select(AuditLog).where(AuditLog.action == "need.update")).all()
        assert len(entries) == 1 and entries[0].detail["old_status"] == "open"
        assert entries[0].actor == f"admin:{ids['town_user']}"
        pushes = s.scalars(select(OutboxMessage).order_by(OutboxMessage.openid)).all()
        assert [p.openid for p in pushes] == ["oHOUSE_zhang_1", "oHOUSE_zhang_2"]
        assert all(p.kind == "need_update" and p.state == "pending" for p in pushes)
        assert "办理中" in pushes[0].payload["text"] and "辅具中心" in pushes[0].payload["text"]
        assert len({p.dedupe_key for p in pushes}) == 2

    token = csrf_token(town, url)
    town.post(url, data={"csrf_token": token, "status": "resolved", "note": "已更换轮椅"})
    with runtime.sessions() as s:
        need = s.get(Need, ids["need_zhang"])
        assert need.status == "resolved" and need.resolved_at is not None
        assert need.resolution == "已更换轮椅"
        assert s.scalar(select(OutboxMessage.id).where(OutboxMessage.payload.is_not(None))) is not None
        assert len(s.scalars(select(OutboxMessage)).all()) == 4


def test_needs_board_refuses_an_impossible_transition(town, ids, runtime):
    url = f"/admin/needs/{ids['need_zhang']}"
    token = csrf_token(town, url)
    town.post(url, data={"csrf_token": token, "status": "resolved"})
    token = csrf_token(town, url)
    response = town.post(url, data={"csrf_token": token, "status": "referred"}, follow_redirects=True)
    assert "不能从" in response.get_data(as_text=True)
    with runtime.sessions() as s:
        assert s.get(Need, ids["need_zhang"]).status == "resolved"


def test_needs_board_refuses_an_owner_from_elsewhere(town, ids, runtime):
    url = f"/admin/needs/{ids['need_zhang']}"
    token = csrf_token(town, url)
    response = town.post(url, data={"csrf_token": token, "owner": str(ids["zhou"])},
                         follow_redirects=True)
    assert "不在您的管辖范围" in response.get_data(as_text=True)
    with runtime.sessions() as s:
        assert s.get(Need, ids["need_zhang"]).owner_official_id == ids["zhao"]


def test_contact_cards_pdf_has_a_page_per_three_people_and_binding_codes(town, ids, runtime):
    response = town.get(f"/admin/cards.pdf?village={ids['wuli']}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    with runtime.sessions() as s:
        codes = s.scalars(select(BindingCode).where(BindingCode.purpose == "household")).all()
        assert {c.person_id for c in codes} == {ids["zhang"], ids["li"], ids["wang"]}
        # 12 symbols of the card alphabet, permanent (hole 1 of issue #16)
        assert all(is_card_code(c.code) and c.expires_at is None for c in codes)
    again = town.get(f"/admin/cards.pdf?village={ids['wuli']}")
    assert again.status_code == 200
    with runtime.sessions() as s:
        assert len(s.scalars(select(BindingCode)).all()) == 3  # reused, not re-created


def test_due_token_round_trip_and_tampering():
    token = make_due_token("secret", 42, 3)
    assert read_due_token("secret", token) == (42, 3)
    assert read_due_token("other-secret", token) is None
    assert read_due_token("secret", token + "x") is None
    assert read_due_token("secret", token, max_age=-1) is None


def test_mobile_page_refuses_a_bad_token(app):
    response = app.test_client().get("/m/due/not-a-token")
    assert response.status_code == 403
    assert "链接已失效" in response.get_data(as_text=True)


def test_pages_render(town, county, ids):
    for url in ("/admin/", "/admin/?period=year", "/admin/persons", "/admin/persons?flag=dibao",
                f"/admin/persons/{ids['zhang']}", "/admin/needs", "/admin/needs?status=all",
                f"/admin/needs/{ids['need_liu']}", "/admin/officials", "/admin/overdue",
                f"/admin/officials/{ids['sun']}", "/admin/data"):
        assert town.get(url).status_code == 200, url
    assert county.get("/admin/?period=quarter").status_code == 200


def test_card_qr_prefers_the_permanent_scene_url(runtime, ids):
    from storage.card_codes import card_qr_content
    from storage.models import Person

    with runtime.sessions.begin() as s:
        person = s.get(Person, ids["li"])
        text = card_qr_content(s, person)
        assert text.startswith("绑定 ") and len(text) == len("绑定 ABCD EFGH JKMN")  # grouped
        code = s.scalar(select(BindingCode).where(BindingCode.person_id == ids["li"]))
        code.qr_url = "http://weixin.qq.com/q/abc"
    with runtime.sessions.begin() as s:
        assert card_qr_content(s, s.get(Person, ids["li"])) == "http://weixin.qq.com/q/abc"


def test_due_links_are_not_on_the_dashboard_and_revoking_kills_every_earlier_one(app, town, ids,
                                                                               runtime):
    page = town.get(f"/admin/officials/{ids['zhao']}").get_data(as_text=True)
    assert "/m/due/" not in page  # a county user could otherwise read another region's list
    old = make_due_token(app.config["SECRET_KEY"], ids["zhao"], 0)
    assert app.test_client().get(f"/m/due/{old}").status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = town.post(f"/admin/officials/{ids['zhao']}/revoke-links", data={"csrf_token": token})
    assert done.status_code == 302
    assert app.test_client().get(f"/m/due/{old}").status_code == 403
    fresh = make_due_token(app.config["SECRET_KEY"], ids["zhao"], 1)
    assert app.test_client().get(f"/m/due/{fresh}").status_code == 200
    # a town account cannot revoke (or see) an official outside its region
    assert town.post(f"/admin/officials/{ids['zhou']}/revoke-links",
                     data={"csrf_token": token}).status_code == 404


def test_due_links_live_72_hours():
    from bot.due_links import MAX_AGE_SECONDS

    assert MAX_AGE_SECONDS == 72 * 3600
