"""assignment_summary: everything the due engine reads of an assignment, in one row

One row per assignment: its columns, the person's name, village, hardship and active flags, the
person's newest successful contact date (last_any), and the newest 4 qualifying dates that count
for it (a1..a4 any channel, h1..h4 home visits) — the person's `contact_summary` row 0, or for a
pairing the paired cadre's own row. The daily evaluation and the dashboard then read one table
instead of probing assignments, persons and two summary rows per assignment.

Triggers keep it exact: on contact_summary (whose own triggers follow contact_records) the dates
are copied over; on assignments the person's rows are recomputed; on persons the copied person
columns are updated. This migration fills it for the existing rows.

The SQL is frozen here on purpose; `storage.assignment_summary` holds the same recomputation for
bulk loaders (a test checks that both agree).

Revision ID: 0006_assignment_summary
Revises: 0005_open_assignments
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_assignment_summary"
down_revision = "0005_open_assignments"
branch_labels = None
depends_on = None

DATES = [f"a{k}" for k in range(1, 5)] + [f"h{k}" for k in range(1, 5)]
PERSON_COLUMNS = {"name": "person_name", "village_id": "village_id",
                  "special_hardship": "hardship", "active": "active"}
WATCHED = ("official_id", "person_id", "kind", "start_date", "end_date")


def refresh_sql(condition: str) -> str:
    """INSERT … SELECT of the summary rows of the assignments `a` matching `condition`."""
    dates = ", ".join(f"CASE WHEN a.kind = 'pairing' THEN o.{d} ELSE s.{d} END" for d in DATES)
    return f"""
        INSERT INTO assignment_summary (official_id, assignment_id, person_id, kind, start_date,
            end_date, person_name, village_id, hardship, active, last_any, {", ".join(DATES)})
        SELECT a.official_id, a.id, a.person_id, a.kind, a.start_date, a.end_date, p.name,
               p.village_id, p.special_hardship, p.active, s.a1, {dates}
        FROM assignments a
        JOIN persons p ON p.id = a.person_id
        LEFT JOIN contact_summary s ON s.person_id = a.person_id AND s.official_id = 0
        LEFT JOIN contact_summary o ON o.person_id = a.person_id AND o.official_id = a.official_id
                                   AND a.kind = 'pairing'
        WHERE {condition}
        ORDER BY a.official_id, a.id"""


def _copy_dates(row: str, values: str | None) -> str:
    """UPDATE statements copying a contact_summary row's dates (NULLs if `values` is None)."""
    src = (lambda d: f"{values}.{d}") if values else (lambda d: "NULL")
    sets = ", ".join(f"{d} = {src(d)}" for d in DATES)
    return f"""UPDATE assignment_summary SET last_any = {src("a1")}
                WHERE person_id = {row}.person_id AND {row}.official_id = 0;
            UPDATE assignment_summary SET {sets}
                WHERE person_id = {row}.person_id AND CASE WHEN kind = 'pairing'
                    THEN official_id = {row}.official_id ELSE {row}.official_id = 0 END;"""


def _sqlite_refresh(person: str, when: str = "1 = 1") -> str:
    return (f"DELETE FROM assignment_summary WHERE person_id = {person} AND {when};\n"
            f"{refresh_sql(f'a.person_id = {person} AND {when}')};\n")


_PERSON_SETS = ", ".join(f"{to} = NEW.{col}" for col, to in PERSON_COLUMNS.items())
_PERSON_CHANGED = " OR ".join(f"NEW.{col} IS NOT OLD.{col}" for col in PERSON_COLUMNS)

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER trg_assignment_summary_dates_insert AFTER INSERT ON contact_summary
        BEGIN {_copy_dates("NEW", "NEW")} END""",
    f"""CREATE TRIGGER trg_assignment_summary_dates_delete AFTER DELETE ON contact_summary
        BEGIN {_copy_dates("OLD", None)} END""",
    f"""CREATE TRIGGER trg_assignment_summary_insert AFTER INSERT ON assignments
        BEGIN {_sqlite_refresh("NEW.person_id")} END""",
    f"""CREATE TRIGGER trg_assignment_summary_update
        AFTER UPDATE OF {", ".join(WATCHED)} ON assignments
        BEGIN {_sqlite_refresh("OLD.person_id")}
              {_sqlite_refresh("NEW.person_id", "NEW.person_id <> OLD.person_id")} END""",
    f"""CREATE TRIGGER trg_assignment_summary_delete AFTER DELETE ON assignments
        BEGIN {_sqlite_refresh("OLD.person_id")} END""",
    f"""CREATE TRIGGER trg_assignment_summary_person
        AFTER UPDATE OF {", ".join(PERSON_COLUMNS)} ON persons WHEN {_PERSON_CHANGED}
        BEGIN UPDATE assignment_summary SET {_PERSON_SETS} WHERE person_id = NEW.id; END""",
]


def _pg_copy_dates(rows: str, null: bool) -> str:
    src = (lambda d: "NULL") if null else (lambda d: f"r.{d}")
    sets = ", ".join(f"{d} = {src(d)}" for d in DATES)
    return f"""
            UPDATE assignment_summary b SET last_any = {src("a1")} FROM {rows} r
                WHERE b.person_id = r.person_id AND r.official_id = 0;
            UPDATE assignment_summary b SET {sets} FROM {rows} r
                WHERE b.person_id = r.person_id AND CASE WHEN b.kind = 'pairing'
                    THEN b.official_id = r.official_id ELSE r.official_id = 0 END;"""


def _changed(old: str, new: str, columns) -> str:
    return "({}) IS DISTINCT FROM ({})".format(
        ", ".join(f"{old}.{c}" for c in columns), ", ".join(f"{new}.{c}" for c in columns))


# PostgreSQL: statement-level triggers with transition tables, so a multi-row statement updates
# each touched row once. A recomputation locks the persons first (in id order), like the contact
# summary's, so two transactions refreshing one person take turns.
PG_FUNCTIONS = [
    f"""CREATE FUNCTION assignment_summary_refresh(ids integer[]) RETURNS void
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF cardinality(ids) = 0 THEN RETURN; END IF;
            PERFORM 1 FROM persons WHERE id IN (SELECT unnest(ids)) ORDER BY id
                FOR NO KEY UPDATE;
            DELETE FROM assignment_summary WHERE person_id IN (SELECT unnest(ids));
            {refresh_sql("a.person_id IN (SELECT unnest(ids))")};
        END $fn$""",
    f"""CREATE FUNCTION assignment_summary_after_dates_insert() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN {_pg_copy_dates("new_rows", null=False)}
            RETURN NULL;
        END $fn$""",
    f"""CREATE FUNCTION assignment_summary_after_dates_delete() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN {_pg_copy_dates("old_rows", null=True)}
            RETURN NULL;
        END $fn$""",
    """CREATE FUNCTION assignment_summary_after_insert() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM assignment_summary_refresh(ARRAY(SELECT DISTINCT person_id FROM new_rows));
            RETURN NULL;
        END $fn$""",
    f"""CREATE FUNCTION assignment_summary_after_update() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM assignment_summary_refresh(ARRAY(
                SELECT o.person_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE {_changed("o", "n", WATCHED)}
                UNION
                SELECT n.person_id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE {_changed("o", "n", WATCHED)}
                UNION
                SELECT person_id FROM old_rows WHERE id NOT IN (SELECT id FROM new_rows)
                UNION
                SELECT person_id FROM new_rows WHERE id NOT IN (SELECT id FROM old_rows)));
            RETURN NULL;
        END $fn$""",
    """CREATE FUNCTION assignment_summary_after_delete() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM assignment_summary_refresh(ARRAY(SELECT DISTINCT person_id FROM old_rows));
            RETURN NULL;
        END $fn$""",
    """CREATE FUNCTION assignment_summary_after_person() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            UPDATE assignment_summary b SET {sets}
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE b.person_id = n.id AND {changed};
            RETURN NULL;
        END $fn$""".format(
        sets=", ".join(f"{to} = n.{col}" for col, to in PERSON_COLUMNS.items()),
        changed=_changed("o", "n", PERSON_COLUMNS)),
]

PG_TRIGGERS = [
    """CREATE TRIGGER trg_assignment_summary_dates_insert AFTER INSERT ON contact_summary
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION assignment_summary_after_dates_insert()""",
    """CREATE TRIGGER trg_assignment_summary_dates_delete AFTER DELETE ON contact_summary
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION assignment_summary_after_dates_delete()""",
    """CREATE TRIGGER trg_assignment_summary_insert AFTER INSERT ON assignments
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION assignment_summary_after_insert()""",
    """CREATE TRIGGER trg_assignment_summary_update AFTER UPDATE ON assignments
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION assignment_summary_after_update()""",
    """CREATE TRIGGER trg_assignment_summary_delete AFTER DELETE ON assignments
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION assignment_summary_after_delete()""",
    """CREATE TRIGGER trg_assignment_summary_person AFTER UPDATE ON persons
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION assignment_summary_after_person()""",
]

TRIGGERS = {
    "contact_summary": ("dates_insert", "dates_delete"),
    "assignments": ("insert", "update", "delete"),
    "persons": ("person",),
}


def upgrade() -> None:
    op.create_table(
        "assignment_summary",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("person_name", sa.String(length=64), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("hardship", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_any", sa.Date(), nullable=True),
        *(sa.Column(name, sa.Date(), nullable=True) for name in DATES),
        sa.PrimaryKeyConstraint("official_id", "assignment_id", name=op.f("pk_assignment_summary")),
        # SQLite: the rows live in the primary key's b-tree, in official order.
        sqlite_with_rowid=False,
    )
    op.create_index("ix_assignment_summary_person_id", "assignment_summary", ["person_id"])
    op.create_index("ix_assignment_summary_village_id", "assignment_summary", ["village_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Room on each page for the trigger's updates to stay there (HOT), so the rows keep the
        # official order the backfill writes them in and a digest reads the table in order.
        op.execute("ALTER TABLE assignment_summary SET (fillfactor = 90)")
        for sql in PG_FUNCTIONS + PG_TRIGGERS:
            op.execute(sql)
    else:
        for sql in SQLITE_TRIGGERS:
            op.execute(sql)
    op.execute(refresh_sql("1 = 1"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE assignment_summary")  # the planner's statistics for a filled table


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, names in TRIGGERS.items():
        for name in names:
            if postgresql:
                op.execute(f"DROP TRIGGER trg_assignment_summary_{name} ON {table}")
                op.execute(f"DROP FUNCTION assignment_summary_after_{name}()")
            else:
                op.execute(f"DROP TRIGGER trg_assignment_summary_{name}")
    if postgresql:
        op.execute("DROP FUNCTION assignment_summary_refresh(integer[])")
    op.drop_table("assignment_summary")
