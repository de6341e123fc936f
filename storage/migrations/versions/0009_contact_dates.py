"""contact_dates: the one table derived from the ledger; the trigger-kept tables go

The rules are decided in Python (`storage.rules`) from each person's contact dates, kept by the
ledger's own code in `contact_dates`. Dropped: contact_summary, assignment_summary, the three
overview tallies and roster_versions, with every trigger and trigger function that kept them.
No row of the ledger is touched; `contact_dates` is filled from the contacts.

Downgrade recreates the old tables by running the upgrades of 0004, 0006, 0007 and 0008 again
(they create their triggers and backfill from the data).

Revision ID: 0009_contact_dates
Revises: 0008_roster_versions
"""

import sqlalchemy as sa
from alembic import op
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

revision = "0009_contact_dates"
down_revision = "0008_roster_versions"
branch_labels = None
depends_on = None

DROPPED = ("assignment_summary", "contact_summary", "contact_month_tallies",
           "latest_contact_tallies", "village_tallies", "roster_versions")
# Every trigger and trigger function of migrations 0004, 0006, 0007 and 0008 starts so.
PREFIXES = ("trg_contact_summary_", "trg_assignment_summary_", "trg_overview_",
            "contact_summary_", "assignment_summary_", "overview_", "roster_versions_")
RESTORED = ("0004_contact_summary", "0006_assignment_summary", "0007_overview_tallies",
            "0008_roster_versions")


def _ours(name: str) -> bool:
    return name.startswith(PREFIXES)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        triggers = bind.execute(sa.text(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
        )).all()
        for name, table in triggers:
            if _ours(name):
                op.execute(f'DROP TRIGGER "{name}" ON "{table}"')
        functions = bind.execute(sa.text(
            "SELECT p.proname, pg_get_function_identity_arguments(p.oid) FROM pg_proc p"
            " WHERE p.pronamespace = current_schema()::regnamespace")).all()
        for name, args in functions:
            if _ours(name):
                op.execute(f'DROP FUNCTION "{name}"({args})')
    else:
        names = bind.execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
        for name in names:
            if _ours(name):
                op.execute(f'DROP TRIGGER "{name}"')
    for table in DROPPED:
        op.drop_table(table)
    op.create_table(
        "contact_dates",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id",
                  name="fk_contact_dates_person_id_persons"), primary_key=True),
        sa.Column("official_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("contacts", sa.Text(), nullable=False),
        sa.Column("visits", sa.Text(), nullable=False),
    )
    # The table is derived data: filled by the same code that rebuilds it after a bulk load.
    from storage.contact_dates import rebuild

    rebuild(Session(bind=bind))


def downgrade() -> None:
    op.drop_table("contact_dates")
    config = op.get_context().config
    assert config is not None  # run through alembic's command API (`lianxin db downgrade`)
    scripts = ScriptDirectory.from_config(config)
    for name in RESTORED:
        scripts.get_revision(name).module.upgrade()
