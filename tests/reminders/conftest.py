"""A small county built through the models, with helpers to add people, officials and contacts."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from storage import contact_dates
from storage.models import (
    Assignment,
    ContactRecord,
    Need,
    Official,
    OfficialBinding,
    Person,
    Region,
)

D = dt.date.fromisoformat


class World:
    """Builds rows in one session per call so each helper is its own committed unit."""

    def __init__(self, runtime) -> None:
        self.rt = runtime
        self._phones = itertools.count(13800000000)
        self._msg = itertools.count(1)
        with runtime.sessions.begin() as s:
            county = Region(name="平江县", level="county")
            s.add(county)
            s.flush()
            town = Region(name="安定镇", level="township", parent_id=county.id)
            s.add(town)
            s.flush()
            village = Region(name="五里村", level="village", parent_id=town.id)
            s.add(village)
            s.flush()
            self.county, self.township, self.village = county.id, town.id, village.id

    def region(self, name: str, level: str, parent: int | None, policy: str | None = None) -> int:
        with self.rt.sessions.begin() as s:
            r = Region(name=name, level=level, parent_id=parent, policy=policy)
            s.add(r)
            s.flush()
            return r.id

    def official(self, name: str, role: str = "village_member", rank: str | None = None,
                 region: int | None = None, openid: str | None = None,
                 last_inbound_at: dt.datetime | None = None) -> int:
        with self.rt.sessions.begin() as s:
            o = Official(name=name, phone=str(next(self._phones)), role=role, rank=rank,
                         region_id=region if region is not None else self.village)
            s.add(o)
            s.flush()
            if openid:
                s.add(OfficialBinding(openid=openid, official_id=o.id,
                                      last_inbound_at=last_inbound_at))
            return o.id

    def person(self, name: str, village: int | None = None, hardship: bool = False,
               active: bool = True) -> int:
        with self.rt.sessions.begin() as s:
            p = Person(name=name, village_id=village or self.village,
                       special_hardship=hardship, active=active)
            s.add(p)
            s.flush()
            return p.id

    def assign(self, official: int, person: int, kind: str = "jurisdiction",
               start: str = "2020-01-01", end: str | None = None) -> int:
        with self.rt.sessions.begin() as s:
            a = Assignment(official_id=official, person_id=person, kind=kind,
                           start_date=D(start), end_date=D(end) if end else None)
            s.add(a)
            s.flush()
            return a.id

    def contact(self, person: int, official: int | None, date: str,
                channel: str | None = "home_visit", status: str = "normal",
                voided: bool = False) -> int:
        with self.rt.sessions.begin() as s:
            c = ContactRecord(person_id=person, official_id=official, channel=channel,
                              status=status, contact_date=D(date), voided=voided,
                              source_msg_id=f"m{next(self._msg)}")
            s.add(c)
            s.flush()
            contact_dates.refresh(s, [person])
            return c.id

    def need(self, person: int, owner: int | None, created: dt.datetime,
             urgency: str = "normal", status: str = "open", text: str = "轮椅坏了") -> int:
        with self.rt.sessions.begin() as s:
            n = Need(person_id=person, category="assistive_device", text=text, urgency=urgency,
                     status=status, owner_official_id=owner, created_at=created,
                     updated_at=created)
            s.add(n)
            s.flush()
            return n.id


@pytest.fixture
def world(runtime) -> World:
    return World(runtime)
