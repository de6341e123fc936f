"""The overview's per-village tallies (`storage.models.tally`): rebuild, and bulk loads.

Database triggers (migration 0007_overview_tallies) keep the three tables exact under every
writer of contact_records, contact_summary, persons, assignments and needs. A bulk load that
bypasses them must call `rebuild_tallies` afterwards, after contact_summary is exact again (the
latest-contact tallies are read from it): `storage.summaries` suspends and rebuilds every
trigger-kept table in that order.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

TABLES = ("contact_month_tallies", "latest_contact_tallies", "village_tallies")
# (table, kind) of every trigger: trg_overview_<kind>_<insert|update|delete>
WATCHED = (("contact_records", "contacts"), ("contact_summary", "summary"),
           ("persons", "persons"), ("assignments", "assignments"), ("needs", "needs"))
TRIGGERS = tuple((table, f"trg_overview_{kind}_{op}")
                 for table, kind in WATCHED for op in ("insert", "update", "delete"))
OPEN_NEEDS = "('open', 'in_progress')"


def month(column: str, pg: bool) -> str:
    return (f"CAST(date_trunc('month', {column}) AS DATE)" if pg
            else f"date({column}, 'start of month')")


def backfill_sql(pg: bool) -> list[str]:
    """INSERT … SELECT of every tally from the current rows (contact_summary must be exact).

    The same statements as the migration's backfill (0007); a test checks they agree.
    """
    m = month("c.contact_date", pg)
    return [
        f"""INSERT INTO contact_month_tallies (village_id, month_start, contacts, home_visits)
        SELECT p.village_id, {m}, COUNT(*),
               SUM(CASE WHEN c.channel = 'home_visit' THEN 1 ELSE 0 END)
        FROM contact_records c JOIN persons p ON p.id = c.person_id
        WHERE c.voided = FALSE AND c.status <> 'unreachable'
        GROUP BY p.village_id, {m}""",
        f"""INSERT INTO latest_contact_tallies (village_id, month_start, contacted, visited)
        SELECT village_id, month_start, SUM(contacted), SUM(visited) FROM (
            SELECT p.village_id, {month("s.a1", pg)} AS month_start, 1 AS contacted, 0 AS visited
            FROM contact_summary s JOIN persons p ON p.id = s.person_id
            WHERE s.official_id = 0 AND p.active = TRUE AND s.a1 IS NOT NULL
            UNION ALL
            SELECT p.village_id, {month("s.h1", pg)}, 0, 1
            FROM contact_summary s JOIN persons p ON p.id = s.person_id
            WHERE s.official_id = 0 AND p.active = TRUE AND s.h1 IS NOT NULL
        ) latest GROUP BY village_id, month_start""",
        f"""INSERT INTO village_tallies
            (village_id, persons, special, assigned, open_needs, urgent_needs)
        SELECT village_id, SUM(persons), SUM(special), SUM(assigned), SUM(open_needs),
               SUM(urgent_needs) FROM (
            SELECT p.village_id, 1 AS persons,
                   CASE WHEN p.special_hardship = TRUE THEN 1 ELSE 0 END AS special,
                   CASE WHEN EXISTS (SELECT 1 FROM assignments a WHERE a.person_id = p.id
                                     AND a.end_date IS NULL) THEN 1 ELSE 0 END AS assigned,
                   0 AS open_needs, 0 AS urgent_needs
            FROM persons p WHERE p.active = TRUE
            UNION ALL
            SELECT p.village_id, 0, 0, 0, 1, CASE WHEN n.urgency = 'urgent' THEN 1 ELSE 0 END
            FROM needs n JOIN persons p ON p.id = n.person_id
            WHERE n.status IN {OPEN_NEEDS}
        ) counts GROUP BY village_id""",
    ]


def rebuild_tallies(conn: Connection | Session) -> None:
    """Recompute every tally from the tables they count (after a load that bypassed triggers).

    On PostgreSQL writers to the counted tables wait until the caller's transaction ends.
    """
    dialect = conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect
    pg = dialect.name == "postgresql"
    if pg:
        conn.execute(text("LOCK TABLE contact_records, contact_summary, persons, assignments,"
                          " needs IN SHARE MODE"))
    for table in TABLES:
        conn.execute(text(f"DELETE FROM {table}"))
    for sql in backfill_sql(pg):
        conn.execute(text(sql))
