"""`/admin/` — coverage, overdue, needs and festival greetings per township and village."""

from __future__ import annotations

from typing import cast

from flask import abort, render_template, request

from bot.admin import bp, due_status
from bot.admin.festivals import festival_window, last_festival
from bot.admin.overview_data import Counts, monthly_trend, total, village_counts
from bot.admin.periods import last_months, parse_period
from bot.admin.scope import OutOfScope
from bot.admin.web import int_arg, reading, runtime, scope, today, verdicts

SORT_KEYS = {
    "name": lambda name, c: name,
    "persons": lambda name, c: c.persons,
    "special": lambda name, c: c.special,
    "visit": lambda name, c: c.visit_rate or 0,
    "contact": lambda name, c: c.contact_rate or 0,
    "done": lambda name, c: c.done_rate or 0,
    "overdue": lambda name, c: c.overdue,
    "needs": lambda name, c: c.open_needs,
    "urgent": lambda name, c: c.urgent_needs,
    "festival": lambda name, c: c.festival_rate or 0,
}


def sort_rows(rows: list[tuple], key: str, descending: bool) -> list[tuple]:
    """rows are (name, Counts, …); unknown keys sort by name."""
    fn = SORT_KEYS.get(key, SORT_KEYS["name"])
    return sorted(rows, key=lambda r: fn(r[0], r[1]), reverse=descending)


@bp.get("/")
def overview():
    day = today()
    period = parse_period(request.args.get("period"), request.args.get("at"), day)
    region_id = int_arg("region")
    sort, descending = request.args.get("sort", "name"), request.args.get("dir") == "desc"
    name_filter = request.args.get("q", "").strip()
    with reading() as s:
        sc = scope(s)
        festival = last_festival(day, _festival_days(s, sc))
        window = festival_window(festival[1], day) if festival else None
        try:
            villages = sc.villages_in(region_id)
        except OutOfScope:
            abort(404)
        village_ids = [v.id for v in villages]
        # Every number on the page comes from one snapshot of the region, at most a minute old.
        judged = verdicts(s, region_id or sc.root.id)
        counts = judged.memo(
            ("counts", tuple(village_ids), period.start, period.end, window),
            lambda: village_counts(s, village_ids, period.start, period.end, window,
                                   due_status.summary(judged, village_ids)))
        trend = judged.memo(("trend", tuple(village_ids)), lambda: monthly_trend(
            s, village_ids, last_months(day)) if village_ids else [])
    by_township: dict[int, Counts] = {}
    for v in villages:
        by_township.setdefault(cast(int, v.parent_id), Counts()).add(counts[v.id])
    village_rows = [
        (v.name, counts[v.id], v.id, sc.nodes[cast(int, v.parent_id)].name)
        for v in villages
        if not name_filter or name_filter in v.name
    ]
    township_rows = [
        (sc.nodes[t].name, c, t, "") for t, c in by_township.items() if t in sc.nodes
    ]
    return render_template(
        "admin/overview.html",
        period=period,
        day=day,
        scope=sc,
        region_id=region_id,
        totals=total(counts.values()),
        township_rows=sort_rows(township_rows, sort, descending),
        village_rows=sort_rows(village_rows, sort, descending),
        bars=_bars(township_rows if len(township_rows) > 1 else village_rows),
        trend=trend,
        festival=festival,
        window=window,
        sort=sort,
        descending=descending,
        name_filter=name_filter,
        as_of=judged.judged_at,
    )


def _festival_days(session, sc):
    county_id = sc.root.id if sc.county_level else sc.root.parent_id
    return lambda year: due_status.festival_days(session, runtime().settings, county_id, year)


def _bars(rows: list[tuple]) -> list[tuple[str, float, float]]:
    """(label, home-visit rate, contact rate) per row, for the bar chart."""
    return [(r[0], r[1].visit_rate or 0.0, r[1].contact_rate or 0.0) for r in sorted(rows, key=lambda r: r[0])]
