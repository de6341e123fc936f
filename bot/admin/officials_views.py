"""Officials: pairing load against the quota of their rank, and timeliness of their contacts."""

from __future__ import annotations

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, func, select

from bot.admin import bp, due_status, texts
from bot.admin.scope import official_in_scope, officials_in_scope
from bot.admin.web import (
    in_scope,
    page_from_request,
    reading,
    runtime,
    scope,
    today,
    verdicts,
    writing,
)
from bot.due_links import revoke_due_links
from storage.models import PAIRING, Assignment, Official, Person

# Households a cadre should be paired with, by rank (seed 003: 处级 ≥4, 科级 ≥2, others ≥1).
PAIRING_QUOTA = {"处级": 4, "科级": 2, "其他": 1}


def quota_of(official: Official, quotas: dict[str, int] = PAIRING_QUOTA) -> int | None:
    if official.role != "cadre":
        return None
    return quotas.get(official.rank or "其他", quotas.get("其他", 1))


def quotas_for(session, sc) -> dict[str, int]:
    """The county policy's pairing quotas when it sets them, else seed 003's."""
    county_id = sc.root.id if sc.county_level else sc.root.parent_id
    policies = due_status.county_policies(session, runtime().settings)
    policy = policies.get(county_id) or policies.get(None)
    return dict(policy.pairing_quotas) if policy and policy.pairing_quotas else PAIRING_QUOTA


@bp.get("/officials")
def officials():
    role = request.args.get("role", "")
    short_only = request.args.get("short") == "1"
    with reading() as s:
        sc = scope(s)
        where: list[ColumnElement[bool]] = [Official.id.in_(officials_in_scope(sc)), Official.active.is_(True)]
        if role:
            where.append(Official.role == role)
        loads = _loads(s, where)
        quotas = quotas_for(s, sc)
        chosen = s.scalars(select(Official).where(*where).order_by(Official.role, Official.name)).all()
        if short_only:
            chosen = [
                o for o in chosen if (quota_of(o, quotas) or 0) > loads.get(o.id, {}).get(PAIRING, 0)
            ]
        page = page_from_request(len(chosen))
        shown = chosen[page.offset : page.offset + page.size]
        judged = verdicts(s, sc.root.id)
        timely = due_status.timeliness(judged)
        items = [
            (o, sc.path(o.region_id) if o.region_id in sc.nodes else "", loads.get(o.id, {}),
             quota_of(o, quotas), timely.get(o.id))
            for o in shown
        ]
    return render_template(
        "admin/officials.html", items=items, page=page, scope=sc, role=role, short_only=short_only,
        as_of=judged.judged_at,
    )


def _loads(session, where) -> dict[int, dict[str, int]]:
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    for official_id, kind, n in session.execute(
        select(Assignment.official_id, Assignment.kind, func.count())
        .join(Official, Official.id == Assignment.official_id)
        .where(Assignment.end_date.is_(None), *where)
        .group_by(Assignment.official_id, Assignment.kind)
    ):
        loads[official_id][kind] = n
    return loads


@bp.get("/officials/<int(max=2147483647):official_id>")
def official(official_id: int):
    with reading() as s:
        sc = scope(s)
        o = in_scope(official_in_scope, s, sc, official_id)
        assigned = s.execute(
            select(Assignment, Person)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.official_id == o.id, Person.village_id.in_(sc.village_ids))
            .order_by(Assignment.end_date.is_not(None), Person.name)
        ).all()
        rows = due_status.due_rows(s, runtime().settings, today(), official_id=o.id)
        visible = {p.id for _, p in assigned}
        rules = [r for r in rows if r.person_id in visible]  # in the engine's order
        return render_template(
            "admin/official.html", o=o, assigned=assigned, rules=rules,
            quota=quota_of(o, quotas_for(s, sc)),
            pairings=sum(1 for a, _ in assigned if a.kind == PAIRING and a.end_date is None),
            where=sc.path(o.region_id)
            if o.region_id in sc.nodes else "",
            paths={p.id: sc.path(p.village_id) for _, p in assigned},
        )


@bp.post("/officials/<int(max=2147483647):official_id>/revoke-links")
def revoke_links(official_id: int):
    """Every due-list link of the official stops working (a phone lost, a link forwarded)."""
    with writing() as s:
        o = in_scope(official_in_scope, s, scope(s), official_id)
        revoke_due_links(s, o, current_user.actor)
    flash(texts.LINKS_REVOKED)
    return redirect(url_for("admin.official", official_id=official_id))
