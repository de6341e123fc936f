"""contact_summary: the newest qualifying contact dates per person, kept by triggers

For each person, one row for any official (official_id 0) and one per official who made a
successful contact, holding the dates of the newest 4 successful, non-voided contacts of any
channel (a1..a4) and of home visits only (h1..h4). The daily rule evaluation reads these rows
instead of joining the contact records. Triggers on contact_records recompute the affected
persons' rows from their contacts, so every writer keeps the table exact; this migration fills it
for the existing contacts.

The SQL is frozen here on purpose; `storage.contact_summary` holds the same recomputation for
bulk loaders (a test checks that both agree).

Revision ID: 0004_contact_summary
Revises: 0003_reminders
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_contact_summary"
down_revision = "0003_reminders"
branch_labels = None
depends_on = None

DEPTH = 4
COLUMNS = [f"a{k}" for k in range(1, DEPTH + 1)] + [f"h{k}" for k in range(1, DEPTH + 1)]


def refresh_sql(condition: str) -> str:
    """INSERT … SELECT recomputing the summary rows of the contacts matching `condition`."""
    any_cols = ", ".join(f"MAX(CASE WHEN rn = {k} THEN contact_date END)"
                         for k in range(1, DEPTH + 1))
    home_cols = ", ".join(f"MAX(CASE WHEN hn = {k} THEN contact_date END)"
                          for k in range(1, DEPTH + 1))
    home = "CASE WHEN channel = 'home_visit' THEN 1 ELSE 0 END"
    ok = f"voided = FALSE AND status <> 'unreachable' AND ({condition})"
    return f"""
        INSERT INTO contact_summary (person_id, official_id, {", ".join(COLUMNS)})
        SELECT person_id, official_id, {any_cols}, {home_cols}
        FROM (
            SELECT person_id, 0 AS official_id, contact_date,
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


def _sqlite_refresh(person: str, when: str = "1 = 1") -> str:
    return (f"DELETE FROM contact_summary WHERE person_id = {person} AND {when};\n"
            f"{refresh_sql(f'person_id = {person} AND {when}')};\n")


# Only a change to one of these columns can change a person's summary.
WATCHED = "person_id, official_id, channel, status, contact_date, voided"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER trg_contact_summary_insert AFTER INSERT ON contact_records
        WHEN NEW.voided = 0 AND NEW.status <> 'unreachable'
        BEGIN {_sqlite_refresh("NEW.person_id")} END""",
    f"""CREATE TRIGGER trg_contact_summary_update AFTER UPDATE OF {WATCHED} ON contact_records
        BEGIN {_sqlite_refresh("OLD.person_id")}
              {_sqlite_refresh("NEW.person_id", "NEW.person_id <> OLD.person_id")} END""",
    f"""CREATE TRIGGER trg_contact_summary_delete AFTER DELETE ON contact_records
        WHEN OLD.voided = 0 AND OLD.status <> 'unreachable'
        BEGIN {_sqlite_refresh("OLD.person_id")} END""",
]

# PostgreSQL: statement-level triggers with transition tables, so a multi-row INSERT or COPY
# recomputes each touched person once. The persons' rows are locked first (in id order) so two
# transactions refreshing the same person take turns, and the second one's statements see the
# first one's committed contacts (READ COMMITTED takes a new snapshot per statement).
PG_FUNCTIONS = [
    f"""CREATE FUNCTION contact_summary_refresh(ids integer[]) RETURNS void
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF cardinality(ids) = 0 THEN RETURN; END IF;
            PERFORM 1 FROM persons WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
            DELETE FROM contact_summary WHERE person_id = ANY(ids);
            {refresh_sql("person_id = ANY(ids)")};
        END $fn$""",
    """CREATE FUNCTION contact_summary_after_insert() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM contact_summary_refresh(ARRAY(
                SELECT DISTINCT person_id FROM new_rows
                WHERE NOT voided AND status <> 'unreachable'));
            RETURN NULL;
        END $fn$""",
    """CREATE FUNCTION contact_summary_after_update() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM contact_summary_refresh(ARRAY(
                SELECT o.person_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.person_id, o.official_id, o.channel, o.status, o.contact_date, o.voided)
                      IS DISTINCT FROM
                      (n.person_id, n.official_id, n.channel, n.status, n.contact_date, n.voided)
                UNION
                SELECT n.person_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.person_id, o.official_id, o.channel, o.status, o.contact_date, o.voided)
                      IS DISTINCT FROM
                      (n.person_id, n.official_id, n.channel, n.status, n.contact_date, n.voided)
                UNION
                SELECT person_id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows)
                UNION
                SELECT person_id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)));
            RETURN NULL;
        END $fn$""",
    """CREATE FUNCTION contact_summary_after_delete() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM contact_summary_refresh(ARRAY(
                SELECT DISTINCT person_id FROM old_rows
                WHERE NOT voided AND status <> 'unreachable'));
            RETURN NULL;
        END $fn$""",
]

PG_TRIGGERS = [
    """CREATE TRIGGER trg_contact_summary_insert AFTER INSERT ON contact_records
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION contact_summary_after_insert()""",
    """CREATE TRIGGER trg_contact_summary_update AFTER UPDATE ON contact_records
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION contact_summary_after_update()""",
    """CREATE TRIGGER trg_contact_summary_delete AFTER DELETE ON contact_records
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION contact_summary_after_delete()""",
]


def upgrade() -> None:
    op.create_table(
        "contact_summary",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Date(), nullable=True) for name in COLUMNS),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_contact_summary_person_id_persons")),
        sa.PrimaryKeyConstraint("person_id", "official_id", name=op.f("pk_contact_summary")),
        # SQLite: the rows live in the primary key's b-tree, one search per lookup instead of two.
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        for sql in PG_FUNCTIONS + PG_TRIGGERS:
            op.execute(sql)
    else:
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)
    op.execute(refresh_sql("1 = 1"))


def downgrade() -> None:
    for name in ("insert", "update", "delete"):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER trg_contact_summary_{name} ON contact_records")
            op.execute(f"DROP FUNCTION contact_summary_after_{name}()")
        else:
            op.execute(f"DROP TRIGGER trg_contact_summary_{name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION contact_summary_refresh(integer[])")
    op.drop_table("contact_summary")
