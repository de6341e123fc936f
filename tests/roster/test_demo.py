"""The demo county is deterministic and plausible."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import func, select

from storage.demo import DemoNotEmpty, fill_demo_county
from storage.demo.county import PAIRING_QUOTA, Phones, official_rows, person_rows
from storage.models import PAIRING, Assignment, ContactRecord, Official, Person, Region
from storage.roster.id_numbers import check_char
from tests.roster.conftest import TODAY


def _rows(seed):
    rng = random.Random(seed)
    phones = Phones(rng)
    officials = official_rows(rng, phones)
    return officials, person_rows(rng, phones, officials, TODAY - dt.timedelta(182), TODAY)


def test_same_seed_same_county():
    assert _rows(5) == _rows(5)
    assert _rows(5) != _rows(6)


def test_demo_county_is_plausible(runtime):
    with runtime.sessions.begin() as s:
        summary = fill_demo_county(s, TODAY, seed=11)
    assert 250 <= summary.persons <= 400 and summary.uncertified > 0
    with runtime.sessions() as s:
        villages = s.scalars(select(Region.id).where(Region.level == "village")).all()
        members = s.execute(
            select(Official.region_id, func.count()).where(Official.role == "village_member")
            .group_by(Official.region_id)
        ).all()
        assert sorted(villages) == sorted(r for r, _ in members) and {n for _, n in members} == {1}
        for number in s.scalars(select(Person.certificate_no).where(Person.certificate_no.isnot(None))):
            assert check_char(number[:17]) == number[17]
        per_cadre = s.execute(
            select(Official.rank, func.count()).join(Assignment)
            .where(Assignment.kind == PAIRING).group_by(Official.id, Official.rank)
        ).all()
        assert all(n == PAIRING_QUOTA[rank] for rank, n in per_cadre)
        last = s.execute(
            select(ContactRecord.person_id, func.max(ContactRecord.contact_date))
            .where(ContactRecord.status != "unreachable").group_by(ContactRecord.person_id)
        ).all()
        stale = [p for p, day in last if (TODAY - day).days > 92]
        assert stale, "some households should be overdue"
    with pytest.raises(DemoNotEmpty), runtime.sessions.begin() as s:
        fill_demo_county(s, TODAY)
