"""reminders: a covering index for the daily rule evaluation

The evaluation joins every open assignment to the person's contacts of the last year or so and
reads only these columns; with them all in one index SQLite never touches the table rows
(PostgreSQL can use it for index-only scans too).

Revision ID: 0003_reminders
Revises: 0003
"""

from alembic import op

revision = "0003_reminders"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contact_records_person_cover",
        "contact_records",
        ["person_id", "contact_date", "status", "voided", "channel", "official_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_contact_records_person_cover", table_name="contact_records")
