"""Import and export page: roster upload, XLSX ledgers, contact cards PDF."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from bot.admin import bp, io_adapters
from bot.admin.card_data import village_cards
from bot.admin.cards import render_cards
from bot.admin.periods import KINDS, parse_period
from bot.admin.scope import OutOfScope
from bot.admin.web import int_arg, reading, runtime, scope, today, writing
from storage.audit import audit
from storage.models import VILLAGE


@bp.get("/data")
def data():
    with reading() as s:
        sc = scope(s)
    return render_template(
        "admin/data.html", scope=sc, kinds=KINDS, exports=io_adapters.EXPORTS,
    )


@bp.get("/cards.pdf")
def cards():
    village_id = int_arg("village")
    if village_id is None:
        abort(404)
    with writing() as s:
        sc = scope(s)
        try:
            village = sc.node(village_id)
        except OutOfScope:
            abort(404)
        if village.level != VILLAGE:
            abort(404)
        items = village_cards(s, village.id, current_user.can_view_private, current_user.actor)
        audit(s, current_user.actor, "export.cards", "region", village.id, count=len(items))
        title = f"{sc.path(village.id)} 结对帮扶联系卡"
    pdf = render_cards(title, items)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": _attachment(f"联系卡-{village.name}.pdf"),
    })


@bp.get("/export/<kind>.xlsx")
def export(kind: str):
    if kind not in io_adapters.EXPORTS:
        abort(404)
    period = parse_period(request.args.get("period"), request.args.get("at"), today())
    region_id = int_arg("region")
    with writing() as s:
        sc = scope(s)
        try:
            village_ids = sc.villages_of(region_id)
        except OutOfScope:
            abort(404)
        body, count = io_adapters.export_xlsx(
            s, kind, village_ids, period.start, period.end, current_user.can_view_private,
            runtime().clock,
        )
        # Who exported what, how many rows, and whether in full (decrypted, unmasked numbers).
        audit(s, current_user.actor, f"export.{kind}", "region", region_id or sc.root.id,
              start=period.start.isoformat(), end=period.end.isoformat(), count=count,
              full=bool(current_user.can_view_private))
    name = f"{io_adapters.EXPORTS[kind]}-{period.label}.xlsx"
    return Response(body, mimetype=io_adapters.XLSX_MIME, headers={
        "Content-Disposition": _attachment(name),
    })


@bp.post("/import")
def import_roster():
    upload = request.files.get("file")
    kind = request.form.get("kind", "persons")
    skip_bad = request.form.get("skip_bad") == "1"
    try:
        with writing() as s:
            outcome = io_adapters.import_roster(
                s, scope(s), kind, upload, today(), skip_bad=skip_bad, actor=current_user.actor
            )
            if not outcome.written:
                raise _NothingWritten
    except _NothingWritten:
        pass  # the transaction is rolled back: a bad file writes nothing
    status = 200 if outcome.ok else 400
    return render_template("admin/import_result.html", outcome=outcome, kind=kind), status


class _NothingWritten(Exception):
    """Raised inside the import's transaction to roll it back."""


def _attachment(filename: str) -> str:
    """RFC 6266: an ASCII fallback name, then the Chinese name percent-encoded."""
    from urllib.parse import quote

    ascii_name = "lianxin." + filename.rsplit(".", 1)[-1]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
