"""The county overview's SQL other than the due engine's, timed before/after the tallies.

    python bench/overview_sql.py --url postgresql://postgres@127.0.0.1:5432/test --schema bench_overview

On a database loaded by bench/dashboard_bench.py (its --url and --schema). "direct" is the
overview's queries as they were before migration 0007 (`bot.admin.overview_direct`: persons,
contact flags, festival greetings, needs, 12-month trend), "tallies" the ones the page runs now
(`bot.admin.overview_data`); both for the first county, this quarter and the last festival's
window, alternating, median of `--runs`. The results must be equal; the script checks that.
dashboard_bench.py calls `breakdown` as well, and times the whole page both ways.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bot.admin import overview_data, overview_direct
from bot.admin.festivals import festival_window, last_festival
from bot.admin.periods import last_months, period_containing
from bot.admin.web import plan_settings
from storage.db import make_engine

TODAY = dt.date(2026, 11, 20)


def county_villages(session, county_id: int) -> list[int]:
    return session.execute(text(
        "SELECT v.id FROM regions v JOIN regions t ON t.id = v.parent_id"
        " WHERE t.parent_id = :c AND v.level = 'village' ORDER BY v.id"), {"c": county_id}
    ).scalars().all()


def _run(module, session, villages, period, window):
    if module is overview_direct:
        counts = overview_direct.village_counts(session, villages, period.start, period.end, window)
    else:
        counts = overview_data.village_counts(session, villages, period.start, period.end,
                                              window, None)
    return counts, module.monthly_trend(session, villages, last_months(TODAY))


def breakdown(sessions, county_id: int, runs: int, kind: str = "quarter") -> dict[str, float]:
    """Median ms of the non-engine SQL, direct and from the tallies (same transaction setup as
    the dashboard: `bot.admin.web.plan_settings`)."""
    period = period_containing(kind, TODAY)
    festival = last_festival(TODAY)
    window = festival_window(festival[1], TODAY) if festival else None
    times: dict[str, list[float]] = {"direct": [], "tallies": []}
    with sessions() as s:
        plan_settings(s)
        villages = county_villages(s, county_id)
        results = {}
        for i in range(runs + 1):
            for name, module in (("direct", overview_direct), ("tallies", overview_data)):
                started = time.perf_counter()
                results[name] = _run(module, s, villages, period, window)
                if i:  # the first round warms caches
                    times[name].append((time.perf_counter() - started) * 1000)
        assert results["direct"] == results["tallies"], "the tallies disagree with the queries"
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--schema", default="bench_overview")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = args.url
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{args.schema}"
    engine = make_engine(url)
    from sqlalchemy.orm import sessionmaker

    sessions = sessionmaker(engine)
    with sessions() as s:
        county_id = s.execute(text(
            "SELECT id FROM regions WHERE level = 'county' ORDER BY id LIMIT 1")).scalar()
    for kind in ("month", "quarter", "year"):
        ms = breakdown(sessions, county_id, args.runs, kind)
        print(f"non-engine SQL, this {kind:7}  direct {ms['direct']:8.1f}  "
              f"tallies {ms['tallies']:8.1f} ms  (median of {args.runs})")
    engine.dispose()


if __name__ == "__main__":
    main()
