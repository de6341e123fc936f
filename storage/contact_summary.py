"""The per-person contact summary (`contact_summary`): newest qualifying contact dates.

For each person there is a row for any official (`official_id` 0) and one per official who made a
successful contact, holding the dates of the newest `DEPTH` successful, non-voided contacts of any
channel (a1..) and of home visits only (h1..). From them every status of `storage.due` follows
exactly for rules that need at most `DEPTH` contacts a period, without reading the contacts.

Database triggers (migration 0004_contact_summary) keep it exact under every writer. A bulk load
that bypasses them (COPY with triggers disabled, dropped SQLite triggers) rebuilds it and the
assignment summary built on it afterwards, in the same transaction (`storage.summaries`).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

DEPTH = 4
ANY_OFFICIAL = 0
ANY_CHANNEL = tuple(f"a{k}" for k in range(1, DEPTH + 1))
HOME_VISIT = tuple(f"h{k}" for k in range(1, DEPTH + 1))
TRIGGERS = ("trg_contact_summary_insert", "trg_contact_summary_update",
            "trg_contact_summary_delete")


def refresh_sql(condition: str) -> str:
    """INSERT … SELECT of the summary rows of the persons whose contacts match `condition`.

    The same statement as the triggers' (migration 0004); a test checks they agree.
    """
    any_cols = ", ".join(f"MAX(CASE WHEN rn = {k} THEN contact_date END)"
                         for k in range(1, DEPTH + 1))
    home_cols = ", ".join(f"MAX(CASE WHEN hn = {k} THEN contact_date END)"
                          for k in range(1, DEPTH + 1))
    home = "CASE WHEN channel = 'home_visit' THEN 1 ELSE 0 END"
    ok = f"voided = FALSE AND status <> 'unreachable' AND ({condition})"
    return f"""
        INSERT INTO contact_summary (person_id, official_id, {", ".join(ANY_CHANNEL + HOME_VISIT)})
        SELECT person_id, official_id, {any_cols}, {home_cols}
        FROM (
            SELECT person_id, {ANY_OFFICIAL} AS official_id, contact_date,
                   ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY contact_date DESC) AS rn,
                   CASE WHEN channel = 'home_visit' THEN ROW_NUMBER() OVER (
                       PARTITION BY person_id, {home} ORDER BY contact_date DESC) END AS hn
            FROM contact_records WHERE {ok}
            UNION ALL
            SELECT person_id, official_id, contact_date,
                   ROW_NUMBER() OVER (PARTITION BY person_id, official_id
                                      ORDER BY contact_date DESC) AS rn,
                   CASE WHEN channel = 'home_visit' THEN ROW_NUMBER() OVER (
                       PARTITION BY person_id, official_id, {home}
                       ORDER BY contact_date DESC) END AS hn
            FROM contact_records WHERE {ok} AND official_id IS NOT NULL
        ) ranked
        WHERE rn <= {DEPTH} OR hn <= {DEPTH}
        GROUP BY person_id, official_id"""


def rebuild_summary(conn: Connection | Session) -> None:
    """Recompute the whole summary from contact_records (after a load that bypassed triggers).

    On PostgreSQL writers to contact_records wait until the caller's transaction ends, so the
    rebuilt table matches the contacts it commits with.
    """
    dialect = conn.dialect if isinstance(conn, Connection) else conn.get_bind().dialect
    if dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE contact_records IN SHARE MODE"))
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
    conn.execute(text("DELETE FROM contact_summary"))
    conn.execute(text(refresh_sql("1 = 1")))
