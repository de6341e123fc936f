"""`/m/due/<token>`: an official's overdue and due-soon persons, opened from a reminder message."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import select

from bot.admin import due_status, mobile_bp, texts
from bot.admin.web import reading, runtime, today
from bot.due_links import read_due_token
from storage.models import Official, Region

SHOWN = ("overdue", "due_soon")


@mobile_bp.get("/due/<token>")
def due_list(token: str):
    found = read_due_token(current_app.config["SECRET_KEY"], token)
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if found is None:
        return render_template("admin/mobile_due.html", error=texts.LINK_EXPIRED), 403, headers
    official_id, version = found
    with reading() as s:
        official = s.get(Official, official_id)
        if official is None or not official.active or (official.due_link_version or 0) != version:
            return render_template("admin/mobile_due.html", error=texts.LINK_EXPIRED), 403, headers
        day = today()
        rows = due_status.due_rows(
            s, runtime().settings, day, official_id=official_id, statuses=SHOWN
        )
        chosen = rows  # overdue first, most overdue first
        villages = dict(s.execute(
            select(Region.id, Region.name).where(Region.id.in_({r.village_id for r in chosen}))
        ).all()) if chosen else {}
        return render_template(
            "admin/mobile_due.html", official=official, rows=chosen, villages=villages, day=day,
            overdue=len({r.person_id for r in chosen if r.status == "overdue"}),
        ), 200, headers
