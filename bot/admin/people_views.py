"""Persons list, person page (登记表 + timeline) and the overdue list."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import ColumnElement, func, or_, select

from bot.admin import bp, due_status, person_data
from bot.admin.scope import OutOfScope, person_in_scope
from bot.admin.web import (
    PAGE_SIZE,
    Page,
    in_scope,
    int_arg,
    page_from_request,
    reading,
    runtime,
    scope,
    today,
    verdicts,
)
from storage.audit import audit
from storage.cipher import lookup_hashes
from storage.models import HARDSHIP_FLAGS, Official, Person

STATUS_FILTERS = {"overdue": ("overdue",), "due_soon": ("due_soon",), "all": ("overdue", "due_soon")}


def _villages(sc, region_id):
    try:
        return sc.villages_of(region_id)
    except OutOfScope:
        abort(404)


@bp.get("/persons")
def persons():
    region_id = int_arg("region")
    q = request.args.get("q", "").strip()
    flag = request.args.get("flag", "")
    with reading() as s:
        sc = scope(s)
        where: list[ColumnElement[bool]] = [Person.village_id.in_(_villages(sc, region_id)), Person.active.is_(True)]
        if q:
            where.append(_search(q))
        if flag in HARDSHIP_FLAGS:
            where.append(getattr(Person, flag).is_(True))
        total = s.scalar(select(func.count()).select_from(Person).where(*where)) or 0
        page = page_from_request(total)
        rows = s.scalars(
            select(Person).where(*where).order_by(Person.village_id, Person.name, Person.id)
            .offset(page.offset).limit(page.size)
        ).all()
        items = [(p, sc.path(p.village_id), person_data.flags(p)) for p in rows]
    return render_template(
        "admin/persons.html", items=items, page=page, scope=sc, region_id=region_id, q=q,
        flag=flag, flags=HARDSHIP_FLAGS,
    )


def _search(q: str):
    """A name (part of it), or a whole phone or ID number found by its lookup hash: the
    numbers and addresses are encrypted, so they are not searched in part."""
    compact = q.replace(" ", "").replace("-", "").upper()
    if compact[:-1].isdigit() and len(compact) in (11, 18, 20):
        hashes = lookup_hashes(compact[:18])
        return or_(Person.name.contains(q), Person.phone_hash.in_(hashes), Person.id_hash.in_(hashes))
    return Person.name.contains(q)


@bp.get("/persons/<int(max=2147483647):person_id>")
def person(person_id: int):
    private = current_user.can_view_private
    with reading() as s:
        sc = scope(s)
        p = in_scope(person_in_scope, s, sc, person_id)
        rules = due_status.due_rows(s, runtime().settings, today(), person_id=p.id)
        officials = _official_names(s, {r.official_id for r in rules})
        guardians = person_data.guardians(s, p, private)
        events = person_data.timeline(s, p.id, private, runtime().clock)
        page = render_template(
            "admin/person.html",
            p=p,
            where=sc.path(p.village_id),
            flags=person_data.flags(p),
            id_shown=person_data.shown_id(p.certificate_no, private),
            phone_shown=person_data.shown_phone(p.phone, private),
            address_shown=person_data.shown_text(p.address, private),
            guardians=guardians,
            assignments=person_data.assignments(s, p.id),
            events=events,
            rules=rules,
            officials=officials,
            private=private,
        )
    if private:  # full ID, phones, address and words were shown: who saw whose, and how many
        with runtime().sessions.begin() as w:
            audit(w, current_user.actor, "person.view_full", "person", person_id,
                  fields=["certificate_no", "phone", "address", "guardians.phone", "texts"],
                  count=3 + len(guardians) + len(events))
    return page


def _official_names(session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Official.id, Official.name).where(Official.id.in_(ids))).all())


@bp.get("/overdue")
def overdue():
    region_id = int_arg("region")
    official_id = int_arg("official")
    status = request.args.get("status", "overdue")
    wanted = STATUS_FILTERS.get(status, STATUS_FILTERS["overdue"])
    with reading() as s:
        sc = scope(s)
        _villages(sc, region_id)  # 404 outside the account's region
        found = due_status.page(
            verdicts(s, region_id or sc.root.id), number=max(1, int_arg("page", 1) or 1),
            size=PAGE_SIZE, official_id=official_id, statuses=wanted,
        )
        page = Page(found.number, PAGE_SIZE, found.total)
        shown = found.rows
        person_village = dict(s.execute(
            select(Person.id, Person.village_id).where(Person.id.in_({r.person_id for r in shown}))
        ).all()) if shown else {}
        officials = _official_names(s, {r.official_id for r in shown})
        items = [(r, sc.path(person_village[r.person_id]), officials.get(r.official_id)) for r in shown]
    return render_template(
        "admin/overdue.html", items=items, page=page, scope=sc, persons=found.persons, as_of=found.judged_at,
        region_id=region_id, official_id=official_id, status=status,
    )
