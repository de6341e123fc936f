"""roster_versions: a number per official that changes with who they are and whom they serve

The webhook keeps, per worker, an official's sender lookup and roster between messages. It may
use them only while nothing they were read from has changed: the official's row, the bindings of
their openids, their assignments, and the names and active flags of their persons. Triggers on
those tables bump the official's number in the same transaction as the change, whoever writes
(the chat, imports, the dashboard, the CLI or plain SQL), and the webhook reads the number with
its claim of each message. Only the officials concerned are bumped, so one official's roster
change neither invalidates every worker's cache nor makes writers queue on one row.

Revision ID: 0008_roster_versions
Revises: 0007_overview_tallies
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_roster_versions"
down_revision = "0007_overview_tallies"
branch_labels = None
depends_on = None

# (table, event, SQL giving the ids of the officials to bump as `x`, in NEW/OLD terms)
WATCHES = [
    ("assignments", "INSERT", "SELECT NEW.official_id AS x"),
    ("assignments", "UPDATE OF official_id, person_id, end_date",
     "SELECT OLD.official_id AS x UNION SELECT NEW.official_id"),
    ("assignments", "DELETE", "SELECT OLD.official_id AS x"),
    ("persons", "UPDATE OF name, active",
     "SELECT DISTINCT official_id AS x FROM assignments WHERE person_id = NEW.id"),
    ("persons", "DELETE",
     "SELECT DISTINCT official_id AS x FROM assignments WHERE person_id = OLD.id"),
    ("officials", "UPDATE", "SELECT NEW.id AS x"),
    ("officials", "DELETE", "SELECT OLD.id AS x"),
    ("official_bindings", "INSERT", "SELECT NEW.official_id AS x"),
    ("official_bindings", "UPDATE OF openid, official_id, active",
     "SELECT OLD.official_id AS x UNION SELECT NEW.official_id"),
    ("official_bindings", "DELETE", "SELECT OLD.official_id AS x"),
]

# The WHERE also settles SQLite's parsing ambiguity of INSERT … SELECT before ON CONFLICT.
BUMP = """INSERT INTO roster_versions (official_id, version)
    SELECT x, 1 FROM ({ids}) AS ids WHERE x IS NOT NULL
    ON CONFLICT (official_id) DO UPDATE SET version = roster_versions.version + 1"""


def trigger_name(table: str, event: str) -> str:
    return f"roster_versions_{table}_{event.split()[0].lower()}"


def upgrade() -> None:
    op.create_table(
        "roster_versions",
        sa.Column("official_id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, event, ids in WATCHES:
        name, bump = trigger_name(table, event), BUMP.format(ids=ids)
        if postgresql:
            op.execute(f"""
                CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {bump};
                    RETURN NULL;
                END $$""")
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                       f" FOR EACH ROW EXECUTE FUNCTION {name}()")
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {bump}; END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, event, _ids in WATCHES:
        name = trigger_name(table, event)
        if postgresql:
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
        else:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("roster_versions")
