"""`fill_demo_county`: a realistic small county (平江县-like) for `lianxin demo-data`.

The roster goes in through the real importers (so demo data is exactly what an office's files
would give), then about six months of contacts and needs are added. Same seed and day, same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.demo import names, texts
from storage.demo.county import Phones, official_rows, person_rows
from storage.demo.history import fill_history
from storage.models import PAIRING, Assignment, Person
from storage.roster import Table, import_officials, import_persons

HISTORY_DAYS = 182


class DemoNotEmpty(Exception):
    """Persons exist already; demo data goes only into an empty roster."""


@dataclass
class DemoSummary:
    persons: int
    uncertified: int
    hardship: int
    officials: int
    pairings: int
    contacts: int
    failed: int
    needs: int
    open_needs: int
    try_official: dict

    def lines(self) -> list[str]:
        villages = sum(len(v) for v in names.TOWNSHIPS.values())
        return [
            texts.SUMMARY.format(county=names.COUNTY, townships=len(names.TOWNSHIPS),
                                 villages=villages, **{k: v for k, v in vars(self).items()
                                                       if k != "try_official"}),
            texts.TRY_BINDING.format(name=self.try_official["姓名"],
                                     village=self.try_official["村(社区)"],
                                     phone=self.try_official["手机"]),
        ]


def fill_demo_county(session: Session, today: dt.date, seed: int = 2024) -> DemoSummary:
    if session.scalar(select(func.count()).select_from(Person)):
        raise DemoNotEmpty
    rng = random.Random(seed)
    phones = Phones(rng)
    start = today - dt.timedelta(days=HISTORY_DAYS)
    officials = official_rows(rng, phones)
    persons = person_rows(rng, phones, officials, start, today)
    for run, rows in ((import_officials, officials), (import_persons, persons)):
        report = run(session, Table.from_dicts(rows, name="demo"), start, actor="demo")
        if not report.written:  # the generator's own rows must always be valid
            raise RuntimeError("; ".join(str(e) for e in report.errors[:5]))
    contacts, failed, needs, open_needs = fill_history(session, rng, start, today, seed)
    pairings = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.kind == PAIRING)
    )
    return DemoSummary(
        persons=len(persons),
        uncertified=sum(not p["残疾人证号"] for p in persons),
        hardship=session.scalar(select(func.count()).where(Person.special_hardship.is_(True))) or 0,
        officials=len(officials),
        pairings=pairings or 0,
        contacts=contacts,
        failed=failed,
        needs=needs,
        open_needs=open_needs,
        try_official=officials[0],
    )
