"""officials.gender: the 登记表 (seed 003 附件2) asks for the pairing cadre's 性别

Nullable: rosters imported before this, or without a 性别 column, leave it unknown.

Revision ID: 0010_official_gender
Revises: 0008_roster_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_official_gender"
down_revision = "0008_roster_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("officials", sa.Column("gender", sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officials") as batch:
        batch.drop_column("gender")
