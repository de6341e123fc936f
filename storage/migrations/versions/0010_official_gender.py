"""officials.gender: the 登记表 (seed 003 附件2) asks for the pairing cadre's 性别

Nullable: rosters imported before this, or without a 性别 column, leave it unknown.

Revision ID: 0010_official_gender
Revises: 0009_contact_dates
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_official_gender"
down_revision = "0009_contact_dates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("officials", sa.Column("gender", sa.String(length=4), nullable=True))


def downgrade() -> None:
    # Not a batch (SQLite would copy the table, and other tables' foreign keys refuse that):
    # both databases drop a column in place (SQLite since 3.35).
    op.execute("ALTER TABLE officials DROP COLUMN gender")
