"""The per-assignment summary (`assignment_summary`): one row holding all the engine reads.

For every assignment: the assignment's own columns, the person's name, village, hardship flag and
active flag, the person's newest successful contact date by anyone (`last_any`, to tell persons
with a contact dated after the evaluated day), and the newest `DEPTH` qualifying dates that count
for this assignment — the person's dates by anyone (`contact_summary` row 0), or for a pairing the
paired cadre's own. The daily evaluation then reads one row per assignment, in official order on
SQLite (the primary key), with no lookups.

Database triggers (migration 0006_assignment_summary) keep it exact: triggers on
`contact_summary` (itself kept by triggers on the contacts) copy the dates over, triggers on
`assignments` recompute the person's rows, and a trigger on `persons` copies name, village,
hardship and active. After a bulk load that bypasses them, `storage.summaries.rebuild`.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage.contact_summary import ANY_CHANNEL, ANY_OFFICIAL, HOME_VISIT

DATES = ANY_CHANNEL + HOME_VISIT
TRIGGERS = {
    "contact_summary": ("trg_assignment_summary_dates_insert",
                        "trg_assignment_summary_dates_delete"),
    "assignments": ("trg_assignment_summary_insert", "trg_assignment_summary_update",
                    "trg_assignment_summary_delete"),
    "persons": ("trg_assignment_summary_person",),
}


def refresh_sql(condition: str) -> str:
    """INSERT … SELECT of the summary rows of the assignments `a` matching `condition`.

    The same statement as the triggers' (migration 0006); a test checks they agree. Rows go in
    in official order, which PostgreSQL then keeps on disk until they are updated elsewhere.
    """
    dates = ", ".join(f"CASE WHEN a.kind = 'pairing' THEN o.{d} ELSE s.{d} END" for d in DATES)
    return f"""
        INSERT INTO assignment_summary (official_id, assignment_id, person_id, kind, start_date,
            end_date, person_name, village_id, hardship, active, last_any, {", ".join(DATES)})
        SELECT a.official_id, a.id, a.person_id, a.kind, a.start_date, a.end_date, p.name,
               p.village_id, p.special_hardship, p.active, s.a1, {dates}
        FROM assignments a
        JOIN persons p ON p.id = a.person_id
        LEFT JOIN contact_summary s ON s.person_id = a.person_id AND s.official_id = {ANY_OFFICIAL}
        LEFT JOIN contact_summary o ON o.person_id = a.person_id AND o.official_id = a.official_id
                                   AND a.kind = 'pairing'
        WHERE {condition}
        ORDER BY a.official_id, a.id"""


def rebuild(conn: Connection | Session) -> None:
    """Recompute the whole table (after a load that bypassed the triggers), in the caller's
    transaction. On PostgreSQL writers of assignments wait until it ends."""
    dialect = conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect
    if dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE assignments IN SHARE MODE"))
    conn.execute(text("DELETE FROM assignment_summary"))
    conn.execute(text(refresh_sql("1 = 1")))
