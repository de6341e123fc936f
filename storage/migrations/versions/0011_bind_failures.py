"""bind_failures: wrong binding codes per openid, for the rate limit and the guessing alarm

Revision ID: 0011_bind_failures
Revises: 0010_official_gender
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_bind_failures"
down_revision = "0010_official_gender"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bind_failures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_bind_failures_openid_at", "bind_failures", ["openid", "at"])
    op.create_index("ix_bind_failures_at", "bind_failures", ["at"])


def downgrade() -> None:
    op.drop_table("bind_failures")
