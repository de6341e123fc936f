"""Scope: a township account sees only its township, a county account its county."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", [
    "/admin/persons/{huang}", "/admin/needs/{need_wu}", "/admin/officials/{zhou}",
    "/admin/?region={sanshi}", "/admin/persons?region={dazhou}", "/admin/needs?region={sanshi}",
    "/admin/cards.pdf?village={dazhou}", "/admin/export/contacts.xlsx?region={sanshi}",
    "/admin/overdue?region={dazhou}",
])
def test_township_account_cannot_open_another_townships_objects(town, ids, path):
    response = town.get(path.format(**ids))
    assert response.status_code == 404


def test_township_account_cannot_change_another_townships_need(town, ids):
    from admin_demo import csrf_token

    token = csrf_token(town, f"/admin/needs/{ids['need_zhang']}")
    response = town.post(f"/admin/needs/{ids['need_wu']}", data={
        "csrf_token": token, "status": "resolved", "note": "x",
    })
    assert response.status_code == 404


def test_lists_show_only_the_township(town, county):
    persons = town.get("/admin/persons").get_data(as_text=True)
    assert "张三" in persons and "陈六" in persons
    assert "黄八" not in persons and "吴九" not in persons
    needs = town.get("/admin/needs?status=all").get_data(as_text=True)
    assert "轮椅" in needs and "看病费用" not in needs
    everything = county.get("/admin/persons").get_data(as_text=True)
    assert "黄八" in everything and "张三" in everything


def test_county_account_opens_any_township_person(county, ids):
    assert county.get(f"/admin/persons/{ids['huang']}").status_code == 200
    assert county.get(f"/admin/?region={ids['sanshi']}").status_code == 200


def test_the_county_cadre_is_visible_to_the_township_he_serves(town, ids):
    assert town.get(f"/admin/officials/{ids['sun']}").status_code == 200
    page = town.get("/admin/officials").get_data(as_text=True)
    assert "孙卫东" in page and "周建国" not in page


def test_ids_and_phones_are_masked_unless_the_account_may_see_them(town, county, ids):
    masked = town.get(f"/admin/persons/{ids['zhang']}").get_data(as_text=True)
    assert "15812340001" not in masked and "158****0001" in masked
    assert "430626" in masked and "4306261960000100134" not in masked
    full = county.get(f"/admin/persons/{ids['zhang']}").get_data(as_text=True)
    assert "15812340001" in full
