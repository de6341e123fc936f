"""dashboard: an index of the persons with an open assignment

The overview counts, per village, the persons someone is assigned to (they are owed festival
greetings); with this partial index each person is one index-only probe instead of a read of
every assignment row in the province.

Revision ID: 0005_open_assignments
Revises: 0004_contact_summary
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_open_assignments"
down_revision = "0004_contact_summary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_assignments_open_person",
        "assignments",
        ["person_id"],
        sqlite_where=sa.text("end_date IS NULL"),
        postgresql_where=sa.text("end_date IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_assignments_open_person", table_name="assignments")
