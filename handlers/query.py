"""Queries by officials: 逾期/待访, 查询 张三, 本月/本季度统计."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers import due_view, texts
from handlers.context import Reply, Turn
from handlers.person_choice import not_found, persons, resolve
from storage.ledger import period_counts, recent_contacts, village_label
from storage.models import Person
from storage.needs import open_needs
from storage.rules import period_bounds


def handle(turn: Turn, parsed: Any) -> Reply:
    kind = getattr(parsed, "query", None)
    if kind == "person" or ((parsed.person or parsed.name) and kind not in ("overdue", "due", "stats")):
        return person(turn, parsed)
    if kind == "stats":
        return stats(turn, getattr(parsed, "period", None) or "month")
    return due_list(turn, overdue=kind != "due")


def due_list(turn: Turn, overdue: bool) -> Reply:
    """逾期: persons overdue on some rule; 待访: persons due (soon or later) this period."""
    official = turn.identity.official
    assert official is not None
    statuses = ("overdue",) if overdue else ("due_soon", "due")
    rows = due_view.official_due(turn, official.id, statuses)
    if not rows:
        return Reply(texts.QUERY_NONE_OVERDUE if overdue else texts.QUERY_NONE_TODO)
    shown = rows[: turn.deps.max_list]
    head = texts.QUERY_OVERDUE_HEAD if overdue else texts.QUERY_TODO_HEAD
    lines = [head.format(n=len({r.person_id for r in rows}))]
    for i, r in enumerate(shown, 1):
        lines.append(texts.QUERY_DUE_ROW.format(
            i=i, name=r.person_name, rule=r.rule_label, state=due_view.state_text(turn, r),
            last=due_view.last_text(turn, r)))
    if len(rows) > len(shown):
        url = (turn.deps.due_list_url(official.id, official.due_link_version or 0)
               if turn.deps.due_list_url else "")
        lines.append(texts.QUERY_MORE.format(n=len(rows) - len(shown), url=url).rstrip("："))
    return Reply("\n".join(lines))


def person(turn: Turn, parsed: Any) -> Reply:
    official = turn.identity.official
    assert official is not None
    choice = resolve(turn.roster(), parsed.person, parsed.candidates)
    if choice.person_id is None:
        if parsed.name and not choice.options:  # "查询 张三", 张三 on nobody's list of this official
            return Reply(not_found(turn, parsed, turn.roster()))
        if choice.options:
            names = "、".join(sorted({p.name for p in persons(turn.session, choice.options)}))
            return Reply(texts.NOT_IN_ROSTER.format(suggest=texts.SUGGEST.format(names=names)))
        return Reply(texts.QUERY_PERSON_NONE)
    p = turn.session.get(Person, choice.person_id)
    assert p is not None
    lines = [texts.QUERY_PERSON_HEAD.format(name=p.name, village=village_label(turn.session, p))]
    contacts = recent_contacts(turn.session, p.id)
    if contacts:
        rows = "；".join(
            f"{texts.short_day(c.contact_date)} {texts.CHANNEL[c.channel]} {texts.STATUS.get(c.status, c.status)}"
            for c in contacts
        )
        lines.append(texts.QUERY_PERSON_CONTACTS.format(rows=rows))
    else:
        lines.append(texts.QUERY_PERSON_NO_CONTACTS)
    needs = open_needs(turn.session, [p.id])
    if needs:
        rows = "；".join(
            f"#{n.id} {texts.NEED.get(n.category, n.category)}（{texts.NEED_STATUS[n.status]}）" for n in needs
        )
        lines.append(texts.QUERY_PERSON_NEEDS.format(rows=rows))
    else:
        lines.append(texts.QUERY_PERSON_NO_NEEDS)
    rules = due_view.person_rules(turn, official.id, p.id)
    if rules:
        rows = "；".join(
            texts.QUERY_PERSON_NEXT_ROW.format(rule=r.rule_label, state=due_view.state_text(turn, r))
            for r in rules
        )
        lines.append(texts.QUERY_PERSON_NEXT.format(rows=rows))
    return Reply("\n".join(lines))


def stats(turn: Turn, period: str) -> Reply:
    official = turn.identity.official
    assert official is not None
    start, end = stats_bounds(period, turn.today)
    total, ok, home, persons = period_counts(turn.session, official.id, start, min(end, turn.today))
    lines = [
        texts.QUERY_STATS.format(
            period=texts.PERIOD[period],
            start=texts.year_day(start, turn.today),
            end=texts.year_day(end, turn.today),
            total=total,
            ok=ok,
            home=home,
            persons=persons,
        )
    ]
    progress = due_view.progress_line(turn) if end >= turn.today else None  # about the current period
    if progress:
        lines.append(progress)
    return Reply("\n".join(lines))


def stats_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of `period` ("month", or "last_month" for the one before, …)."""
    if period.startswith("last_"):
        base = period.removeprefix("last_")
        first, _ = period_bounds(base, today)
        return period_bounds(base, first - dt.timedelta(days=1))
    return period_bounds(period, today)
