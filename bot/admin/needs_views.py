"""Needs board: list by status, one need's page, and its change form."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, func, or_, select

from bot.admin import bp, texts
from bot.admin.needs_board import NeedChange, NeedChangeError, change_need
from bot.admin.scope import OutOfScope, Scope, person_in_scope
from bot.admin.web import in_scope, int_arg, page_from_request, reading, scope, writing
from storage.models import NEED_STATUSES, Assignment, Need, NeedNote, Official, Person


def _need_in_scope(session, sc: Scope, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise OutOfScope(need_id)
    person_in_scope(session, sc, need.person_id)
    return need


@bp.get("/needs")
def needs():
    status = request.args.get("status", "open")
    region_id = int_arg("region")
    urgent_only = request.args.get("urgent") == "1"
    with reading() as s:
        sc = scope(s)
        try:
            villages = sc.villages_of(region_id)
        except OutOfScope:
            abort(404)
        base: list[ColumnElement[bool]] = [Person.village_id.in_(villages)]
        if urgent_only:
            base.append(Need.urgency == "urgent")
        tallies = dict(
            s.execute(
                select(Need.status, func.count()).join(Person, Person.id == Need.person_id)
                .where(*base).group_by(Need.status)
            ).all()
        )
        where = [*base, Need.status == status] if status in NEED_STATUSES else base
        total = s.scalar(
            select(func.count()).select_from(Need).join(Person, Person.id == Need.person_id).where(*where)
        ) or 0
        page = page_from_request(total)
        rows = s.execute(
            select(Need, Person, Official.name)
            .join(Person, Person.id == Need.person_id)
            .outerjoin(Official, Official.id == Need.owner_official_id)
            .where(*where)
            .order_by((Need.urgency == "urgent").desc(), Need.created_at, Need.id)
            .offset(page.offset).limit(page.size)
        ).all()
        items = [(n, p, owner, sc.path(p.village_id)) for n, p, owner in rows]
    return render_template(
        "admin/needs.html", items=items, page=page, tallies=tallies, status=status, scope=sc,
        region_id=region_id, urgent_only=urgent_only, statuses=NEED_STATUSES,
    )


def _owner_choices(session, sc: Scope, person: Person) -> list[Official]:
    """Officials of the person's village, township or the account's root, or assigned to them."""
    village = sc.nodes[person.village_id]
    regions = {village.id, village.parent_id, sc.root.id}
    assigned = select(Assignment.official_id).where(
        Assignment.person_id == person.id, Assignment.end_date.is_(None)
    )
    return list(session.scalars(
        select(Official)
        .where(Official.active.is_(True), or_(Official.region_id.in_(regions), Official.id.in_(assigned)))
        .order_by(Official.role, Official.name)
    ))


@bp.get("/needs/<int(max=2147483647):need_id>")
def need(need_id: int):
    with reading() as s:
        sc = scope(s)
        n = in_scope(_need_in_scope, s, sc, need_id)
        person = s.get_one(Person, n.person_id)
        notes = s.scalars(select(NeedNote).where(NeedNote.need_id == n.id).order_by(NeedNote.id)).all()
        owner = s.get(Official, n.owner_official_id) if n.owner_official_id else None
        return render_template(
            "admin/need.html", n=n, person=person, notes=notes, owner=owner,
            where=sc.path(person.village_id), owners=_owner_choices(s, sc, person),
            next_statuses=sorted(_next(n.status), key=NEED_STATUSES.index),
        )


def _next(status: str) -> set[str]:
    from bot.admin.needs_board import TRANSITIONS

    return TRANSITIONS.get(status, set())


@bp.post("/needs/<int(max=2147483647):need_id>")
def update_need(need_id: int):
    form = request.form
    owner_id = int(form["owner"]) if form.get("owner", "").isdigit() else None
    change = NeedChange(
        status=form.get("status") or None,
        owner_official_id=owner_id,
        note=form.get("note", ""),
        tell_household=form.get("tell") == "1",
    )
    with writing() as s:
        sc = scope(s)
        n = in_scope(_need_in_scope, s, sc, need_id)
        if owner_id is not None and owner_id not in {
            o.id for o in _owner_choices(s, sc, s.get_one(Person, n.person_id))
        }:
            flash(texts.NEED_OWNER_OUT_OF_SCOPE)
            return redirect(url_for("admin.need", need_id=need_id))
        try:
            changed = change_need(s, n, change, current_user.actor)
        except NeedChangeError as exc:
            flash(str(exc))
            return redirect(url_for("admin.need", need_id=need_id))
    if changed:
        flash(texts.NEED_CHANGED.format(id=need_id))
    return redirect(url_for("admin.need", need_id=need_id))
